"""`tskg reason` as a user runs it: the console script in a subprocess, on a small project of
our own (known inferences) and on the real one."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from test_validate_cli import DATA, ONTOLOGY, SOURCE, REPO_ROOT, no_traceback, tskg

TSK = "https://w3id.org/tskg/ontology#"
TSKR = "https://w3id.org/tskg/id/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture()
def small(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    (root / "ontology" / "tskg.ttl").write_text(ONTOLOGY)
    (root / "ontology" / "shapes.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<x:s> a sh:NodeShape .\n")
    (root / "graph" / "source.ttl").write_text(SOURCE)
    (root / "graph" / "data.ttl").write_text(DATA)
    return root


def _triples(*paths: Path) -> set:
    """The merged graph of `paths`, blank nodes kept apart per file as Turtle scopes them."""
    return {q.triple for p in paths
            for q in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)}


def _count(*paths: Path) -> int:
    return len(_triples(*paths))


def test_counts_and_inferred_triples(small):
    out = small / "inferred.nt"
    proc = tskg("--root", str(small), "reason", "--format", "json", "--output", str(out))
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["counts"]["asserted"] == _count(small / "graph" / "source.ttl", small / "graph" / "data.ttl")
    assert doc["counts"]["ontology"] == _count(small / "ontology" / "tskg.ttl")  # the shapes are left out
    inferred = {q.triple for q in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES)}
    assert len(inferred) == doc["counts"]["inferred"]
    # rdfs:subClassOf: Alice is a Person, so an Agent; rdfs:range of tsk:actor says the same
    assert ox.Triple(ox.NamedNode(TSKR + "alice"), RDF_TYPE, ox.NamedNode(TSK + "Agent")) in inferred
    # nothing asserted is repeated
    asserted = {q.triple for name in ("source.ttl", "data.ttl")
                for q in ox.parse(path=str(small / "graph" / name), format=ox.RdfFormat.TURTLE)}
    assert not inferred & asserted
    assert doc["seconds"]["total"] > 0


def test_text_output_and_turtle_file(small):
    out = small / "inferred.ttl"
    proc = tskg("--root", str(small), "reason", "--output", str(out))
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    counts = dict(re.findall(r"^(asserted|ontology|inferred)\s+(\d+) triples", proc.stdout, re.M))
    assert set(counts) == {"asserted", "ontology", "inferred"}
    assert re.search(r"^time\s+\d+\.\d\d s", proc.stdout, re.M)
    assert _count(out) == int(counts["inferred"])
    assert "@prefix tsk: <https://w3id.org/tskg/ontology#> ." in out.read_text()
    assert sorted(p.name for p in small.iterdir()) == ["graph", "inferred.ttl", "ontology"]  # no temporary left


def test_output_is_the_same_every_run(small):
    a, b = small / "a.nt", small / "b.nt"
    for out in (a, b):
        assert tskg("--root", str(small), "reason", "--output", str(out)).returncode == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("target", ["graph/inferred.nt", "ontology/inferred.ttl"])
def test_never_writes_into_the_sources(small, target):
    proc = tskg("--root", str(small), "reason", "--output", str(small / target))
    no_traceback(proc)
    assert proc.returncode == 2
    assert "refusing to write" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (small / target).exists()


def test_unknown_extension_and_a_file_in_the_way(small):
    (small / "a-file").write_text("not a folder")
    for target, message in (("inferred.owl", "unknown extension"), ("a-file/x.nt", "a-file is not a directory")):
        proc = tskg("--root", str(small), "reason", "--output", str(small / target))
        no_traceback(proc)
        assert proc.returncode == 2 and message in proc.stderr


def test_missing_folders_are_created(small):
    proc = tskg("--root", str(small), "reason", "--output", str(small / "out" / "run" / "inferred.nt"))
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert (small / "out" / "run" / "inferred.nt").stat().st_size > 0


def test_syntax_error_in_the_graph(small):
    (small / "graph" / "bad.ttl").write_text("<a:a> <a:b> <a:c> .\n<a:a> <a:b> .\n")
    proc = tskg("--root", str(small), "reason")
    no_traceback(proc)
    assert proc.returncode == 2
    assert re.match(r"^graph/bad\.ttl:2:\d+: ", proc.stderr)


def test_the_real_graph():
    graph_files = sorted((REPO_ROOT / "graph").glob("*.ttl"))
    if not graph_files:
        pytest.skip("graph/*.ttl not written yet: nothing to reason over")
    proc = tskg("reason", "--format", "json")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["counts"]["asserted"] == _count(*graph_files)
    assert doc["counts"]["inferred"] > 0
    print(f"reason on the curated graph: {doc['counts']} in {doc['seconds']}")


def test_one_inferred_count_everywhere_and_owlrl_explained(app, client):
    """`tskg reason` counts what the server, its home page and downloads count; --reference (owlrl) counts more
    and says by kind what the difference is, every triple of it accounted for."""
    served = app.extensions["tskg.build"].counts["inferred"]
    plain = tskg("reason", "--format", "json")
    no_traceback(plain)
    assert json.loads(plain.stdout)["counts"]["inferred"] == served
    home = client.get("/").get_data(as_text=True)
    assert f"{served:,}" in home or str(served) in home

    text = tskg("reason")
    assert re.search(rf"^inferred\s+{served} triples", text.stdout, re.M), text.stdout

    reference = tskg("reason", "--reference", "--format", "json")
    no_traceback(reference)
    doc = json.loads(reference.stdout)
    difference = doc["difference"]
    assert doc["reasoner"] == "owlrl" and doc["counts"]["inferred"] > served
    assert difference["build"] == served and difference["build_only"] == 0
    assert served + sum(difference["owlrl_only"].values()) == doc["counts"]["inferred"]
    assert not [kind for kind in difference["owlrl_only"] if "unexplained" in kind], difference
    assert any(kind.startswith("reflexive x owl:sameAs x") for kind in difference["owlrl_only"])
    words = tskg("reason", "--reference").stdout
    assert f"{served} of them the build's" in words and "reflexive x owl:sameAs x" in words
