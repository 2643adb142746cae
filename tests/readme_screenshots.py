"""The README's screenshots, taken in Debian's Chromium from the app on the curated graph (not a test).

    .venv/bin/python tests/readme_screenshots.py            # every screenshot
    .venv/bin/python tests/readme_screenshots.py search     # those whose name starts with "search"

A page shot (SHOTS) is a page at a width, with an optional step before the picture (type into a box and
wait for what it shows, hover or focus an element); a view shot (VIEWS) waits until the view has drawn and
shows what an analyst would look at (the sentences behind the Turkey–Serbia agreements, the October 8
accusation selected, the Turkey–Serbia chart). Each is written as .github/screenshots/NAME.png."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from browser_support import ARGS, CHROMIUM, REPO_ROOT
from helpers import LiveServer

OUT = REPO_ROOT / ".github" / "screenshots"


@dataclass
class Shot:
    name: str
    path: str
    width: int = 1280
    height: int = 800
    fill: tuple[str, str] | None = None   # (selector, text): typed into a box
    wait: str | None = None               # a selector to wait for after typing
    hover: str | None = None              # a selector to hover


# The editor's own example, opened by its shareable address and run: labels in the results, not IRIs.
EDITOR_QUERY = quote("""SELECT ?person ?office ?start WHERE {
  ?tenure a tsk:Tenure ; tsk:holder ?person ; tsk:office ?office .
  OPTIONAL { ?tenure tsk:startDate ?start }
}
ORDER BY ?person""")

SHOTS = [
    Shot("resource-page", "/page/aleksandar-vucic", hover="#facts-statements li.fact:first-child .cite:nth-child(3) a"),
    Shot("search", "/page/serbia", height=620, fill=("#site-search", "vucic"), wait="#site-search-suggestions li"),
    Shot("picker", "/queries/actor-offices?format=html", height=700),
    Shot("editor", "/query?query=" + EDITOR_QUERY, height=900, wait="#results-table tbody tr"),
]


TURKEY, SERBIA = "https://w3id.org/tskg/id/turkey", "https://w3id.org/tskg/id/serbia"
ACCUSATION = "https://w3id.org/tskg/id/statement-vucic-accuses-turkey-ottoman-empire"


def network(page, base):
    page.goto(base + "/network")
    page.wait_for_function("window.tskgNetwork && document.getElementById('network-status').textContent.includes('shown')")
    page.evaluate("""([a, b]) => window.tskgNetwork.edges().filter(e => e.data('kind') === 'agreement'
        && [e.data('source'), e.data('target')].sort().join(' ') === [a, b].sort().join(' ')).emit('mouseover')""",
                  [TURKEY, SERBIA])
    page.locator("h1").scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "network.png"))


def timeline(page, base):
    page.goto(base + "/timeline")
    page.wait_for_function("window.tskgTimeline && document.querySelectorAll('#week-timeline .vis-item').length > 0")
    page.evaluate("id => window.tskgTimeline.week.setSelection([id])", ACCUSATION)
    page.locator("#week-timeline .vis-item.vis-selected").click()
    page.mouse.move(0, 0)  # no tooltip over the lane
    # From the years' heading to the selected item's sentence: both lanes and the detail.
    top = page.evaluate("document.getElementById('years-heading').getBoundingClientRect().top + window.scrollY - 8")
    bottom = page.evaluate("(() => { const r = document.getElementById('timeline-detail').getBoundingClientRect(); return r.bottom + window.scrollY + 8; })()")
    page.screenshot(path=str(OUT / "timeline.png"), full_page=True, clip={"x": 0, "y": top, "width": 1280, "height": bottom - top})


def relations(page, base):
    page.goto(base + "/relations?a=turkey&b=serbia")
    page.screenshot(path=str(OUT / "relations.png"))


VIEWS = (network, timeline, relations)


def take(browser, base: str, shot: Shot) -> Path:
    context = browser.new_context(viewport={"width": shot.width, "height": shot.height})
    page = context.new_page()
    try:
        page.goto(base + shot.path, wait_until="load")
        if shot.fill:
            page.fill(*shot.fill)
        if shot.wait:
            page.wait_for_selector(shot.wait)
        if shot.hover:
            page.hover(shot.hover)
        target = OUT / f"{shot.name}.png"
        page.screenshot(path=str(target))
        return target
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only the shots whose name starts with one of these")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: install Debian's chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from server.web import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = LiveServer(create_app({"TESTING": True})).start()
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for shot in SHOTS:
                if not args.names or any(shot.name.startswith(n) for n in args.names):
                    print(take(browser, server.url, shot).relative_to(REPO_ROOT))
            for shoot in VIEWS:
                if not args.names or any(shoot.__name__.startswith(n) for n in args.names):
                    context = browser.new_context(viewport={"width": 1280, "height": 960})
                    shoot(context.new_page(), server.url)
                    context.close()
                    print((OUT / f"{shoot.__name__}.png").relative_to(REPO_ROOT))
            browser.close()
    finally:
        server.stop()
        server.app.extensions["tskg.engine"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
