"""The README's screenshots of the network, timeline and relations views, taken again from the curated
graph in Debian's Chromium (not a test):

    .venv/bin/python tests/readme_screenshots.py            # writes .github/screenshots/{network,timeline,relations}.png

Serves the app on a free loopback port (helpers.serve_app), opens each view at 1280 x 960,
waits until it has drawn, shows what an analyst would look at (the sentences behind the Turkey–Serbia
agreements, the October 8 accusation selected, the Turkey–Serbia chart) and writes the PNG."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from browser_support import ARGS, CHROMIUM
from helpers import serve_app

OUT = Path(__file__).resolve().parent.parent / ".github" / "screenshots"
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


def main() -> int:
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: install Debian's chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = serve_app()
    base = server.url
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for shoot in (network, timeline, relations):
                context = browser.new_context(viewport={"width": 1280, "height": 960})
                shoot(context.new_page(), base)
                context.close()
                print(OUT / f"{shoot.__name__}.png")
            browser.close()
    finally:
        server.stop()
        server.app.extensions["tskg.engine"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
