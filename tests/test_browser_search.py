"""Search, resource pages and saved-query pickers in a real browser (Debian's Chromium, Playwright), and the
editor's hints: what a reader sees, checked against the build's store or the Turtle sources. Every page
is checked for requests to other hosts and script errors (browser_support.pages); screenshots at 1280 and
390 px go to the folder printed at the end of the run."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from browser_support import (  # noqa: F401  (browser, page, pages, shots are pytest fixtures)
    NARROW, axe_violations, browser, horizontal_overflow, page, pages, shots,
)
from server.namespaces import DATA, ONTOLOGY
from server.store.saved_queries import load_folder

VUCIC = "/page/aleksandar-vucic"
EVERY_KIND_OF_PAGE = ["/", "/ontology.html", "/queries?format=html", "/queries/actor-offices?format=html",
                      "/page/serbia", "/query", "/search?q=kosovo", "/downloads/", VUCIC]
FIRST_SCREEN = 900  # px


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


@pytest.fixture(scope="module")
def source_sentences(shared_dir) -> str:
    return (shared_dir / "sources" / "turkey-drone-sales-to-kosovo.txt").read_text(encoding="utf-8")


def label(store, iri: str) -> str:
    return next(q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None))


# --- search ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_KIND_OF_PAGE)
def test_the_search_box_on_every_page_finds_vucic(page, live_server, store, path):
    page.goto(live_server.url + path)
    box = page.get_by_role("combobox", name="Search the graph by name")
    box.fill("vucic")
    option = page.get_by_role("option").first
    option.wait_for()
    assert option.inner_text().startswith(label(store, DATA + "aleksandar-vucic"))
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")
    page.wait_for_url("**" + VUCIC)
    assert page.locator("h1").inner_text() == label(store, DATA + "aleksandar-vucic")


def test_search_results_page_by_keyboard(page, live_server, shots):
    page.goto(live_server.url + "/")
    page.locator("#site-search").focus()
    page.keyboard.type("vetëvendosje")
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("Escape")  # the suggestions close; Enter sends the form
    assert page.get_by_role("option").count() == 0 or not page.get_by_role("listbox").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=vet%C3%ABvendosje")
    first = page.locator("ol.search-results li").first
    assert first.locator("a").inner_text() == "Vetevendosje"
    assert "Political party" in first.inner_text() and "Vetëvendosje" in first.inner_text()
    page.screenshot(path=str(shots / "search-1280.png"), full_page=True)


# --- the resource page ---------------------------------------------------------------------------------------


def test_vucic_page_shows_office_and_statements_first_with_their_sentences(page, live_server, store, source_sentences):
    page.goto(live_server.url + VUCIC)
    office = page.locator("#facts-offices li.fact").first
    statement = page.locator("#facts-statements li.fact").first
    stance = page.locator("#facts-stances li.fact").first
    tenure = DATA + "tenure-vucic-president-of-serbia"
    assert office.locator(".what a").first.inner_text() == label(store, tenure)
    for fact in (office, statement, stance):
        box = fact.bounding_box()
        assert box["y"] + box["height"] <= FIRST_SCREEN, "in the first screen"

    # Hover: the sentence, as the article has it, with its number.
    cite = statement.locator(".cite a").first
    tip = statement.locator(".cite .tip").first
    assert not tip.is_visible()
    cite.hover()
    assert tip.is_visible()
    text = tip.inner_text()
    number = int(re.search(r"\d+", cite.inner_text()).group())
    quote = store.query(f"""SELECT ?exact WHERE {{ ?q <{ONTOLOGY}sentenceNumber> {number} ;
        <http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?exact }}""",
                        use_default_graph_as_union=True)
    sentence = max((r["exact"].value for r in quote), key=len)
    assert sentence in text and sentence in source_sentences and f"sentence {number}" in text
    assert cite.get_attribute("href").startswith("/page/quote-s")

    # Keyboard focus shows it too; Escape hides it.
    page.mouse.move(0, 0)
    assert not tip.is_visible()
    cite.focus()
    assert tip.is_visible()
    page.keyboard.press("Escape")
    assert not tip.is_visible()


@pytest.mark.parametrize("width", [1280, NARROW])
@pytest.mark.parametrize("path", [VUCIC, "/page/serbia", "/page/event-drone-delivery-to-kosovo", "/page/quote-s24",
                                  "/page/kosovo", "/search?q=serbia",
                                  "/queries/actor-offices?format=html", "/queries/fact-sources?format=html"])
def test_accessible_and_fits_a_narrow_screen(pages, live_server, shots, path, width):
    page = pages(width)
    page.goto(live_server.url + path)
    assert horizontal_overflow(page) <= 0, f"{path} scrolls sideways at {width} px"
    assert axe_violations(page) == []
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-").replace("&", "-")
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=width == NARROW)
    # With the suggestions open too.
    page.locator("#site-search").fill("kosovo")
    page.get_by_role("option").first.wait_for()
    assert horizontal_overflow(page) <= 0, f"{path}: the suggestions scroll sideways at {width} px"
    assert axe_violations(page) == []


# --- pickers ------------------------------------------------------------------------------------------------------


def test_a_picker_runs_actor_offices_for_thaci(page, live_server, store, project):
    query = load_folder(project.queries_dir)["actor-offices"]
    thaci = DATA + "hashim-thaci"
    expected = {r["office"].value for r in store.query(query.query.replace("?_person_iri", f"<{thaci}>"),
                                                       use_default_graph_as_union=True)}
    assert expected, "the graph should give Thaci offices"
    page.goto(live_server.url + "/queries/actor-offices?format=html")
    picker = page.get_by_label("person")
    page.select_option("#param-person", label=label(store, thaci))
    assert picker.input_value() == "tskr:hashim-thaci"
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**person=tskr%3Ahashim-thaci**")
    shown = {a.get_attribute("href") for a in page.locator("table.results td:first-child a").all()}
    assert shown == {"/page/" + iri[len(DATA):] for iri in expected}


def test_a_long_list_is_searched(page, live_server):
    page.goto(live_server.url + "/queries/entity-graph?format=html")
    box = page.locator("#param-entity")
    box.fill("vucic")
    option = page.locator("#param-entity-suggestions [role=option]").first
    option.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "tskr:aleksandar-vucic"
    assert page.locator("#picked-entity").inner_text().startswith("Aleksandar Vucic")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**entity=tskr%3Aaleksandar-vucic**")
    assert page.locator("table.results tbody tr").count() > 0


def test_a_filter_narrows_a_long_list(page, live_server):
    page.goto(live_server.url + "/queries/fact-sources?format=html")
    page.fill("#filter-fact", "vučić retracts")
    visible = page.locator("#param-fact option:not([hidden])").all_inner_texts()
    assert visible and all("retract" in v.lower() and "vucic" in v.lower() for v in visible)


# --- the editor: an error on line 5 is marked on line 5; tsk: hints -----------------------------------------------

EDITOR = ".tabPanel.active .CodeMirror"


def open_editor_with(page, url: str, text: str):
    page.goto(url + "/query?" + urlencode({"query": text}))
    page.locator(EDITOR).wait_for()


def gutter_marks(page) -> list[int]:
    return page.evaluate(
        f"""() => {{ const cm = document.querySelector('{EDITOR}').CodeMirror; const out = [];
        for (let l = 0; l < cm.lineCount(); l++) {{
          const info = cm.lineInfo(l); if (info.gutterMarkers && info.gutterMarkers.gutterErrorBar) out.push(l + 1); }}
        return out; }}""")


@pytest.mark.parametrize("broken, column", [
    # undeclared project prefixes before the error, which YASQE used to flag instead
    ("SELECT ?name WHERE {\n  ?p a tsk:Person ;\n     rdfs:label ?name .\n  ?t tsk:holder ?p .\n  ?t tsk:office .\n}", 18),
    # an unknown prefix: only the endpoint knows
    ("SELECT ?name WHERE {\n  ?p a tsk:Person ;\n     rdfs:label ?name .\n  ?t tsk:holder ?p .\n  ?t foaf2:office ?o .\n}", 6),
])
def test_an_error_on_line_5_is_marked_on_line_5(page, live_server, client, broken, column):
    said = client.post("/sparql", data={"query": broken}).get_data(as_text=True).strip()
    assert f"line 5, column {column}" in said
    open_editor_with(page, live_server.url, broken)
    error = page.locator(".tabPanel.active .yasr .errorResult")
    error.wait_for()
    assert said in error.inner_text()
    mark = page.locator(f"{EDITOR} .tskg-error-mark").first
    mark.wait_for()
    line = page.locator(f"{EDITOR} .CodeMirror-code > div").nth(4)
    assert line.locator(".tskg-error-mark").count() >= 1, "the endpoint's error is marked on line 5"
    assert page.locator(f"{EDITOR} .CodeMirror-code > div .tskg-error-mark").count() == \
        line.locator(".tskg-error-mark").count()
    assert gutter_marks(page) == [5], "YASQE's own marker is on line 5 too (not on the undeclared tsk: of line 2)"


def test_a_term_not_in_the_ontology_is_hinted(page, live_server):
    open_editor_with(page, live_server.url, "SELECT ?x WHERE {\n  ?x a tsk:Persn .\n}")
    hint = page.locator("#query-hints")
    hint.wait_for()
    assert hint.inner_text().strip() == "tsk:Persn is not in the ontology; did you mean tsk:Person?"
    term = page.locator(f"{EDITOR} .tskg-unknown-term")
    assert term.inner_text() == "tsk:Persn" and "did you mean tsk:Person" in term.get_attribute("title")
    assert gutter_marks(page) == [], "valid SPARQL: no error marker"
    # Mended, the hint goes.
    page.evaluate(f"() => {{ const cm = document.querySelector('{EDITOR}').CodeMirror; "
                  "cm.setValue(cm.getValue().replace('Persn', 'Person')); }")
    hint.wait_for(state="hidden")
