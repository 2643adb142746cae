"""The pages in a real browser: Debian's Chromium driven by Playwright against the live server.

Each step takes a screenshot into a temporary directory (kept at $TSKG_SCREENSHOTS when set), for a
person to look at; the assertions check what a reader sees. Expected rows come from the build's store,
queried directly with pyoxigraph, not from the endpoint under test."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from server.namespaces import DATA, GRAPH_ONTOLOGY, ONTOLOGY

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PERSON = "aleksandar-vucic"

OFFICES_OF_VUCIC = f"""PREFIX tsk: <{ONTOLOGY}>
PREFIX tskr: <{DATA}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?tenure ?office ?label WHERE {{
  ?tenure tsk:holder tskr:{PERSON} ;
          tsk:office ?office .
  ?office rdfs:label ?label .
}} ORDER BY ?label"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (make system-deps) for the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    chosen = os.environ.get("TSKG_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture()
def page(browser, live_server):
    """A fresh page that records every request, so tests can check nothing leaves the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested = []
    page.on("request", lambda req: page.requested.append(req.url))
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.set_default_timeout(20_000)
    yield page
    context.close()
    here = urlsplit(live_server.url).netloc
    foreign = [u for u in page.requested if urlsplit(u).netloc != here and not u.startswith(("data:", "about:"))]
    assert not foreign, f"the page fetched from elsewhere: {foreign}"
    assert not page.errors, f"script errors: {page.errors}"


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


def test_home_to_a_resource_page(page, live_server, shots):
    page.goto(live_server.url + "/")
    assert "knowledge graph" in page.locator("h1").inner_text()
    assert page.locator("#graphs tbody tr").count() == 3
    page.screenshot(path=str(shots / "home.png"), full_page=True)

    page.locator('a[href="/browse/Person"]').click()
    page.wait_for_url("**/browse/Person")
    page.screenshot(path=str(shots / "browse-person.png"), full_page=True)

    page.locator(f'a[href="/page/{PERSON}"]').first.click()
    page.wait_for_url(f"**/page/{PERSON}")
    assert page.locator("h1").inner_text() == "Aleksandar Vucic"
    assert page.locator("#quotes figure.quote").count() > 0
    assert page.locator("#inferred").is_visible()
    page.screenshot(path=str(shots / "person.png"), full_page=True)


def test_thing_iri_opens_the_page(page, live_server):
    response = page.goto(f"{live_server.url}/id/{PERSON}")
    assert response.ok and response.url.endswith(f"/page/{PERSON}")
    assert response.request.redirected_from is not None  # the 303 from the thing to its page


def test_query_page_runs_a_query(page, live_server, store, shots):
    expected = [
        (r["office"].value, r["label"].value)
        for r in store.query(OFFICES_OF_VUCIC, use_default_graph_as_union=True)
    ]
    assert expected, "the graph should say which office Vucic holds"

    page.goto(live_server.url + "/query")
    page.screenshot(path=str(shots / "query-empty.png"), full_page=True)
    page.fill("#query", OFFICES_OF_VUCIC)
    page.click("#run")
    table = page.locator("#results-table")
    table.wait_for()
    assert [h.strip() for h in table.locator("thead th").all_inner_texts()] == ["?tenure", "?office", "?label"]
    rows = table.locator("tbody tr")
    assert rows.count() == len(expected)
    for i, (office, label) in enumerate(expected):
        cells = rows.nth(i).locator("td")
        assert cells.nth(2).inner_text().strip().startswith(label)
        link = cells.nth(1).locator("a")
        assert link.get_attribute("href") == "/page/" + office[len(DATA):]
    assert "row" in page.locator("#status").inner_text()
    page.screenshot(path=str(shots / "query-results.png"), full_page=True)

    # The office link leads to its page.
    rows.nth(0).locator("td").nth(1).locator("a").click()
    page.wait_for_url("**/page/" + expected[0][0][len(DATA):])
    assert page.locator("h1").inner_text() == expected[0][1]


def test_query_page_shows_errors(page, live_server, shots):
    page.goto(live_server.url + "/query")
    page.fill("#query", "SELECT ?x WHERE { ?x ?y }")
    page.click("#run")
    error = page.locator("#error")
    error.wait_for(state="visible")
    assert "400" in error.inner_text()
    assert page.locator("#results-table").count() == 0
    page.screenshot(path=str(shots / "query-error.png"), full_page=True)


def test_query_page_shows_other_formats_as_text(page, live_server):
    page.goto(live_server.url + "/query")
    page.fill("#query", f"CONSTRUCT {{ <{DATA}{PERSON}> ?p ?o }} WHERE {{ <{DATA}{PERSON}> ?p ?o }}")
    page.select_option("#format", "text/turtle")
    page.click("#run")
    raw = page.locator("#raw-result")
    raw.wait_for()
    assert f"{PERSON}" in raw.inner_text()


def test_ontology_page_shows_the_diagram(page, live_server, store, shots):
    classes = {
        q.subject.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://www.w3.org/2002/07/owl#Class"), ox.NamedNode(GRAPH_ONTOLOGY),
        )
        if q.subject.value.startswith(ONTOLOGY)
    }
    page.set_viewport_size({"width": 1920, "height": 1200})  # room for the diagram at its natural size
    page.goto(live_server.url + "/ontology")
    diagram = page.locator(".diagram svg")
    diagram.wait_for()
    assert diagram.is_visible()
    box = diagram.bounding_box()
    assert box["width"] > 600 and box["height"] > 300
    drawn = set(diagram.locator("g.cls").evaluate_all("els => els.map(e => e.dataset.iri)"))
    assert drawn == classes
    page.screenshot(path=str(shots / "ontology.png"))
    diagram.screenshot(path=str(shots / "ontology-diagram.png"))

    # A box links to its class entry.
    page.locator(".diagram svg a").first.click()
    assert "/ontology#" in page.url


def test_query_results_never_link_other_schemes(page, live_server):
    """An IRI such as javascript:… in a result is shown as text, not made a link."""
    page.goto(live_server.url + "/query")
    page.fill("#query", 'SELECT ?x ?y WHERE { BIND(IRI("javascript:alert(1)") AS ?x) BIND(IRI("https://example.org/a") AS ?y) }')
    page.click("#run")
    row = page.locator("#results-table tbody tr")
    row.wait_for()
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == "javascript:alert(1)"
    assert cells.nth(0).locator("a").count() == 0
    assert cells.nth(1).locator("a").get_attribute("href") == "https://example.org/a"
