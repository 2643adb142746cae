"""The query editor (/query) in a real browser: Debian's Chromium driven by Playwright, live server.

What a reader sees is checked against the build's store, queried directly with pyoxigraph (expected rows,
labels, classes), or against the endpoint's own answer, never against the editor's code. Every page is
also checked for requests to other hosts and for script errors (browser_support.pages). Screenshots at
1280 and 390 px are written to the folder printed at the end of the run."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pyoxigraph as ox
import pytest

from browser_support import (  # noqa: F401  (browser, page, pages, shots are pytest fixtures)
    NARROW, axe_violations, browser, horizontal_overflow, page, pages, shots,
)
from server.namespaces import DATA, GRAPH_ONTOLOGY, ONTOLOGY, PREFIXES
from server.store.saved_queries import load_folder

RDFS_LABEL = PREFIXES["rdfs"] + "label"
PERSON = "aleksandar-vucic"
SAVED = "office-holders"  # a saved query whose rows name people, offices and states

OFFICES_OF_VUCIC = f"""PREFIX tsk: <{ONTOLOGY}>
PREFIX tskr: <{DATA}>
SELECT ?tenure ?office WHERE {{
  ?tenure tsk:holder tskr:{PERSON} ;
          tsk:office ?office .
}} ORDER BY ?office"""

ACTIVE_EDITOR = ".tabPanel.active .CodeMirror"


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


@pytest.fixture(scope="module")
def saved(project):
    return load_folder(project.queries_dir)


def english_label(store: ox.Store, iri: str) -> str:
    found = [
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDFS_LABEL), None)
        if (q.object.language or "").startswith("en")
    ]
    assert found, f"{iri} should have an English rdfs:label in the store"
    return found[0]


def open_editor(page, url: str):
    page.goto(url)
    page.locator(ACTIVE_EDITOR).wait_for()


def editor_text(page) -> str:
    return page.evaluate(f"document.querySelector('{ACTIVE_EDITOR}').CodeMirror.getValue()")


def set_editor_text(page, text: str) -> None:
    page.evaluate(f"text => document.querySelector('{ACTIVE_EDITOR}').CodeMirror.setValue(text)", text)


def run_saved_query(page, name: str):
    page.locator("#examples-form").wait_for()
    page.select_option("#example", name)
    page.click("#open-example")
    rows = page.locator("#results-table tbody tr")
    rows.first.wait_for()
    return rows


def test_a_saved_query_runs_and_shows_labels_that_link_to_pages(page, live_server, store, saved, shots):
    query = saved[SAVED].query
    expected = list(store.query(query, use_default_graph_as_union=True))
    holders = {row["holder"].value for row in expected}
    assert holders and all(h.startswith(DATA) for h in holders), "the saved query should name people of the graph"

    open_editor(page, live_server.url + "/query")
    page.locator("#examples-form").wait_for()
    offered = page.locator("#example option").evaluate_all("options => options.map(o => o.value)")
    assert sorted(offered) == sorted(saved), "every saved query is offered as an example"
    with_parameter = next(name for name, q in sorted(saved.items()) if q.parameters)
    page.select_option("#example", with_parameter)
    note = page.locator("#example-description")
    assert f"?{saved[with_parameter].parameters[0].variable}" in note.inner_text()
    assert note.locator("a").get_attribute("href") == f"/queries/{with_parameter}", "it runs with a value there"

    rows = run_saved_query(page, SAVED)
    assert editor_text(page) == query, "the example opens with the saved text"
    assert rows.count() == len(expected)
    table = page.locator("#results-table")
    for holder in holders:
        link = table.locator(f'a[href="/page/{holder[len(DATA):]}"]').first
        assert link.inner_text() == english_label(store, holder), "a person is shown by label, linked to the page"
    shown = table.inner_text()
    assert DATA not in shown, "no raw IRI of a thing is shown"
    assert "@en" not in shown, "English literals are shown without their language tag"
    page.screenshot(path=str(shots / "query-1280.png"), full_page=True)

    # A column sorts by what it shows; the header says how.
    header = table.locator("thead th").filter(has_text="holderLabel")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    column = [h.strip() for h in table.locator("thead th").all_inner_texts()].index("holderLabel")
    texts = [r.locator("td").nth(column).inner_text() for r in table.locator("tbody tr").all()]
    assert texts == sorted(texts, key=str.casefold)

    # A label leads to the thing's page.
    name = sorted(holders)[0][len(DATA):]
    table.locator(f'a[href="/page/{name}"]').first.click()
    page.wait_for_url(f"**/page/{name}")


def test_a_link_reproduces_the_query(page, pages, live_server, store, shots):
    expected = [row["office"].value for row in store.query(OFFICES_OF_VUCIC, use_default_graph_as_union=True)]
    assert expected, "the graph should say which office Vucic holds"

    # /query?query=... opens with that query and runs it.
    open_editor(page, live_server.url + "/query?" + urlencode({"query": OFFICES_OF_VUCIC}))
    assert editor_text(page) == OFFICES_OF_VUCIC
    rows = page.locator("#results-table tbody tr")
    rows.first.wait_for()
    offices = [a.get_attribute("href") for a in rows.locator("td:nth-child(2) a").all()]
    assert offices == [f"/page/{iri[len(DATA):]}" for iri in expected]

    # Edited, the query is in the address bar and in the link at once.
    edited = OFFICES_OF_VUCIC.replace("ORDER BY ?office", "ORDER BY DESC(?office)")
    set_editor_text(page, edited)
    link = page.locator("#share-link").get_attribute("href")
    assert parse_qs(urlsplit(link).query)["query"] == [edited]
    assert page.url == link

    # A reload shows the same tab with the edited query; it adds none.
    tabs = page.locator(".tabsList .tab")
    assert tabs.count() == 1, "on a first visit the link's query takes the first tab"
    page.reload()
    page.locator(ACTIVE_EDITOR).wait_for()
    assert editor_text(page) == edited and tabs.count() == 1
    # Another link, in the same browser, opens beside it.
    open_editor(page, live_server.url + "/query?" + urlencode({"query": OFFICES_OF_VUCIC}))
    assert editor_text(page) == OFFICES_OF_VUCIC and tabs.count() == 2

    # Opened elsewhere, the link gives the same query and the same rows.
    other = pages()
    open_editor(other, link)
    assert editor_text(other) == edited
    rows = other.locator("#results-table tbody tr")
    rows.first.wait_for()
    offices = [a.get_attribute("href") for a in rows.locator("td:nth-child(2) a").all()]
    assert offices == [f"/page/{iri[len(DATA):]}" for iri in reversed(expected)]


def test_autocompletion_offers_the_ontology_and_writes_prefix_lines(page, live_server, store):
    declared = {
        q.subject.value
        for kind in ("Class", "ObjectProperty", "DatatypeProperty")
        for q in store.quads_for_pattern(
            None, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PREFIXES["owl"] + kind),
            ox.NamedNode(GRAPH_ONTOLOGY),
        )
    }
    classes = sorted("tsk:" + t[len(ONTOLOGY):] for t in declared if t.startswith(ONTOLOGY + "Pers"))
    properties = sorted("tsk:" + t[len(ONTOLOGY):] for t in declared if t.startswith(ONTOLOGY + "hold"))
    assert "tsk:Person" in classes and "tsk:holder" in properties

    open_editor(page, live_server.url + "/query")
    set_editor_text(page, "")
    page.locator(ACTIVE_EDITOR).click()
    hints = page.locator(".CodeMirror-hints li")

    def suggestions(typed: str) -> list[str]:
        page.keyboard.type(typed)
        page.keyboard.press("Control+Space")
        hints.first.wait_for()
        return sorted(t.split(" \u2014 ")[0] for t in hints.all_inner_texts())

    assert suggestions("SELECT * WHERE { ?s a tsk:Pers") == classes
    assert editor_text(page).startswith(f"PREFIX tsk: <{ONTOLOGY}>"), "using tsk: wrote its PREFIX line"
    page.keyboard.press("Escape")
    assert suggestions(" ; tsk:hold") == properties
    page.keyboard.press("Escape")
    # A property the data uses but no ontology of ours declares, under a standard prefix.
    assert "rdfs:label" in suggestions(" ?x ; rdfs:lab")
    page.keyboard.press("Enter")
    text = editor_text(page)
    assert f"PREFIX rdfs: <{PREFIXES['rdfs']}>" in text and "rdfs:label" in text.split("WHERE")[1]


def test_syntax_errors_are_marked_and_the_endpoint_says_why(page, live_server, client):
    broken = "SELECT ?x WHERE {\n  ?x ?y\n}"
    said = client.post("/sparql", data={"query": broken}).get_data(as_text=True).strip()
    assert said, "the endpoint should explain the error"

    open_editor(page, live_server.url + "/query")
    set_editor_text(page, broken)
    page.locator(".tabPanel.active .parseErrorIcon").wait_for()
    marked = page.evaluate(
        f"""() => {{ const cm = document.querySelector('{ACTIVE_EDITOR}').CodeMirror; const out = [];
        for (let l = 0; l < cm.lineCount(); l++) {{
          const info = cm.lineInfo(l); if (info.gutterMarkers && info.gutterMarkers.gutterErrorBar) out.push(l + 1); }}
        return out; }}"""
    )
    assert marked == [3], "the marker is on the line where the query goes wrong"
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    error = page.locator(".tabPanel.active .yasr .errorResult")
    error.wait_for()
    assert said in error.inner_text()


def test_literals_and_other_schemes(page, live_server, store):
    label = english_label(store, DATA + PERSON)
    query = (
        f"SELECT ?label ?alt ?x WHERE {{ <{DATA}{PERSON}> <{RDFS_LABEL}> ?label . "
        f"OPTIONAL {{ <{DATA}{PERSON}> <{PREFIXES['skos']}altLabel> ?alt FILTER(lang(?alt) = 'sr-latn') }} "
        f'BIND(IRI("javascript:alert(1)") AS ?x) }}'
    )
    open_editor(page, live_server.url + "/query?" + urlencode({"query": query}))
    row = page.locator("#results-table tbody tr").first
    row.wait_for()
    cells = row.locator("td")
    assert cells.nth(0).inner_text() == label, "an English literal without '@en'"
    assert cells.nth(1).inner_text().endswith("@sr-latn"), "other languages keep their tag"
    assert cells.nth(2).inner_text() == "javascript:alert(1)" and cells.nth(2).locator("a").count() == 0
    page.check("#show-iris")
    assert page.locator("#results-table tbody tr td").first.inner_text() == f"{label} @en"


def test_every_control_is_reached_by_keyboard(page, live_server):
    open_editor(page, live_server.url + "/query")
    page.locator("#examples-form").wait_for()
    page.focus("#example")
    reached = []
    for _ in range(40):  # bounded: the controls between the example picker and the editor, and one past it
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "() => { const e = document.activeElement; return e.id || e.getAttribute('aria-label') || e.className || e.tagName; }"
        ))
        if len(reached) > 1 and reached[-2] == "SPARQL query":
            break
    assert "open-example" in reached and "share-link" in reached and "SPARQL query" in reached
    assert reached[-1] != "SPARQL query", "Tab leaves the editor (it does not indent)"
    # Ctrl+Enter in the editor runs the query.
    page.locator(ACTIVE_EDITOR).click()
    page.keyboard.press("Control+Enter")
    page.locator("#results-table tbody tr").first.wait_for()


@pytest.mark.parametrize("width", [1280, NARROW])
def test_accessible_and_fits_a_narrow_screen(pages, live_server, shots, width):
    page = pages(width)
    open_editor(page, live_server.url + "/query")
    run_saved_query(page, SAVED)
    assert horizontal_overflow(page) <= 0, f"the page scrolls sideways at {width} px"
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / f"query-results-{width}.png"), full_page=True)

    # The tab's settings menu (request method, result formats, graphs) too, when open.
    page.click(".tabPanel.active .tabContextButton")
    page.locator(".tabPanel.active .tabMenu.open").wait_for()
    page.wait_for_timeout(600)  # its opening transition
    assert horizontal_overflow(page) <= 0, f"the open settings scroll sideways at {width} px"
    assert axe_violations(page) == []


def test_a_cut_result_says_so(page, live_server, app):
    limit = app.config["MAX_ROWS"]
    side = int(limit ** 0.5) + 1  # side * side rows: just over the limit
    values = " ".join(str(i) for i in range(side))
    query = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    open_editor(page, live_server.url + "/query?" + urlencode({"query": query}))
    notice = page.locator("#truncated")
    notice.wait_for()
    assert f"limit of {limit} rows" in notice.inner_text()
    assert page.locator("#results-summary").inner_text() == f"{limit} rows"
    page.click("#show-all-rows")
    assert page.locator("#results-table tbody tr").count() == limit
