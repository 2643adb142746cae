"""The saved queries over HTTP: /queries, /queries/<name> in every format with negotiation and errors,
parameters that cannot be injected (a listener that must see no connection), and /openapi.json."""

from __future__ import annotations

import csv
import html
import io
import json

import pyoxigraph as ox
import pytest
import requests


from saved_query_support import (
    QUERIES, SPARQL_JSON, TSK, TSKR, bindings, get,
)
from helpers import Listener


# --- /queries --------------------------------------------------------------------------------------------


def test_the_list_in_json(live_server):
    for kwargs in ({"headers": {"Accept": "application/json"}}, {"params": {"format": "json"}}):
        response = requests.get(f"{live_server.url}/queries", timeout=30, **kwargs)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        listing = response.json()
        assert listing["count"] == len(QUERIES)
        assert {q["name"] for q in listing["queries"]} == set(QUERIES)
        for entry in listing["queries"]:
            assert entry["title"] == QUERIES[entry["name"]].title
            assert entry["description"] and entry["tags"]
            assert entry["url"].endswith(f"/queries/{entry['name']}")
    offices = next(q for q in listing["queries"] if q["name"] == "actor-offices")
    assert offices["parameters"] == [{
        "name": "person", "variable": "_person_iri", "required": True, "type": "iri", "datatype": None,
        "lang": None, "default": TSKR + "hashim-thaci", "enum": [],
        "description": QUERIES["actor-offices"].parameter("person").description,
    }]


def test_the_list_in_html(live_server):
    response = requests.get(f"{live_server.url}/queries", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = html.unescape(response.text)
    for query in QUERIES.values():
        assert query.title in page
        assert f'href="/queries/{query.name}"' in page


def test_every_query_answers_with_its_defaults(live_server):
    for name, query in QUERIES.items():
        accept = "application/n-triples" if query.result_kind == "graph" else SPARQL_JSON
        response = get(live_server, name, accept=accept)
        assert response.status_code == 200, f"{name}: {response.text}"
        if query.result_kind == "graph":
            assert list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)), name
        else:
            assert response.json()["results"]["bindings"], f"{name} returned no rows"




