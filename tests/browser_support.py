"""What the browser tests share: Debian's Chromium driven by Playwright, pages that record every request,
screenshots as test artefacts, and the checks every view must pass (nothing fetched from another host,
no serious or critical axe-core violation, no horizontal scrolling at 390 px).

A test module takes the fixtures by importing them:

    from browser_support import browser, page, pages, shots  # noqa: F401  (pytest fixtures)

Screenshots go to $TSKG_SCREENSHOTS when set, else to a temporary folder; its path is printed at the end
of the run (pytest -s, or the terminal summary of `make test`)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Chromium's background networking stays off: the machine has no network, and no test may need one.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
NARROW = 390  # px: a phone held upright


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (make system-deps) for the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the Python package playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


SHOTS = pytest.StashKey[Path]()


@pytest.fixture(scope="session")
def shots(tmp_path_factory, request) -> Path:
    """One folder for the run's screenshots (each module that imports the fixture shares it)."""
    stash = request.config.stash
    if SHOTS not in stash:
        chosen = os.environ.get("TSKG_SCREENSHOTS")
        directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
        directory.mkdir(parents=True, exist_ok=True)
        stash[SHOTS] = directory
        # Said once the run is over, when pytest no longer captures the output.
        request.config.add_cleanup(lambda: print(f"browser screenshots: {directory}"))
    return stash[SHOTS]


def open_page(browser, width: int = 1280, height: int = 900):
    """A fresh page in its own context that records every request and every script error."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.requested = []
    page.on("request", lambda req: page.requested.append(req.url))
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.set_default_timeout(20_000)
    return page


def foreign_requests(page, server_url: str) -> list[str]:
    """The requests the page made to any host but our server (data: and about: URLs fetch nothing)."""
    here = urlsplit(server_url).netloc
    return [u for u in page.requested if urlsplit(u).netloc != here and not u.startswith(("data:", "about:", "blob:"))]


@pytest.fixture()
def pages(browser, live_server):
    """Opens fresh pages (`pages(width)`); after the test, none may have fetched anything from another
    host or thrown a script error."""
    opened = []

    def make(width: int = 1280, height: int = 900):
        opened.append(open_page(browser, width, height))
        return opened[-1]

    yield make
    for page in opened:
        page.context.close()
    for page in opened:
        foreign = foreign_requests(page, live_server.url)
        assert not foreign, f"the page fetched from elsewhere: {foreign}"
        assert not page.errors, f"script errors: {page.errors}"


@pytest.fixture()
def page(pages):
    """A fresh 1280 px page, checked as `pages` checks them."""
    return pages()


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of the given impacts on the page as it is now, one line each. axe-core comes
    from node_modules (make test runs npm ci) and is injected by the test: the server never serves it."""
    if not AXE.is_file():
        pytest.skip(f"{AXE} not found: run `npm ci` (make test does) for the accessibility checks")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"] if v["impact"] in impacts
    ]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the document is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def first_contentful_paint(page, timeout_ms: float = 5_000) -> float | None:
    """The page's first-contentful-paint in ms since navigation began (Paint Timing), or None if it has
    not painted within `timeout_ms` (a small page may paint only after its load event)."""
    entry = "performance.getEntriesByName('first-contentful-paint')[0]"
    try:
        page.wait_for_function(f"!!{entry}", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: no paint
        return None
    return page.evaluate(f"{entry}.startTime")
