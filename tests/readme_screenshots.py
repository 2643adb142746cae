"""The README's screenshots, taken in Debian's Chromium from the app on the curated graph.

    .venv/bin/python tests/readme_screenshots.py            # every screenshot of SHOTS
    .venv/bin/python tests/readme_screenshots.py search     # those whose name starts with "search"

Each shot is a page at a width, with an optional step before the picture (type into a box and wait for
what it shows, hover or focus an element), written as .github/screenshots/NAME.png (viewport only)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

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


SHOTS = [
    Shot("resource-page", "/page/aleksandar-vucic", hover="#facts-statements li.fact:first-child .cite:nth-child(3) a"),
    Shot("search", "/page/serbia", height=620, fill=("#site-search", "vucic"), wait="#site-search-suggestions li"),
    Shot("picker", "/queries/actor-offices?format=html", height=700),
]


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
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
