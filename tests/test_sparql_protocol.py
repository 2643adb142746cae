"""/sparql over the real data, on a real HTTP server: SPARQLWrapper in every format, and plain HTTP
requests (as curl sends them) for every status code the endpoint answers with.

Expected answers come from the Turtle sources themselves, parsed here with rdflib, not from the engine."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib
import requests
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from helpers import REPO_ROOT, serve_app
from server.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED, GRAPH_INFERRED, GRAPH_ONTOLOGY

RDFS_LABEL = rdflib.RDFS.label
LABELS = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s rdfs:label ?label FILTER(isIRI(?s)) }} }}"""
LABEL_GRAPH = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?s rdfs:label ?label }} WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s rdfs:label ?label FILTER(isIRI(?s)) }} }}"""


@pytest.fixture(scope="module")
def source(project) -> rdflib.Graph:
    """The asserted data as written in graph/*.ttl."""
    from server.build import parse_sources

    return parse_sources(project).data


@pytest.fixture(scope="module")
def expected_labels(source) -> set[tuple[str, str, str | None]]:
    labels = {(str(s), str(o), o.language) for s, o in source.subject_objects(RDFS_LABEL) if isinstance(s, rdflib.URIRef)}
    assert len(labels) > 10, "the graph should label its resources"
    return labels


def wrapper(server, query, fmt) -> SPARQLWrapper:
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw


# --- SPARQLWrapper, every format --------------------------------------------------------------------


def test_select_json(live_server, expected_labels):
    result = wrapper(live_server, LABELS, JSON).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    rows = result.convert()["results"]["bindings"]
    got = {(r["s"]["value"], r["label"]["value"], r["label"].get("xml:lang")) for r in rows}
    assert got == expected_labels


def test_select_xml(live_server, expected_labels):
    result = wrapper(live_server, LABELS, XML).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+xml")
    doc = result.convert()  # a DOM document
    got = set()
    for r in doc.getElementsByTagName("result"):
        values = {}
        for b in r.getElementsByTagName("binding"):
            node = b.firstChild if b.firstChild.nodeType == b.ELEMENT_NODE else b.getElementsByTagName("*")[0]
            values[b.getAttribute("name")] = (node.firstChild.data if node.firstChild else "",
                                              node.getAttribute("xml:lang") or None)
        got.add((values["s"][0], values["label"][0], values["label"][1]))
    assert got == expected_labels


def test_select_csv(live_server, expected_labels):
    result = wrapper(live_server, LABELS, CSV).query()
    assert result.response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(result.convert().decode("utf-8"))))
    # CSV carries no language tags
    assert {(r["s"], r["label"]) for r in rows} == {(s, label) for s, label, _ in expected_labels}


def test_select_tsv(live_server, expected_labels):
    result = wrapper(live_server, LABELS, TSV).query()
    assert result.response.headers["Content-Type"].startswith("text/tab-separated-values")
    parsed = ox.parse_query_results(result.convert(), format=ox.QueryResultsFormat.TSV)
    got = {(row["s"].value, row["label"].value, row["label"].language) for row in parsed}
    assert got == expected_labels


@pytest.mark.parametrize(
    "fmt,media,rdflib_format",
    [(TURTLE, "text/turtle", "turtle"), (N3, "text/turtle", "turtle"),
     (JSONLD, "application/ld+json", "json-ld"), (RDFXML, "application/rdf+xml", "xml")],
    ids=["turtle", "n3-asks-turtle", "jsonld", "rdfxml"],
)
def test_construct_formats(live_server, expected_labels, fmt, media, rdflib_format):
    result = wrapper(live_server, LABEL_GRAPH, fmt).query()
    assert result.response.headers["Content-Type"].startswith(media)
    body = result.response.read()
    g = rdflib.Graph().parse(data=body, format=rdflib_format)
    got = {(str(s), str(o), o.language) for s, o in g.subject_objects(RDFS_LABEL)}
    assert got == expected_labels


def test_construct_ntriples_by_accept(live_server, expected_labels):
    response = requests.post(live_server.url + "/sparql", data={"query": LABEL_GRAPH},
                             headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/n-triples"
    g = rdflib.Graph().parse(data=response.text, format="nt")
    assert {(str(s), str(o), o.language) for s, o in g.subject_objects(RDFS_LABEL)} == expected_labels


@pytest.mark.parametrize("name,media", [("nquads", "application/n-quads"), ("trig", "application/trig")])
def test_construct_dataset_formats_by_format_parameter(live_server, expected_labels, name, media):
    response = requests.get(live_server.url + "/sparql", params={"query": LABEL_GRAPH, "format": name}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(media)
    quads = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media)))
    assert {(q.subject.value, q.object.value, q.object.language) for q in quads} == expected_labels


def test_ask(live_server, expected_labels):
    s, label, lang = sorted(expected_labels)[0]
    literal = ox.Literal(label, language=lang) if lang else ox.Literal(label)
    query = f"ASK {{ {ox.NamedNode(s)} <{RDFS_LABEL}> {literal} }}"
    assert wrapper(live_server, query, JSON).query().convert()["boolean"] is True
    negative = wrapper(live_server, query.replace(str(ox.NamedNode(s)), "<urn:x:nothing>"), XML).query().convert()
    booleans = negative.getElementsByTagName("boolean")
    assert [b.firstChild.data for b in booleans] == ["false"]


def test_default_graph_is_the_union_of_the_named_graphs(live_server, app):
    """Each named graph counted alone, and the default graph holds every triple of each."""
    stats = app.extensions["tskg.engine"].stats()
    assert set(stats) == {GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_DERIVED}
    for graph, figures in stats.items():
        q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
             f"FILTER EXISTS {{ ?s ?p ?o }} }}")  # the FILTER looks in the default graph
        n = int(wrapper(live_server, q, JSON).query().convert()["results"]["bindings"][0]["n"]["value"])
        assert n == figures["triples"] > 0


def test_inferred_triples_are_queryable(live_server, source):
    """The OWL RL closure is in the store: some rdf:type triple holds that the sources do not state."""
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s a ?c }} }}"
    n = int(wrapper(live_server, q, JSON).query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n > 0


# --- plain HTTP requests: each status code --------------------------------------------------------


def get(server, **params):
    headers = params.pop("headers", {})
    return requests.get(server.url + "/sparql", params=params, headers=headers, timeout=30)


def test_200_get_post_form_and_post_direct_agree(live_server):
    q = LABELS
    a = get(live_server, query=q)
    b = requests.post(live_server.url + "/sparql", data={"query": q}, timeout=30)
    c = requests.post(live_server.url + "/sparql", data=q.encode(), timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert a.status_code == b.status_code == c.status_code == 200

    def rows(r):
        return sorted(json.dumps(x, sort_keys=True) for x in r.json()["results"]["bindings"])

    assert rows(a) == rows(b) == rows(c)
    assert a.headers["X-TSKG-Truncated"] == "false"


def test_accept_q_values_choose_the_format(live_server):
    r = get(live_server, query=LABELS,
            headers={"Accept": "application/sparql-results+json;q=0.5, text/tab-separated-values;q=0.9, */*;q=0.1"})
    assert r.headers["Content-Type"].startswith("text/tab-separated-values")
    r = get(live_server, query=LABEL_GRAPH, headers={"Accept": "text/turtle;q=0.2, application/rdf+xml"})
    assert r.headers["Content-Type"].startswith("application/rdf+xml")
    assert r.headers["Vary"] == "Accept"


