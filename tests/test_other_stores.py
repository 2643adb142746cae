"""Proof that other RDF tools accept our exports unchanged.

Each export format, written by `tskg export` from the real data, is read by
- raptor's `rapper` (Debian raptor2-utils; a C parser independent of ours): Turtle,
  N-Triples, RDF/XML, TriG and N-Quads, re-serialized as N-Triples or N-Quads;
- pyoxigraph, loaded into a Store as a user of pyoxigraph would;
- rdflib, for JSON-LD (rapper has no JSON-LD parser);
and what they read must be isomorphic to the build's graphs: no triple lost or changed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from server.exports.files import FORMATS
from server.terms import to_oxigraph
from test_export import ALL_GRAPHS, assert_isomorphic, real, tskg  # noqa: F401 (real is a fixture)

RAPPER = shutil.which("rapper") or "/usr/bin/rapper"
RAPPER_SYNTAX = {"nt": "ntriples", "nq": "nquads", "trig": "trig", "ttl": "turtle", "rdfxml": "rdfxml"}
BY_NAME = {f.name: f for f in FORMATS}


@pytest.fixture(scope="module")
def exports(real, tmp_path_factory) -> dict[str, Path]:
    """Every format, exported once by the command line."""
    out_dir = tmp_path_factory.mktemp("exports")
    files = {}
    for fmt in FORMATS:
        path = out_dir / f"tskg{fmt.extensions[0]}"
        done = tskg(real.root, "export", "--output", str(path), env=real.env())
        assert done.returncode == 0, done.stderr.decode()
        files[fmt.name] = path
    return files


def expected_quads(real, fmt) -> list[ox.Quad]:
    return real.quads() if fmt.dataset else real.merged()


@pytest.fixture(scope="module")
def rapper() -> str:
    if not Path(RAPPER).exists():
        pytest.skip("raptor's rapper is not installed (Debian: apt-get install raptor2-utils; .ci/run does it)")
    return RAPPER


@pytest.mark.parametrize("name", list(RAPPER_SYNTAX))
def test_rapper_reads_the_export_unchanged(real, exports, rapper, name):
    fmt = BY_NAME[name]
    output = "nquads" if fmt.dataset else "ntriples"
    done = subprocess.run([rapper, "-i", RAPPER_SYNTAX[name], "-o", output, str(exports[name])],
                          capture_output=True, timeout=300)
    messages = done.stderr.decode()
    assert done.returncode == 0, messages
    # rapper reports problems it recovers from as warnings; there must be none.
    assert "Error" not in messages and "Warning" not in messages, messages
    read = list(ox.parse(done.stdout, format=ox.RdfFormat.N_QUADS if fmt.dataset else ox.RdfFormat.N_TRIPLES))
    expected = expected_quads(real, fmt)
    assert f"returned {len(read)} triple" in messages
    if fmt.dataset:
        assert {q.graph_name.value for q in read} == {q.graph_name.value for q in expected} >= set(ALL_GRAPHS[:3])
    assert_isomorphic(read, expected, f"rapper's reading of {exports[name].name}")


@pytest.mark.parametrize("name", [f.name for f in FORMATS])
def test_pyoxigraph_store_loads_the_export(real, exports, name):
    """Loaded into a pyoxigraph Store, the export gives the same store as the build's quads do.
    (A Store normalises some literals, e.g. xsd:nonNegativeInteger to xsd:integer, so both
    sides go through a Store.)"""
    fmt = BY_NAME[name]
    loaded = ox.Store()
    loaded.load(path=exports[name], format=fmt.rdf)
    reference = ox.Store()
    reference.extend(expected_quads(real, fmt))
    assert len(loaded) == len(reference)
    assert_isomorphic(list(loaded), list(reference), f"pyoxigraph Store loading {exports[name].name}")


def test_rdflib_reads_the_jsonld_export(real, exports):
    graph = rdflib.Graph()
    graph.parse(exports["jsonld"], format="json-ld")
    read = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]
    assert len(read) == len(real.merged())
    assert_isomorphic(read, real.merged(), "rdflib's reading of the JSON-LD export")


def test_rdflib_reads_the_trig_export_with_its_graphs(real, exports):
    dataset = rdflib.Dataset()
    dataset.parse(exports["trig"], format="trig")
    read = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g)))
            for s, p, o, g in dataset.quads((None, None, None, None)) if g is not None and str(g) in ALL_GRAPHS]
    assert_isomorphic(read, real.quads(), "rdflib's reading of the TriG export")
