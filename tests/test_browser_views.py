"""The network, timeline and relations views in a real browser: Debian's Chromium driven by Playwright
against the live server. What a reader sees is checked against the build's store, read directly with
pyoxigraph; every page must fetch nothing from another host, throw no script error (the `pages` fixture
checks both), pass axe-core without a serious or critical violation and fit a 390 px screen. Screenshots
at 1280 and 390 px go to the run's screenshot folder (browser_support.shots)."""

from __future__ import annotations

import pytest

from browser_support import NARROW, axe_violations, browser, horizontal_overflow, pages, shots  # noqa: F401
from server.namespaces import DATA
from test_views import rows as select
from test_views import store  # noqa: F401  (pytest fixture: the build's store)

VIEWS = ("/network", "/timeline", "/relations?a=turkey&b=serbia")


def open_view(page, url: str, ready: str):
    page.goto(url)
    page.wait_for_function(ready, timeout=20_000)


NETWORK_READY = "window.tskgNetwork && document.getElementById('network-status').textContent.includes('shown')"
TIMELINE_READY = "window.tskgTimeline && document.querySelectorAll('#timeline .vis-item').length > 0"


def test_the_network_draws_every_actor_and_a_click_opens_its_page(pages, live_server, store, shots):
    page = pages()
    open_view(page, live_server.url + "/network", NETWORK_READY)
    agents = {r["a"].value for r in select(store, "SELECT DISTINCT ?a WHERE { ?a a tsk:Agent }")}
    drawn = page.evaluate("""() => window.tskgNetwork.nodes().map(n => {
        const p = n.renderedPosition(); return {id: n.id(), x: p.x, y: p.y, shown: n.visible()}; })""")
    assert {n["id"] for n in drawn} == agents
    box = page.locator("#network").bounding_box()
    outside = [n["id"] for n in drawn if not (n["shown"] and 0 <= n["x"] <= box["width"] and 0 <= n["y"] <= box["height"])]
    assert not outside, f"actors not drawn inside the canvas: {outside}"
    page.screenshot(path=str(shots / "network-1280.png"), full_page=True)

    serbia = next(n for n in drawn if n["id"] == DATA + "serbia")
    page.mouse.click(box["x"] + serbia["x"], box["y"] + serbia["y"])
    page.wait_for_url("**/page/serbia")
    assert page.locator("h1").inner_text() == "Serbia"


def test_a_link_shows_its_sentences_on_hover_and_on_focus(pages, live_server, store):
    page = pages()
    open_view(page, live_server.url + "/network", NETWORK_READY)
    # Hover: the line of the author's membership of his institute (apart from the crowd of the three states).
    middle = page.evaluate("""() => {
        const e = window.tskgNetwork.edges().filter(e => e.data('kind') === 'membership'
            && [e.data('source'), e.data('target')].sort().join(' ') === [%r, %r].sort().join(' '))[0];
        return e.renderedMidpoint(); }""" % (DATA + "laszlo-szerencses", DATA + "institute-for-turkish-studies"))
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + middle["x"], box["y"] + middle["y"])
    detail = page.locator("#network-detail")
    sentence = select(store, "SELECT ?t WHERE { tskr:quote-s49 oa:hasSelector/oa:exact ?t }")[0]["t"].value
    detail.get_by_text(sentence).wait_for()
    assert "Membership" in detail.inner_text()
    # Keyboard: tab into the list of links; the first one's sentences appear.
    first = page.locator("#link-list button").first
    first.focus()
    assert first.evaluate("b => b === document.activeElement")
    text = first.inner_text()
    assert text.split(":")[0] in detail.inner_text()
    assert detail.locator("figure.quote blockquote").count() > 0


def test_the_network_filters_by_kind_and_time(pages, live_server):
    page = pages()
    open_view(page, live_server.url + "/network", NETWORK_READY)
    visible = "() => window.tskgNetwork.edges().filter(e => e.visible()).map(e => e.data('kind'))"
    before = page.evaluate(visible)
    assert "office" in before
    page.get_by_label("Office held").uncheck()
    after = page.evaluate(visible)
    assert "office" not in after and len(after) < len(before)
    page.get_by_label("links without a date").uncheck()
    page.get_by_label("the week of the article").uncheck()
    page.locator("select[name=from]").select_option("2019")
    dated = page.evaluate("""() => window.tskgNetwork.edges().filter(e => e.visible()).length""")
    assert 0 < dated < len(after)
    # What is left in the list ends in 2019 or later.
    links = {l["id"]: l for l in page.evaluate("fetch('/network.json').then(r => r.json())")["links"]}
    listed = page.locator("#link-list li:not([hidden]) button").evaluate_all("els => els.map(e => e.dataset.link)")
    assert listed and all(links[i]["time"] and links[i]["time"]["last_year"] >= 2019 for i in listed)
    assert any(l["time"] and l["time"].get("last_year", 0) < 2019 and l["kind"] != "office" for l in links.values())
    assert "actors and" in page.locator("#network-status").inner_text()