# --- formats and negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, media_type, results_format", [
    ("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("csv", "text/csv", None),  # lossy: pyoxigraph does not read it back
    ("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_every_result_format_of_a_select(live_server, fmt, media_type, results_format):
    for response in (get(live_server, "agreements", {"format": fmt}, accept="*/*"),
                     get(live_server, "agreements", accept=media_type)):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type
        assert response.headers["X-TSKG-Truncated"] == "false"
        assert response.headers["X-TSKG-Rows"] == "5"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in response.headers["Vary"]
        if results_format is None:
            table = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
            assert table[0][:2] == ["agreement", "label"] and len(table) == 1 + 5
            assert TSKR + "agreement-turkey-kosovo-military-cooperation" in {r[0] for r in table[1:]}
        else:
            solutions = list(ox.parse_query_results(response.content, format=results_format))
            assert len(solutions) == 5


@pytest.mark.parametrize("fmt, media_type, rdf_format", [
    ("turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("nquads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("trig", "application/trig", ox.RdfFormat.TRIG),
])
def test_every_graph_format_of_a_construct(live_server, fmt, media_type, rdf_format):
    expected = ox.Triple(ox.NamedNode(TSKR + "agreement-turkey-kosovo-military-cooperation"), ox.NamedNode(TSK + "party"),
                         ox.NamedNode(TSKR + "kosovo"))
    for response in (get(live_server, "entity-graph", {"format": fmt}, accept="*/*"),
                     get(live_server, "entity-graph", accept=media_type)):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type
        parsed = list(ox.parse(response.content, format=rdf_format))
        triples = {q.triple if isinstance(q, ox.Quad) else q for q in parsed}
        assert expected in triples


def test_html_page_shows_query_form_and_table(live_server):
    response = get(live_server, "actor-offices", {"person": "tskr:aleksandar-vucic"}, accept="text/html,*/*;q=0.8")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = html.unescape(response.text)
    assert QUERIES["actor-offices"].title in page
    assert '<form method="get"' in page and 'name="person"' in page and 'value="tskr:aleksandar-vucic"' in page
    assert "<table" in page and "President of Serbia" in page
    assert "#+ summary:" in page  # the query text
    assert get(live_server, "actor-offices", {"format": "html"}, accept="*/*").headers["Content-Type"].startswith("text/html")
    enum_page = html.unescape(get(live_server, "events-by-type", accept="text/html").text)
    assert '<select id="param-type" name="type">' in enum_page


def test_negotiation_errors(live_server):
    assert get(live_server, "agreements", accept="image/png").status_code == 406
    response = get(live_server, "agreements", {"format": "turtle"})
    assert response.status_code == 400 and "SELECT" in response.text
    assert get(live_server, "agreements", {"timeout": "soon"}).status_code == 400
    missing = get(live_server, "no-such-query", accept="text/plain")
    assert missing.status_code == 404
    assert "no saved query named 'no-such-query'" in missing.text and "timeline-turkey-serbia" in missing.text


def test_bad_parameters_get_a_clear_400(live_server):
    response = get(live_server, "events-in-year", {"year": "20x"})
    assert response.status_code == 400
    assert response.json()["error"] == "parameter 'year': '20x' is not a valid xsd:gYear (for example 2019)"
    assert response.json()["parameter"] == "year"
    response = get(live_server, "actor-offices", {"persn": "tskr:erdogan"}, accept="text/csv")
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/plain")
    assert "unknown parameter 'persn'" in response.text and "person" in response.text
    response = get(live_server, "actor-offices", {"person": ["tskr:erdogan", "tskr:hashim-thaci"]})
    assert response.status_code == 400 and response.json()["error"] == "parameter 'person' given 2 times; send it once"
    response = get(live_server, "events-by-type", {"type": "tskc:no-such-type"})
    assert response.status_code == 400 and "is not one of" in response.json()["error"]
    page = get(live_server, "actor-offices", {"person": "not an iri"}, accept="text/html")
    assert page.status_code == 400 and "is not an IRI" in html.unescape(page.text) and "<form" in page.text


# --- injection ------------------------------------------------------------------------------------------


@pytest.fixture()
def listener():
    """A local TCP listener that must see no connection: a SERVICE call would knock here."""
    listening = Listener()
    yield listening.url + "sparql"
    assert listening.quiet_for(0.5) == [], "a query parameter made the server connect to a SERVICE"
    listening.close()



def test_injection_into_an_iri_parameter_is_refused(live_server, listener):
    for attempt in ('"} ; DROP ALL ; SELECT * { ?s ?p ?o',
                    f"> }} SERVICE <{listener}> {{ ?s ?p ?o }} }} #",
                    f"{TSKR}x> }} UNION {{ SERVICE <{listener}> {{ ?s ?p ?o }} }} <{TSKR}y"):
        response = get(live_server, "actor-offices", {"person": attempt})
        assert response.status_code == 400, attempt
        assert response.json()["parameter"] == "person"


def test_injection_into_a_text_parameter_is_a_harmless_literal(live_server, listener):
    for attempt in ('"} ; DROP ALL ; SELECT * { ?s ?p ?o',
                    f'") }} SERVICE <{listener}> {{ ?s ?p ?o }} FILTER(1 = 1 || "',
                    f"> }} SERVICE <{listener}> {{ ?s ?p ?o }} }} #"):
        found = bindings(live_server, "label-search", text=attempt)
        assert found == []  # no label contains that text; the text was a literal, nothing else
    echo = bindings(live_server, "label-search", text="Vučić")[0]["_text"]
    assert echo == {"type": "literal", "value": "Vučić"}
    assert get(live_server, "events-in-year", {"year": '2016"^^xsd:gYear) } SERVICE <x> {'}).status_code == 400


# --- OpenAPI ---------------------------------------------------------------------------------------------


def test_openapi_document(live_server):
    response = requests.get(f"{live_server.url}/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    spec = response.json()
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": live_server.url}]
    paths = spec["paths"]
    assert {"/sparql", "/queries"} <= set(paths)
    assert {"get", "post"} <= set(paths["/sparql"])
    for name, query in QUERIES.items():
        operation = paths[f"/queries/{name}"]["get"]
        assert operation["summary"] == query.title and operation["description"] == query.description
        params = {p["name"]: p for p in operation["parameters"]}
        paging = {"limit", "offset"} if query.kind == "select" else set()
        assert set(params) == {p.name for p in query.parameters} | {"format", "timeout"} | paging
        for p in query.parameters:
            assert params[p.name]["in"] == "query"
            assert params[p.name]["required"] == (p.required and p.default is None)
            if p.default is not None:
                assert str(params[p.name]["schema"]["default"]) == p.default
        content = set(operation["responses"]["200"]["content"])
        if query.result_kind == "graph":
            assert {"text/turtle", "application/ld+json", "application/n-triples", "text/html"} <= content
        else:
            assert {SPARQL_JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
                    "text/html"} <= content
        assert {"400", "406"} <= set(operation["responses"])
    assert paths["/queries/events-in-year"]["get"]["parameters"][0]["schema"]["pattern"]
    operation_ids = [op["operationId"] for path in paths.values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_openapi_document_validates(live_server):
    validator = pytest.importorskip("openapi_spec_validator", reason="pip install -e '.[test]' adds it")
    spec = requests.get(f"{live_server.url}/openapi.json", timeout=30).json()
    validator.validate(spec)  # raises with the offending path when invalid
    json.dumps(spec)  # and it is plain JSON

