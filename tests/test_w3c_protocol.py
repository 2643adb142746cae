"""The W3C SPARQL 1.1 Protocol test suite (../shared/w3c/sparql/sparql11/protocol/manifest.ttl) against
our /sparql on a real HTTP server.

Each test's ht:Request (method, path, headers, body in its character encoding) is sent as written, with
the manifest's /sparql/ path prefix mapped to our /sparql. The tests name their data with ut:graphData
(data1.nt … data3.nt, each labelled with the graph IRI it stands for); those files are loaded as named
graphs of a store built here, separate from the project's. data0.rdf is named by several tests but has no
file in the suite, and every query that names it (ASK {}, SELECT (1 AS ?value) {}, DESCRIBE, CONSTRUCT
of constants) answers the same whatever it holds, so it is an empty named graph of that store: the endpoint
still checks that a default-graph-uri names a graph it has.

The update tests cannot apply: the endpoint is read-only and refuses every update with 403 by design.
The bad_update tests still run: each expects a 4xx, which the endpoint gives.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests

from helpers import SHARED, serve_app

PROTOCOL_DIR = SHARED / "w3c" / "sparql" / "sparql11" / "protocol"
MANIFEST = PROTOCOL_DIR / "manifest.ttl"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
EMPTY_GRAPH = "http://kasei.us/2009/09/sparql/data/data0.rdf"

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples", "application/xhtml+xml", "text/html"}


def _manifest() -> rdflib.Graph | None:
    if not MANIFEST.exists():
        return None
    return rdflib.Graph().parse(MANIFEST, format="turtle")


def _entries(graph: rdflib.Graph | None) -> list:
    if graph is None:
        return []
    head = graph.value(predicate=rdflib.RDF.type, object=MF.Manifest)
    return list(rdflib.collection.Collection(graph, graph.value(head, MF.entries)))


GRAPH = _manifest()
ENTRIES = _entries(GRAPH)
ENTRY_IDS = [str(e).rsplit("#", 1)[-1] for e in ENTRIES] or ["manifest-missing"]


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    """Our app over a store holding the suite's data files as named graphs."""
    if GRAPH is None:
        pytest.skip(f"{MANIFEST} not found: the W3C suites live in ../shared beside the checkout")
    from server.store.embedded import EmbeddedEngine

    location = tmp_path_factory.mktemp("w3c-protocol-store")
    store = ox.Store(str(location))
    graphs = {}
    for data in GRAPH.objects(predicate=UT.graphData):
        file = Path(str(GRAPH.value(data, UT.graph)).removeprefix("file://"))
        graphs[str(GRAPH.value(data, rdflib.RDFS.label))] = PROTOCOL_DIR / file.name
    assert graphs, "the manifest names no data files"
    for name, path in sorted(graphs.items()):
        store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    store.add_graph(ox.NamedNode(EMPTY_GRAPH))
    store.flush()
    del store
    engine = EmbeddedEngine(location, workers=1)
    server = serve_app(TSKG_ENGINE=engine)
    yield server
    server.stop()
    engine.close()


def _request(test):
    connection = GRAPH.value(test, MF.action)
    return list(rdflib.collection.Collection(GRAPH, GRAPH.value(connection, HT.requests)))


def _send(base_url: str, req) -> requests.Response:
    method = str(GRAPH.value(req, HT.methodName))
    path = str(GRAPH.value(req, HT.absolutePath))
    assert path.startswith("/sparql/")
    url = base_url + "/sparql" + path[len("/sparql/"):].lstrip("/")  # "/sparql/?query=" -> "/sparql?query="
    headers = {}
    header_list = GRAPH.value(req, HT.headers)
    if header_list is not None:
        for h in rdflib.collection.Collection(GRAPH, header_list):
            headers[str(GRAPH.value(h, HT.fieldName))] = str(GRAPH.value(h, HT.fieldValue))
    body = None
    body_node = GRAPH.value(req, HT.body)
    if body_node is not None:
        encoding = str(GRAPH.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(GRAPH.value(body_node, CNT.chars)).encode(encoding)
    return requests.request(method, url, data=body, headers=headers, timeout=30, allow_redirects=False)


def _boolean(response: requests.Response) -> bool:
    media = response.headers["Content-Type"].split(";")[0].strip()
    if media == "application/sparql-results+json":
        return json.loads(response.content)["boolean"]
    root = ET.fromstring(response.content)
    text = root.find("{http://www.w3.org/2005/sparql-results#}boolean").text
    return text.strip() == "true"


@pytest.mark.parametrize("test", ENTRIES or [None], ids=ENTRY_IDS)
def test_w3c_protocol(w3c_server, test):
    name = str(GRAPH.value(test, MF.name))
    local = str(test).rsplit("#", 1)[-1]
    if local.startswith("update_"):
        pytest.skip(f"{local} ({name}): updates do not apply, the endpoint is read-only and refuses them with 403")
    for req in _request(test):
        response = _send(w3c_server.url, req)
        expected = GRAPH.value(req, HT.resp)
        statuses = set(GRAPH.objects(expected, MF.expectedStatus))
        family = f"StatusCode{response.status_code // 100}xx"
        assert HTS[family] in statuses, f"{local}: HTTP {response.status_code} ({response.text[:200]!r}), expected {statuses}"
        fmt = GRAPH.value(expected, MF.expectedFormat)
        media = response.headers.get("Content-Type", "").split(";")[0].strip()
        if fmt is not None:
            allowed = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}[str(fmt)]
            assert media in allowed, f"{local}: answered {media}, expected one of {sorted(allowed)}"
            if str(fmt) == "RDF":  # it parses in the format it names (ox.parse raises SyntaxError if not)
                parsed = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media)))
                assert all(isinstance(q, ox.Quad) for q in parsed), f"{local}: not RDF"
        boolean = GRAPH.value(expected, MF.expectedBoolean)
        if boolean is not None:
            assert _boolean(response) is bool(boolean.toPython()), f"{local}: wrong boolean"


def test_w3c_dataset_tests_see_only_the_protocol_dataset(w3c_server):
    """Beyond the suite: with default-graph-uri=data1, data2's triple is not in the default graph,
    which shows the protocol dataset really replaces the union default graph."""
    q = "ASK { <http://kasei.us/2009/09/sparql/data/data2.rdf> a ?type }"
    base = {"query": q}
    union = requests.get(w3c_server.url + "/sparql", params=base, timeout=30)
    only1 = requests.get(w3c_server.url + "/sparql",
                         params={**base, "default-graph-uri": "http://kasei.us/2009/09/sparql/data/data1.rdf"},
                         timeout=30)
    assert union.status_code == only1.status_code == 200
    assert _boolean(union) is True
    assert _boolean(only1) is False


def test_w3c_service_description(w3c_server):
    """The three W3C service-description tests: GET on the endpoint returns RDF with an sd:endpoint
    triple naming the URL requested, and the description uses the sd: vocabulary as its schema says."""
    url = w3c_server.url + "/sparql"
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=response.text, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    services = set(g.subjects(SD.endpoint, rdflib.URIRef(url)))
    assert services, "no sd:endpoint triple naming the requested URL"
    service = services.pop()
    assert (service, rdflib.RDF.type, SD.Service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    names = {str(n) for n in g.objects(None, SD.name)}
    assert names == {EMPTY_GRAPH, *(f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3))}
