"""The build cache is trusted only once verified: every way of damaging an entry that was seen to be
served (or to wedge the server) is detected at the next start, the entry is moved aside with a message,
and the build runs again; a half-written entry never exists, and a killed build's staging folder goes.
Each test damages a real build of a small project, then starts it as users do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pyoxigraph as ox
import pytest

from helpers import Serve, tskg
from server.build import build
from server.build.cache import DAMAGED, MANIFEST, STAGING_PREFIX
from server.project import Project
from test_serve import GOOD_DATA, tiny_project


@pytest.fixture()
def small(tmp_path, monkeypatch):
    root = tiny_project(tmp_path / "project", GOOD_DATA + "<https://w3id.org/tskg/id/kosovo> a "
                        "<https://w3id.org/tskg/ontology#State> ; <http://www.w3.org/2000/01/rdf-schema#label> "
                        '"Kosovo"@en .\n')
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cache"))
    project = Project.locate(root)
    first = build(project)
    assert not first.cached
    return project, first


def quads(path) -> int:
    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def cut_at_a_line(path):
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))


def garble(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def store_file(directory, suffix):
    return next(p for p in sorted((directory / "store").iterdir()) if p.name.endswith(suffix))


DAMAGE = {
    "dataset.nq cut at a line": lambda d: cut_at_a_line(d / "dataset.nq"),
    "dataset.nq emptied": lambda d: (d / "dataset.nq").write_bytes(b""),
    "dataset.nq garbled, same size": lambda d: garble(d / "dataset.nq"),
    "build.json truncated": lambda d: (d / MANIFEST).write_text((d / MANIFEST).read_text()[:50]),
    "build.json deleted": lambda d: (d / MANIFEST).unlink(),
    "build.json for another digest": lambda d: (d / MANIFEST).write_text(
        json.dumps({**json.loads((d / MANIFEST).read_text()), "digest": "0" * 64})),
    "build.json and store/CURRENT deleted": lambda d: ((d / MANIFEST).unlink(), (d / "store" / "CURRENT").unlink()),
    "a store file garbled": lambda d: garble(store_file(d, ".sst")),
    "a store file deleted": lambda d: store_file(d, ".sst").unlink(),
}


@pytest.mark.parametrize("how", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_entry_is_moved_aside_and_built_again(small, how, capfd):
    project, first = small
    expected = quads(first.dataset_path)
    DAMAGE[how](first.directory)

    again = build(project)
    assert not again.cached and again.directory == first.directory
    assert quads(again.dataset_path) == expected
    err = capfd.readouterr().err
    assert "is damaged" in err and "building again" in err, err
    assert len(list((first.directory.parent / DAMAGED).iterdir())) == 1
    assert build(project).cached, "the rebuilt entry is written whole, so the next start uses it"


def test_a_damaged_entry_is_never_served(small, capfd):
    """The whole path a user takes: `tskg serve` over a cut dataset.nq serves the full download."""
    project, first = small
    expected = quads(first.dataset_path)
    cut_at_a_line(first.dataset_path)
    server = Serve("--query-workers", "1", root=project.root, env={"TSKG_CACHE": str(project.cache_dir)})
    try:
        server.wait_ready(300)
        body = server.get("/downloads/tskg.nq").content
        assert sum(1 for _ in ox.parse(body, format=ox.RdfFormat.N_QUADS)) == expected
        assert "is damaged" in "".join(server.stderr)
    finally:
        server.stop()


def test_a_killed_builds_staging_folder_is_removed(small):
    project, first = small
    leftover = project.cache_dir / f"{STAGING_PREFIX}killed"
    (leftover / "store").mkdir(parents=True)
    (leftover / "dataset.nq").write_text("half\n")
    assert build(project).cached
    assert not leftover.exists()


def test_a_build_killed_midway_leaves_no_entry(tmp_path):
    """Kill a cold build while it runs: no cache entry appears, and the next build completes."""
    root = tiny_project(tmp_path / "project", GOOD_DATA)
    cache = tmp_path / "cache"
    env = {**os.environ, "TSKG_CACHE": str(cache)}
    child = subprocess.Popen([sys.executable, "-m", "server", "--root", str(root), "export", "--format", "nt"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Stop it as soon as it has a staging folder, or whatever it has reached after a while.
    for _ in range(400):
        if child.poll() is not None or any(cache.glob(STAGING_PREFIX + "*")):
            break
        threading.Event().wait(0.01)
    child.kill()
    child.wait()
    entries = [p for p in cache.iterdir() if not p.name.startswith(".")] if cache.exists() else []
    for entry in entries:  # an entry that exists was published whole before the kill
        assert (entry / MANIFEST).exists()
    result = tskg("export", "--format", "nt", root=root, env={"TSKG_CACHE": str(cache)}, text=False)
    assert result.returncode == 0 and b"serbia" in result.stdout
    assert not list(cache.glob(STAGING_PREFIX + "*"))


def test_concurrent_builds_wait_for_each_other(tmp_path):
    root = tiny_project(tmp_path / "project", GOOD_DATA)
    env = {"TSKG_CACHE": str(tmp_path / "cache")}
    results = []
    threads = [threading.Thread(target=lambda: results.append(tskg("export", "--format", "nt", root=root, env=env)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
    assert len({r.stdout for r in results}) == 1
    assert "is damaged" not in "".join(r.stderr for r in results)
    entries = [p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1
