"""A build after a change to one file (server.sources.parsed_cache: the files that did not change are read
from the cache, not parsed again) gives exactly what a cold build of the changed sources gives: the same
dataset and the same store, compared as canonical N-Quads byte for byte (the parser names anonymous blank
nodes afresh on each run, so raw bytes differ between any two cold builds). A change that makes the data
invalid is refused with the findings, at the same file:line, that a cold check gives."""

from __future__ import annotations

import re
import shutil

import pyoxigraph as ox
import pytest

from server.build import ValidationFailed, build
from server.build.pipeline import PARSED
from server.checks.gate import check, project_files
from server.exports.files import canonical_nquads
from server.namespaces import GRAPHS
from server.project import Project
from server.scale.generate import generate
from server.sources.files import load_sources

CHANGED = "synthetic-actors.ttl"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, project):
    """A small generated graph, built once cold into its own cache (which keeps the parsed files)."""
    root = tmp_path_factory.mktemp("incremental") / "graph"
    generate(root, 3000, seed=11, source=project)
    return root


def copy_with_cache(generated, tmp_path, monkeypatch) -> Project:
    root = tmp_path / "project"
    shutil.copytree(generated, root)
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cache"))
    project = Project.locate(root)
    build(project)  # the cold build of the sources before the change
    return project


def entries(project: Project) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (project.cache_dir / PARSED).iterdir()}


def canonical_dataset(built) -> bytes:
    return canonical_nquads(ox.Dataset(ox.parse(path=built.dataset_path, format=ox.RdfFormat.N_QUADS)),
                            list(GRAPHS.values()))


def canonical_store(built) -> bytes:
    store = built.open_store()
    try:
        return canonical_nquads(ox.Dataset(store.quads_for_pattern(None, None, None)), list(GRAPHS.values()))
    finally:
        del store


def cold(project: Project, tmp_path, monkeypatch):
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cold-cache"))
    return build(project)


def test_a_change_to_one_file_builds_what_a_cold_build_builds(generated, tmp_path, monkeypatch):
    project = copy_with_cache(generated, tmp_path, monkeypatch)
    before = entries(project)
    path = project.root / "graph" / CHANGED
    text = path.read_text(encoding="utf-8")
    evidence = re.search(r"tsk:evidence (tskr:quote-[\w-]+)", text).group(1)
    changed = text.replace('rdfs:label "', 'rdfs:label "Renamed ', 1)  # a triple goes, another comes
    changed += (f'\ntskr:someone-new a tsk:Person ;\n    rdfs:label "Someone New"@en ;\n'
                f'    tsk:nationality tskr:serbia ;\n    tsk:evidence {evidence} .\n')  # new sides, new inferences
    path.write_text(changed, encoding="utf-8")

    incremental = build(project)
    after = entries(project)
    kept = {name for name in before if after.get(name) == before[name]}
    assert len(kept) == len(before) - 1 and len(after) == len(before), "only the changed file is parsed again"

    fresh = cold(project, tmp_path, monkeypatch)
    assert incremental.digest == fresh.digest and not incremental.cached
    assert canonical_dataset(incremental) == canonical_dataset(fresh)
    assert canonical_store(incremental) == canonical_store(fresh)
    assert b"Someone New" in canonical_dataset(incremental) and b"Renamed " in canonical_dataset(incremental)


def test_a_damaged_parsed_entry_is_parsed_again(generated, tmp_path, monkeypatch):
    project = copy_with_cache(generated, tmp_path, monkeypatch)
    for entry in (project.cache_dir / PARSED).iterdir():
        entry.write_bytes(b"not a pickle")
    again = build(project, use_cache=False)
    fresh = cold(project, tmp_path, monkeypatch)
    assert canonical_dataset(again) == canonical_dataset(fresh)


def test_a_change_that_makes_the_data_invalid_is_refused_where_a_cold_check_finds_it(generated, tmp_path,
                                                                                      monkeypatch):
    project = copy_with_cache(generated, tmp_path, monkeypatch)
    path = project.root / "graph" / CHANGED
    path.write_text(path.read_text(encoding="utf-8")
                    + '\ntskr:event-bad a tsk:Event ;\n    rdfs:label "Bad"@en ;\n    tsk:date "20x3"^^xsd:gYear .\n',
                    encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        build(project)
    found = [(r.file, r.line, r.rule, r.message) for r in refused.value.report.results]
    expected = [(r.file, r.line, r.rule, r.message) for r in check(load_sources(project_files(project))).results]
    assert found == expected
    assert any(f == f"graph/{CHANGED}" and "20x3" in m for f, _, _, m in found), found
    builds = [p.name for p in project.cache_dir.iterdir() if re.fullmatch("[0-9a-f]{64}", p.name)]
    assert len(builds) == 1, builds  # the build before the change only