def test_format_parameter_wins_over_accept(live_server):
    r = get(live_server, query=LABELS, format="csv", headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")


def test_400_syntax_error_names_line_and_column(live_server):
    r = get(live_server, query="SELECT ?s WHERE {\n  ?s ?p \n}")
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert re.search(r"line 3, column \d+", r.text), r.text
    assert len(r.text.splitlines()) == 1


@pytest.mark.parametrize("params,needle", [
    ({"query": "ASK {}", "timeout": "soon"}, "timeout"),
    ({"query": "ASK {}", "timeout": "-1"}, "timeout"),
    ({"query": "ASK {}", "format": "turtle"}, "format=turtle"),
    ({"query": ["ASK {}", "ASK {}"]}, "exactly one"),
    ({"query": "   "}, "empty"),
])
def test_400_bad_parameters(live_server, params, needle):
    r = get(live_server, **params)
    assert r.status_code == 400 and needle in r.text


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"update": "DROP ALL"}},
    {"method": "POST", "data": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "GET", "params": {"query": "DELETE WHERE { ?s ?p ?o }"}},
], ids=["get-update", "form-update", "direct-update", "update-as-query"])
def test_403_updates_say_how_data_changes(live_server, request_kwargs):
    method = request_kwargs.pop("method")
    r = requests.request(method, live_server.url + "/sparql", timeout=30, **request_kwargs)
    assert r.status_code == 403
    assert "read-only" in r.text and "graph/" in r.text and "pull request" in r.text
    # and nothing changed
    assert get(live_server, query="ASK { ?s ?p ?o }").json()["boolean"] is True


