"""A SELECT saved query's rows in pages: `limit` and `offset` on /queries/NAME (Link headers to the next and
previous pages, an HTML page with links), `--limit`/`--offset` in `tskg query`, grlc's `#+ pagination: N`
for a query's own page size. A page is always a slice of the whole answer, in its order: checked against
the whole answer the engine gives for the unpaged text, on the curated graph."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import requests

from helpers import tskg
from saved_query_support import QUERIES
from server.namespaces import PREFIXES
from server.store.inspect import inspect_query, page_solutions
from server.store.saved_queries import MAX_PAGE, PAGE_SIZE, ParameterError, SavedQueryError, parse_query

ORDERED = """SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label ?s"""


def keys(rows: list[dict]) -> list[tuple]:
    return [tuple(sorted((k, v.value) for k, v in row.items())) for row in rows]


@pytest.fixture(scope="module")
def engine(app):
    return app.extensions["tskg.engine"]


@pytest.mark.parametrize("text", [
    ORDERED,
    ORDERED + " LIMIT 40",
    ORDERED + " OFFSET 7",
    ORDERED + " LIMIT 30 OFFSET 12",
    ORDERED + " OFFSET 12 LIMIT 30",
    # A subquery keeps its own LIMIT; only the top level is paged.
    "SELECT ?s ?label WHERE { { SELECT ?s WHERE { ?s a tsk:Person } ORDER BY ?s LIMIT 4 } ?s rdfs:label ?label } "
    "ORDER BY ?label ?s",
    # A trailing VALUES block stays last.
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?label ?s VALUES ?s { tskr:turkey tskr:serbia tskr:kosovo }",
])
def test_a_page_is_the_slice_of_the_whole_answer(engine, text):
    info = inspect_query(text, None, PREFIXES)
    whole = keys(engine.select(info.text, max_rows=10**6))
    assert whole, "the query must have rows for the test to mean something"
    for limit, offset in [(1, 0), (5, 0), (5, 3), (10, 25), (25, len(whole) - 2), (7, len(whole)), (100, 0)]:
        paged = page_solutions(info, info.text, limit, offset)
        assert keys(engine.select(paged, max_rows=10**6)) == whole[offset:offset + limit], (limit, offset, paged)


def test_what_is_not_a_select_is_not_paged():
    for text in ("ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"):
        info = inspect_query(text, None, PREFIXES)
        assert page_solutions(info, info.text, 5, 0) is None
    assert QUERIES["entity-graph"].page_size is None and QUERIES["entity-graph"].page(5, 0) == QUERIES["entity-graph"].query


def test_the_default_page_and_grlc_pagination(tmp_path: Path, engine):
    plain = parse_query(ORDERED, tmp_path / "plain.rq", documented=False)
    assert plain.page_size == PAGE_SIZE
    five = parse_query("#+ pagination: 5\n" + ORDERED, tmp_path / "five.rq", documented=False)
    assert five.page_size == 5
    whole = keys(engine.select(ORDERED, max_rows=10**6))
    assert len(whole) > PAGE_SIZE, "the curated graph has more labels than a page"
    assert keys(engine.select(plain.page(), max_rows=10**6)) == whole[:PAGE_SIZE]
    assert keys(engine.select(five.page(), max_rows=10**6)) == whole[:5]
    assert keys(engine.select(five.page(offset=5), max_rows=10**6)) == whole[5:10]
    for bad in (0, MAX_PAGE + 1, -3):
        with pytest.raises(ParameterError, match="limit must be a whole number"):
            five.page(bad, 0)
    with pytest.raises(ParameterError, match="offset must be 0 or more"):
        five.page(5, -1)
    for decorator in ("0", "many", str(MAX_PAGE + 1)):
        with pytest.raises(SavedQueryError, match="pagination"):
            parse_query(f"#+ pagination: {decorator}\n" + ORDERED, tmp_path / "bad.rq", documented=False)


# --- over HTTP ------------------------------------------------------------------------------------------


def csv_rows(response: requests.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    return list(csv.reader(io.StringIO(response.text)))[1:]


def links(response: requests.Response) -> dict[str, str]:
    return {rel: link["url"] for rel, link in response.links.items()}


def test_pages_over_http_walk_the_whole_answer(live_server):
    url = f"{live_server.url}/queries/actors-mentions"
    whole = csv_rows(requests.get(url, params={"limit": MAX_PAGE}, headers={"Accept": "text/csv"}, timeout=30))
    assert 10 < len(whole) <= PAGE_SIZE, "the curated answer fits the default page"
    default = requests.get(url, headers={"Accept": "text/csv"}, timeout=30)
    assert csv_rows(default) == whole and "next" not in links(default), "the default page is the whole answer"

    seen, next_url, pages = [], f"{url}?limit=7", 0
    while next_url and pages < 20:
        response = requests.get(next_url, headers={"Accept": "text/csv"}, timeout=30)
        rows = csv_rows(response)
        assert len(rows) <= 7
        if seen:
            assert "prev" in links(response)
        seen += rows
        next_url = links(response).get("next")
        pages += 1
    assert seen == whole, "following rel=next gives every row once, in order"
    assert pages == -(-len(whole) // 7) + (1 if len(whole) % 7 == 0 else 0)

    back = requests.get(url, params={"limit": 7, "offset": 14}, headers={"Accept": "text/csv"}, timeout=30)
    assert links(back)["prev"].endswith("limit=7&offset=7")


@pytest.mark.parametrize("params, message", [
    ({"limit": "0"}, "limit must be a whole number from 1 to"),
    ({"limit": str(MAX_PAGE + 1)}, "limit must be a whole number from 1 to"),
    ({"limit": "ten"}, "limit must be a whole number, not 'ten'"),
    ({"offset": "-1"}, "offset must be a whole number, not '-1'"),
])
def test_a_bad_page_is_a_400_that_says_why(live_server, params, message):
    response = requests.get(f"{live_server.url}/queries/actors-mentions", params=params,
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 400 and message in response.text


def test_a_graph_query_has_no_pages(live_server):
    response = requests.get(f"{live_server.url}/queries/entity-graph", params={"limit": 3},
                            headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 400 and "CONSTRUCT" in response.text


def test_the_html_page_says_which_rows_and_links_on(live_server):
    response = requests.get(f"{live_server.url}/queries/actors-mentions",
                            params={"limit": 5, "offset": 5, "format": "html"}, timeout=30)
    assert response.status_code == 200
    assert "Rows 6–10" in response.text
    assert 'rel="next" href="/queries/actors-mentions?format=html&amp;limit=5&amp;offset=10"' in response.text
    assert 'rel="prev" href="/queries/actors-mentions?format=html&amp;limit=5&amp;offset=0"' in response.text
    assert "limit=5&amp;offset=5&amp;format=csv" in response.text, "the other formats give the same page"


def test_openapi_documents_the_page_parameters(live_server):
    document = requests.get(f"{live_server.url}/openapi.json", timeout=30).json()
    names = {p["name"]: p for p in document["paths"]["/queries/actors-mentions"]["get"]["parameters"]}
    assert names["limit"]["schema"]["default"] == PAGE_SIZE and names["limit"]["schema"]["maximum"] == MAX_PAGE
    assert names["offset"]["schema"]["minimum"] == 0
    graph = {p["name"] for p in document["paths"]["/queries/entity-graph"]["get"]["parameters"]}
    assert "limit" not in graph


# --- tskg query -------------------------------------------------------------------------------------------


def test_tskg_query_pages_with_limit_and_offset():
    whole = tskg("query", "--saved", "actors-mentions", "--format", "csv")
    assert whole.returncode == 0, whole.stderr
    rows = whole.stdout.splitlines()
    page = tskg("query", "--saved", "actors-mentions", "--format", "csv", "--limit", "4", "--offset", "3")
    assert page.returncode == 0, page.stderr
    assert page.stdout.splitlines() == [rows[0]] + rows[1 + 3:1 + 3 + 4]
    refused = tskg("query", "--saved", "entity-graph", "--limit", "3")
    assert refused.returncode == 2 and "page the rows of a SELECT" in refused.stderr