def test_the_timeline_runs_from_2008_to_2024_with_the_week_apart(pages, live_server, store, shots):
    page = pages()
    open_view(page, live_server.url + "/timeline", TIMELINE_READY)
    page.screenshot(path=str(shots / "timeline-1280.png"), full_page=True)
    lefts = page.evaluate("""() => {
        const out = {};
        for (const label of document.querySelectorAll('#timeline .vis-item .item-label[data-year]')) {
          const year = Number(label.dataset.year);
          const x = label.closest('.vis-item').getBoundingClientRect().left;
          out[year] = Math.min(out[year] === undefined ? Infinity : out[year], x);
        }
        return out; }""")
    years = sorted(int(y) for y in lefts)
    dated = sorted({int(r["d"].value[:4]) for r in select(store, "SELECT ?d WHERE { ?e a tsk:Event ; tsk:date ?d FILTER(DATATYPE(?d) = xsd:gYear) }")})
    assert years[0] == 2008 and years[-1] == 2024 and set(dated) <= set(years)
    xs = [lefts[str(y)] for y in years]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), f"years not left to right: {dict(zip(years, xs))}"
    # A year is drawn as a year: the 2013 bar is as wide as the distance from 2013 to 2014.
    width_2013 = page.evaluate("""() => document.querySelector('#timeline .item-label[data-year="2013"]').closest('.vis-item').getBoundingClientRect().width""")
    assert abs(width_2013 - (lefts["2014"] - lefts["2013"])) < 3
    # October 8 and 9: in the week lane, not on the years' axis.
    week = page.locator("#week-timeline .item-label[data-month-day]")
    assert sorted(set(week.evaluate_all("els => els.map(e => e.dataset.monthDay)"))) == ["10-08", "10-09"]
    accusation = DATA + "statement-vucic-accuses-turkey-ottoman-empire"
    assert page.locator(f'#week-timeline [data-fact="{accusation}"]').count() == 1
    assert page.locator(f'#timeline [data-fact="{accusation}"]').count() == 0
    # Each item shows its sentence: select the accusation.
    target = page.locator("#week-timeline .vis-item").filter(has=page.locator(f'[data-fact="{accusation}"]'))
    target.click()
    page.locator("#timeline-detail").get_by_text("accusing Turkey on October 8").wait_for()
    assert page.locator("#timeline-detail mark").first.inner_text() == "dreaming of restoring the Ottoman Empire"


def test_the_timeline_filters_by_a_pair_of_actors(pages, live_server):
    page = pages()
    open_view(page, live_server.url + "/timeline", TIMELINE_READY)
    everything = page.locator("#time-list > li:not([hidden])").count()
    page.locator("select[name=a]").select_option("turkey")
    page.locator("select[name=b]").select_option("kosovo")
    shown = page.locator("#time-list > li:not([hidden])")
    assert 0 < shown.count() < everything
    assert "involve Turkey and Kosovo" in page.locator("#timeline-status").inner_text()
    assert page.locator(f'#time-list > li:not([hidden])[data-fact="{DATA}event-2008-turkey-recognises-kosovo"]').count() == 1
    assert page.locator(f'#time-list > li:not([hidden])[data-fact="{DATA}event-2013-turkey-serbia-backlash"]').count() == 0
    assert "a=turkey" in page.url and "b=kosovo" in page.url  # the filter is in the address, to share


def test_the_turkey_serbia_pair_lists_2013_2017_2019_2024_and_charts_them(pages, live_server, shots):
    page = pages()
    page.goto(live_server.url + "/relations?a=turkey&b=serbia")
    page.screenshot(path=str(shots / "relations-1280.png"), full_page=True)
    assert page.locator("h1").inner_text() == "Relations between Turkey and Serbia"
    facts = page.locator(".relations-list > li").evaluate_all("els => els.map(e => e.dataset.fact)")
    wanted = [DATA + n for n in ("event-2013-turkey-serbia-backlash",
                                 "event-2017-turkey-serbia-establish-high-level-cooperation-council",
                                 "event-2019-serbia-turkey-sign-defence-cooperation-agreement",
                                 "event-2024-turkey-serbia-announce-defence-industry-cooperation")]
    positions = [facts.index(w) for w in wanted]
    assert positions == sorted(positions)
    for fact in wanted:
        item = page.locator(f'.relations-list > li[data-fact="{fact}"]')
        assert item.locator("figure.quote blockquote").count() > 0
    assert page.locator("svg.goldstein circle.point").count() >= 5
    assert page.locator("svg.goldstein circle.point.conflict").count() >= 1
    assert page.locator("svg.goldstein circle.point.cooperation").count() >= 1
    # Another pair from the picker.
    page.get_by_role("link", name="Turkey–Kosovo", exact=True).click()
    page.wait_for_url("**/relations?a=turkey&b=kosovo")
    assert DATA + "event-2008-turkey-recognises-kosovo" in page.locator(".relations-list > li").evaluate_all(
        "els => els.map(e => e.dataset.fact)")


@pytest.mark.parametrize("path", VIEWS)
def test_accessible_and_narrow(pages, live_server, path, shots):
    ready = NETWORK_READY if path == "/network" else TIMELINE_READY if path == "/timeline" else "true"
    wide = pages()
    open_view(wide, live_server.url + path, ready)
    problems = axe_violations(wide)
    assert not problems, "\n".join(problems)
    narrow = pages(NARROW, 844)
    open_view(narrow, live_server.url + path, ready)
    name = path.strip("/").split("?")[0]
    narrow.screenshot(path=str(shots / f"{name}-{NARROW}.png"), full_page=True)
    assert horizontal_overflow(narrow) == 0
    problems = axe_violations(narrow)
    assert not problems, "\n".join(problems)


def test_the_views_are_linked_from_every_page(pages, live_server):
    page = pages()
    page.goto(live_server.url + "/")
    for name, path in (("Network", "/network"), ("Timeline", "/timeline"), ("Relations", "/relations")):
        assert page.locator(f'header.site nav a[href="{path}"]').inner_text() == name
        assert page.locator(f'.entry-points a[href="{path}"]').count() == 1