def test_403_graph_not_in_store_lists_the_graphs(live_server):
    r = get(live_server, query="SELECT * FROM <urn:x:elsewhere> { ?s ?p ?o }")
    assert r.status_code == 403
    for g in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED):
        assert g in r.text


def test_405_wrong_method_with_allow(live_server):
    for method in ("PUT", "DELETE", "PATCH"):
        r = requests.request(method, live_server.url + "/sparql", data="ASK {}", timeout=30)
        assert r.status_code == 405
        allowed = {m.strip() for m in r.headers["Allow"].split(",")}
        assert {"GET", "POST"} <= allowed and method not in allowed
        assert method in r.text


def test_406_names_what_is_offered(live_server):
    r = get(live_server, query=LABELS, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text and "text/csv" in r.text
    r = get(live_server, query=LABEL_GRAPH, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.text


# The limits as the README documents them (section "Serving and querying"), not as the code sets them.
MIB = 1 << 20
DOCUMENTED_BODY_LIMIT, DOCUMENTED_QUERY_LIMIT, DOCUMENTED_TIMEOUT = MIB, 100_000, 10


def test_the_readme_documents_these_limits():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "Bodies over 1 MiB: 413; queries over 100 000 characters: 413" in readme
    assert "(default 10 s)" in readme


def test_413_body_and_query_length(live_server):
    at_limit = b"#" * (DOCUMENTED_BODY_LIMIT - len(b"\nASK {}")) + b"\nASK {}"
    r = requests.post(live_server.url + "/sparql", data=at_limit, timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413, "a 1 MiB body passes the body limit, but not the query length limit"
    assert "characters long; the limit is 100000" in r.text
    over = b"#" * DOCUMENTED_BODY_LIMIT + b"\nASK {}"
    r = requests.post(live_server.url + "/sparql", data=over, timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "bytes accepted" in r.text
    longest = "#" * (DOCUMENTED_QUERY_LIMIT - len("\nASK {}")) + "\nASK {}"
    assert requests.post(live_server.url + "/sparql", data={"query": longest}, timeout=30).status_code == 200
    r = requests.post(live_server.url + "/sparql", data={"query": "#" + longest}, timeout=30)
    assert r.status_code == 413 and "limit" in r.text


def test_415_wrong_content_type(live_server):
    for headers in ({"Content-Type": "text/plain"}, {"Content-Type": "application/json"}, {}):
        r = requests.post(live_server.url + "/sparql", data=b"ASK {}", headers=headers, timeout=30)
        assert r.status_code == 415, headers
        assert "application/sparql-query" in r.text
    r = requests.post(live_server.url + "/sparql", data="ASK {}".encode("utf-16"), timeout=30,
                      headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert r.status_code == 415 and "UTF-8" in r.text


def test_503_timeout_from_the_timeout_parameter(live_server):
    started = time.monotonic()
    r = get(live_server, query="SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout="1")
    elapsed = time.monotonic() - started
    assert r.status_code == 503 and "1 s time limit" in r.text
    assert elapsed < 3


def test_timeout_parameter_cannot_raise_the_limit(live_server, app):
    from server.web.http import requested_timeout

    with app.test_request_context("/sparql?timeout=3600"):
        assert requested_timeout() == DOCUMENTED_TIMEOUT
    with app.test_request_context("/sparql?timeout=0.5"):
        assert requested_timeout() == 0.5


# --- CORS ----------------------------------------------------------------------------------------


def test_cors_simple_and_preflight(live_server):
    r = get(live_server, query="ASK {}", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "X-TSKG-Truncated" in r.headers["Access-Control-Expose-Headers"]
    r = requests.options(live_server.url + "/sparql", timeout=30, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in r.headers


# --- row cap ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def capped_server(app):
    """The same build, served with a cap of 5 rows."""
    server = serve_app(MAX_ROWS=5, QUERY_WORKERS=1, TSKG_BUILD=app.extensions["tskg.build"])
    yield server
    server.stop()
    server.app.extensions["tskg.engine"].close()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_row_cap_signalled_in_headers_with_a_standard_body(capped_server, fmt):
    r = get(capped_server, query=LABELS, format=fmt)
    assert r.status_code == 200
    assert r.headers["X-TSKG-Truncated"] == "true"
    assert r.headers["X-TSKG-Row-Limit"] == "5" and r.headers["X-TSKG-Rows"] == "5"
    if fmt == "csv":  # pyoxigraph does not read CSV results (lossy); the csv module does
        rows = list(csv.DictReader(io.StringIO(r.text)))
    else:
        rows = list(ox.parse_query_results(r.content, format=ox.QueryResultsFormat.from_media_type(
            r.headers["Content-Type"].split(";")[0])))
    assert len(rows) == 5


def test_row_cap_on_graphs_and_not_when_under(capped_server):
    r = get(capped_server, query=LABEL_GRAPH, format="ntriples")
    assert r.headers["X-TSKG-Truncated"] == "true"
    assert len(r.text.strip().splitlines()) == 5
    r = get(capped_server, query=f"SELECT * {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s ?p ?o }} }} LIMIT 5")
    assert r.headers["X-TSKG-Truncated"] == "false" and r.headers["X-TSKG-Rows"] == "5"


# --- service description -----------------------------------------------------------------------------


SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/rdf+xml", "xml"), ("*/*", "turtle")])
def test_service_description(live_server, app, accept, fmt):
    r = requests.get(live_server.url + "/sparql", headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format=fmt)
    endpoint = rdflib.URIRef(live_server.url + "/sparql")
    assert (endpoint, SD.endpoint, endpoint) in g
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in g
    assert (endpoint, SD.defaultEntailmentRegime, rdflib.URIRef("http://www.w3.org/ns/entailment/OWL-RDF-Based")) in g
    assert (endpoint, SD.defaultSupportedEntailmentProfile, rdflib.URIRef("http://www.w3.org/ns/owl-profile/RL")) in g
    assert (endpoint, SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) in g
    stats = app.extensions["tskg.engine"].stats()
    described = {}
    for named in g.objects(None, SD.namedGraph):
        graph = g.value(named, SD.graph)
        described[str(g.value(named, SD.name))] = {
            "triples": int(g.value(graph, VOID.triples)), "subjects": int(g.value(graph, VOID.distinctSubjects)),
            "properties": int(g.value(graph, VOID.properties)), "classes": int(g.value(graph, VOID.classes))}
    assert described == stats


def test_service_description_figures_match_the_sources(app, source):
    stats = app.extensions["tskg.engine"].stats()
    asserted = stats[GRAPH_ASSERTED]
    assert asserted["triples"] == len(source)
    assert asserted["subjects"] == len(set(source.subjects()))
    assert asserted["properties"] == len(set(source.predicates()))
    assert asserted["classes"] == len(set(source.objects(None, rdflib.RDF.type)))


def test_service_description_lists_saved_queries(live_server, project):
    from server.store.saved_queries import load_folder

    saved = load_folder(project.queries_dir) if project.queries_dir.is_dir() else {}
    if not saved:
        pytest.skip("queries/ has no saved queries yet")
    g = rdflib.Graph().parse(data=get(live_server).text, format="turtle")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    listed = {str(s).rsplit("/", 1)[-1] for s in g.subjects(rdflib.RDF.type, SH.SPARQLExecutable)}
    assert listed == set(saved)


def test_browsers_get_the_query_page(live_server, app):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = requests.get(live_server.url + "/sparql", headers={"Accept": accept}, timeout=30, allow_redirects=False)
    has_query_page = any(rule.rule == "/query" for rule in app.url_map.iter_rules())
    if has_query_page:
        assert r.status_code == 303 and r.headers["Location"].endswith("/query")
    else:
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")


# --- Flask's test client, for the same contract without a socket ----------------------------------------


def test_flask_test_client(client):
    r = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.get_json()["boolean"] is True
    r = client.post("/sparql", data="ASK {", content_type="application/sparql-query")
    assert r.status_code == 400 and b"line 1, column 6" in r.data


def test_concurrent_requests(live_server, expected_labels):
    """Several clients at once all get complete, correct answers from the worker pool."""
    results, errors = [], []

    def one():
        try:
            rows = get(live_server, query=LABELS).json()["results"]["bindings"]
            results.append({(r["s"]["value"], r["label"]["value"], r["label"].get("xml:lang")) for r in rows})
        except Exception as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(results) == 8 and all(r == expected_labels for r in results)
