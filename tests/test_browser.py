"""The pages in a real browser: Debian's Chromium driven by Playwright against the live server.

The query editor has its own module, test_browser_editor.py; the fixtures are in browser_support.py.
Each step takes a screenshot into a temporary directory (kept at $TSKG_SCREENSHOTS when set), for a
person to look at; the assertions check what a reader sees. Expected rows come from the build's store,
queried directly with pyoxigraph, not from the endpoint under test."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from browser_support import browser, page, pages, shots  # noqa: F401  (pytest fixtures)
from server.namespaces import GRAPH_ONTOLOGY, ONTOLOGY

PERSON = "aleksandar-vucic"


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


def test_home_to_a_resource_page(page, live_server, shots):
    page.goto(live_server.url + "/")
    assert "knowledge graph" in page.locator("h1").inner_text()
    assert page.locator("#graphs tbody tr").count() == 4  # ontology, asserted, inferred, derived
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


EVERY_KIND_OF_PAGE = ["/", "/browse/Person", "/ontology", "/downloads/", "/queries", "/queries/actor-offices?format=html",
                      "/query", "/page/serbia", "/page/aleksandar-vucic", "/page/concept/event-type-accuse",
                      "/search?q=vucic", "/network", "/timeline", "/relations?a=turkey&b=serbia", "/page/nobody"]


@pytest.mark.parametrize("path", EVERY_KIND_OF_PAGE)
def test_every_kind_of_page_fits_a_phone_and_passes_axe(pages, live_server, shots, path):
    """At 390 px nothing scrolls sideways (the home page, the ontology, the downloads and the list of saved
    queries did), and axe-core finds no serious or critical violation; nothing is fetched from elsewhere
    (the pages fixture fails on that)."""
    from browser_support import NARROW, axe_violations, horizontal_overflow

    page = pages(NARROW, 844)
    page.goto(live_server.url + path, wait_until="load")
    page.wait_for_timeout(300)  # scripts that draw after load
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-").replace("&", "-") or "home"
    page.screenshot(path=str(shots / f"narrow-{name}.png"), full_page=True)
    assert horizontal_overflow(page) <= 0, f"{path} scrolls sideways at {NARROW} px"
    assert axe_violations(page) == [], path
