"""Remote mode: our /sparql in front of a real Oxigraph server that these tests start.

The store is loaded with `tskg publish` (Graph Store Protocol) into `oxigraph serve`, which is then
restarted as `oxigraph serve-read-only` over the same directory, as a deployment would run it. The same
queries through our endpoint in remote mode and in embedded mode must answer the same, and the safety
checks hold in remote mode too."""

from __future__ import annotations

import json
import shutil
import time

import pytest
import requests

from helpers import OXIGRAPH, free_port
from server.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from server.exports.publish import GENID

@pytest.fixture(scope="module")
def remote_server(remote_live_server):
    """Our app in remote mode in front of Oxigraph server (tests/conftest.py starts both)."""
    return remote_live_server


def answer(server, query, fmt="json"):
    r = requests.get(server.url + "/sparql", params={"query": query, "format": fmt}, timeout=60)
    assert r.status_code == 200, r.text
    return r


def rows(response) -> list[str]:
    return sorted(json.dumps(b, sort_keys=True) for b in response.json()["results"]["bindings"])


QUERIES = {
    "labels": f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?s ?label WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s rdfs:label ?label FILTER(isIRI(?s)) }} }}""",
    "counts per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    # blank node labels differ between stores, and publish sends blank nodes shared between graphs as
    # Skolem IRIs under GENID: leave both out, on either side of the triple
    "typed resources, union default graph": f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n)
        WHERE {{ ?s a ?type FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "{GENID}")
                                  && isIRI(?type) && !STRSTARTS(STR(?type), "{GENID}")) }} GROUP BY ?type""",
    "protocol-free FROM": f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ONTOLOGY}> WHERE {{ ?s ?p ?o }}",
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_remote_answers_like_embedded(live_server, remote_server, name):
    query = QUERIES[name]
    embedded, remote = answer(live_server, query), answer(remote_server, query)
    assert rows(remote) == rows(embedded)
    assert rows(embedded), "the query should find something"


def test_remote_construct_and_ask_like_embedded(live_server, remote_server):
    import pyoxigraph as ox

    query = QUERIES["labels"].replace("SELECT ?s ?label", "CONSTRUCT { ?s <urn:x:label> ?label }")
    graphs = []
    for server in (live_server, remote_server):
        body = answer(server, query, "ntriples").content
        graphs.append({str(q.triple) for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)})
    assert graphs[0] == graphs[1] and graphs[0]
    ask = f"ASK {{ GRAPH <{GRAPH_INFERRED}> {{ ?s a ?c }} }}"
    assert answer(remote_server, ask).json()["boolean"] is answer(live_server, ask).json()["boolean"] is True


def test_remote_protocol_dataset(live_server, remote_server):
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": GRAPH_ASSERTED}
    got = [requests.get(s.url + "/sparql", params=params, timeout=60).json() for s in (live_server, remote_server)]
    assert got[0] == got[1]


def test_remote_stats_and_service_description(app, remote_server):
    from server.web.engine import get_engine

    remote_stats = get_engine(remote_server.app).stats()
    assert remote_stats == app.extensions["tskg.engine"].stats()
    r = requests.get(remote_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=60)
    assert r.status_code == 200 and "sparql-service-description" in r.text


def test_remote_mode_keeps_the_safety_checks(remote_server):
    from test_safety import Listener

    listener = Listener()
    try:
        for params in ({"query": f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"},
                       {"query": f"SELECT * FROM <{listener.url}x> WHERE {{ ?s ?p ?o }}"},
                       {"query": "ASK { ?s ?p ?o }", "default-graph-uri": listener.url + "x"},
                       {"update": f"LOAD <{listener.url}x>"}):
            r = requests.post(remote_server.url + "/sparql", data=params, timeout=60)
            assert r.status_code == 403, r.text
        r = requests.get(remote_server.url + "/sparql", params={"query": "SELECT * {"}, timeout=60)
        assert r.status_code == 400 and "line 1, column" in r.text
        time.sleep(0.3)
        assert listener.connections == []
    finally:
        listener.close()


def test_remote_store_down_is_502():
    from server.store import QueryError, remote_engine

    engine = remote_engine(f"http://127.0.0.1:{free_port()}/query", timeout=5)
    with pytest.raises(QueryError) as err:
        engine.run("ASK {}", "application/sparql-results+json")
    assert err.value.status == 502 and "could not be reached" in err.value.message


def test_remote_timeout_answers_503(remote_server):
    """Last in this module: Oxigraph goes on computing the abandoned query until it is stopped below."""
    started = time.monotonic()
    r = requests.get(remote_server.url + "/sparql", timeout=60, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "timeout": "1"})
    assert r.status_code == 503 and "time limit" in r.text
    assert time.monotonic() - started < 2.5


def test_oxigraph_cli_present():
    assert shutil.which(str(OXIGRAPH)), "the oxigraph CLI comes with the test extra"
