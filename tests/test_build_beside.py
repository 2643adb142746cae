"""The gate beside the build (server.build.beside): forked, it refuses what the gate in the process refuses,
with the same findings at the same file:line, and leaves no cache entry; passing, the build it lets through
is the one built with the gate in the process (canonical N-Quads, byte for byte: the parser names anonymous
blank nodes afresh on each run). It never forks from a process with other
threads (a pyoxigraph store's RocksDB threads included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading


import pyoxigraph as ox

from server.build import beside
from server.exports.files import canonical_nquads
from server.namespaces import GRAPHS
from server.sources.files import load_sources
from server.checks.gate import project_files
from test_gate import MISTAKES, project_with

# Run in a fresh interpreter (one thread, as the build's own process is) with the fork threshold at 0.
BUILD_FORKED = """
import json, sys
from server.build import beside, build, ValidationFailed
from server.project import Project
beside.FORK_FROM = 0
try:
    built = build(Project.locate(sys.argv[1]), use_cache=False)
    print(json.dumps({"timings": built.timings, "dataset": str(built.dataset_path)}))
except ValidationFailed as refused:
    print(json.dumps({"refused": [[r.file, r.line, r.rule, r.message] for r in refused.report.results]}))
"""


def build_forked(root, cache) -> dict:
    env = {**os.environ, "TSKG_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", BUILD_FORKED, str(root)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_forked_gate_refuses_with_the_same_findings_and_leaves_no_entry(tmp_path, monkeypatch):
    from server.build import ValidationFailed, build

    for name in ("ill-typed-year", "event-without-type"):
        case = tmp_path / name
        project = project_with(case, "new.ttl", MISTAKES[name])
        monkeypatch.setenv("TSKG_CACHE", str(case / "cache-here"))
        try:
            build(project, use_cache=False)
            raise AssertionError("the build in the process accepted invalid data")
        except ValidationFailed as refused:
            here = [[r.file, r.line, r.rule, r.message] for r in refused.report.results]
        forked = build_forked(project.root, case / "cache-forked")
        assert forked.get("refused") == here and any(f == "graph/new.ttl" for f, *_ in here), (name, forked)
        assert [p.name for p in (case / "cache-forked").iterdir() if not p.name.startswith(".lock")] == []


def test_a_forked_gate_lets_through_the_same_build(tmp_path, monkeypatch):
    from server.build import build

    project = project_with(tmp_path, "extra.ttl", "")
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cache-here"))
    here = build(project, use_cache=False)
    assert "validate_wait" not in here.timings
    forked = build_forked(project.root, tmp_path / "cache-forked")
    assert "validate_wait" in forked["timings"], forked  # it did run beside the build
    assert canonical(forked["dataset"]) == canonical(here.dataset_path)


def canonical(path) -> bytes:
    return canonical_nquads(ox.Dataset(ox.parse(path=path, format=ox.RdfFormat.N_QUADS)), list(GRAPHS.values()))


def test_no_fork_from_a_process_with_other_threads(project, monkeypatch):
    monkeypatch.setattr(beside, "FORK_FROM", 0)
    sources = load_sources(project_files(project))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not beside.single_threaded()
        gate = beside.Gate(sources, engine="fast")
        assert not gate.forked and gate.report().conforms
    finally:
        stop.set()
        other.join(5)
    # An on-disk store leaves RocksDB threads behind even once it is closed.
    code = ("import os, tempfile, pyoxigraph as ox; from server.build.beside import single_threaded; "
            "a = single_threaded(); s = ox.Store(tempfile.mkdtemp()); del s; print(a, single_threaded())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "False"], done.stderr
