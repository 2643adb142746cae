"""JSON-LD is compact wherever it is served or exported: an @context of the project's prefixes, compact IRIs
as keys and values, `@type`; every document loads in rdflib and in pyoxigraph and is the same graph as the
N-Triples (or N-Quads) form of the same thing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from helpers import REPO_ROOT
from server.namespaces import PREFIXES

CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . FILTER(?s IN (tskr:turkey, tskr:quote-s42)) }"


def quads_of(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    dataset = ox.Dataset(ox.parse(data, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def iri_names(value, keys_only: bool = False):
    """Every key, @id and @type of a JSON-LD value (the places where IRIs are written); with `keys_only`,
    the keys alone (the properties)."""
    if isinstance(value, list):
        for item in value:
            yield from iri_names(item, keys_only)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("@id", "@type"):
                if not keys_only:
                    yield from (item if isinstance(item, list) else [item])
            elif key not in ("@value", "@language"):
                yield key
                yield from iri_names(item, keys_only)


def assert_compact_and_same_graph(jsonld: bytes, ntriples: bytes, where: str, dataset: bool = False):
    doc = json.loads(jsonld)
    assert isinstance(doc, dict) and isinstance(doc.get("@context"), dict), f"{where}: no @context"
    context = doc["@context"]
    assert context and all(PREFIXES.get(k, v) == v for k, v in context.items()), f"{where}: {context}"
    names = list(iri_names(doc["@graph"]))
    long = [name for name in names if any(name.startswith(ns) and len(name) > len(ns) for ns in context.values())]
    assert names and not long, f"{where}: full IRIs where a prefix of the context fits: {long[:5]}"
    # rdf:type as a property is written @type (as an object, e.g. of void:property, it stays an IRI)
    assert "rdf:type" not in set(iri_names(doc["@graph"], keys_only=True)), f"{where}: rdf:type is written @type"
    # pyoxigraph: the same quads (blank nodes canonicalized)
    other = ox.RdfFormat.N_QUADS if dataset else ox.RdfFormat.N_TRIPLES
    assert quads_of(jsonld, ox.RdfFormat.JSON_LD) == quads_of(ntriples, other), f"{where}: pyoxigraph reads another graph"
    # rdflib: isomorphic
    if dataset:
        a, b = rdflib.Dataset(), rdflib.Dataset()
        a.parse(data=jsonld, format="json-ld")
        b.parse(data=ntriples, format="nquads")
        graphs = lambda d: {str(g.identifier): g for g in d.graphs() if len(g)}
        ga, gb = graphs(a), graphs(b)
        assert set(ga) == set(gb), where
        assert all(isomorphic(ga[k], gb[k]) for k in ga), f"{where}: rdflib reads another graph"
    else:
        a, b = rdflib.Graph(), rdflib.Graph()
        a.parse(data=jsonld, format="json-ld")
        b.parse(data=ntriples, format="nt")
        assert len(a) == len(b) and isomorphic(a, b), f"{where}: rdflib reads another graph ({len(a)} vs {len(b)})"
    return doc


def test_resource_documents(client):
    for name in ("turkey", "quote-s42", "aleksandar-vucic"):
        for inferred in ("", "?inferred=1"):
            jsonld = client.get(f"/data/{name}.jsonld{inferred}")
            nt = client.get(f"/data/{name}.nt{inferred}")
            assert jsonld.status_code == nt.status_code == 200
            assert jsonld.mimetype == "application/ld+json"
            doc = assert_compact_and_same_graph(jsonld.data, nt.data, f"/data/{name}.jsonld{inferred}")
            ids = [node["@id"] for node in doc["@graph"]]
            assert f"tskr:{name}" in ids


def test_the_ontology(client):
    jsonld = client.get("/ontology", headers={"Accept": "application/ld+json"})
    nt = client.get("/ontology", headers={"Accept": "application/n-triples"})
    assert jsonld.status_code == nt.status_code == 200
    doc = assert_compact_and_same_graph(jsonld.data, nt.data, "/ontology as JSON-LD")
    state = next(n for n in doc["@graph"] if n["@id"] == "tsk:State")
    assert "owl:Class" in ([state["@type"]] if isinstance(state["@type"], str) else state["@type"])


def test_sparql_construct(client):
    jsonld = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "jsonld"})
    nt = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "ntriples"})
    assert jsonld.status_code == nt.status_code == 200
    assert_compact_and_same_graph(jsonld.data, nt.data, "/sparql CONSTRUCT")
    # a saved CONSTRUCT query as well
    jsonld = client.get("/queries/entity-graph", query_string={"format": "jsonld"})
    nt = client.get("/queries/entity-graph", query_string={"format": "ntriples"})
    assert_compact_and_same_graph(jsonld.data, nt.data, "/queries/entity-graph")


def test_the_service_description(client):
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    nt = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert jsonld.status_code == nt.status_code == 200
    assert_compact_and_same_graph(jsonld.data, nt.data, "service description")


def test_the_download(client):
    jsonld = client.get("/downloads/tskg.jsonld")
    nt = client.get("/downloads/tskg.nt")
    doc = assert_compact_and_same_graph(jsonld.data, nt.data, "/downloads/tskg.jsonld")
    assert len(doc["@graph"]) > 100


def run(*args) -> bytes:
    done = subprocess.run([sys.executable, "-m", "server", "--root", str(REPO_ROOT), *args], capture_output=True,
                          timeout=600, env={**os.environ})
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_tskg_export_and_query():
    jsonld, nt = run("export", "--format", "jsonld"), run("export", "--format", "nt")
    assert_compact_and_same_graph(jsonld, nt, "tskg export --format jsonld")
    assert run("export", "--format", "jsonld") == jsonld, "the same bytes from the same build"
    jsonld = run("query", "--format", "json", CONSTRUCT)
    csv_rows = run("query", "--format", "csv", CONSTRUCT).decode().splitlines()[1:]
    doc = json.loads(jsonld)
    assert "@context" in doc and len(list(ox.parse(jsonld, format=ox.RdfFormat.JSON_LD))) == len(csv_rows)


def test_literals_keep_their_form_and_datatype():
    from server import jsonld

    s = ox.NamedNode(PREFIXES["tskr"] + "x")
    literals = [ox.Literal("05", datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
                ox.Literal("1.50", datatype=ox.NamedNode(PREFIXES["xsd"] + "decimal")),
                ox.Literal("--10-08", datatype=ox.NamedNode(PREFIXES["xsd"] + "gMonthDay")),
                ox.Literal("Kosovo", language="sr-latn"), ox.Literal('quote " and \\ and\nline'),
                ox.Literal("x", datatype=ox.NamedNode("http://example.org/dt"))]
    p = ox.NamedNode(PREFIXES["rdfs"] + "comment")
    triples = [ox.Triple(s, p, o) for o in literals] + [ox.Triple(ox.BlankNode("b1"), p, s)]
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(PREFIXES["tskr"] + "g")) for t in triples]
    for statements, dataset in ((triples, False), (quads, True)):
        data = jsonld.serialize(statements, PREFIXES)
        assert_compact_and_same_graph(data, ox.serialize(statements, format=ox.RdfFormat.N_QUADS if dataset
                                                          else ox.RdfFormat.N_TRIPLES), "unit", dataset=dataset)
        assert jsonld.serialize(statements, PREFIXES) == data
