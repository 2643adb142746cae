"""First paint of the site's views on the curated graph, in Debian's Chromium (a benchmark, not a test).

    .venv/bin/python tests/bench_first_paint.py                       # the query editor, 7 loads
    .venv/bin/python tests/bench_first_paint.py /query /page/aleksandar-vucic --repeat 9
    .venv/bin/python tests/bench_first_paint.py '/query|.CodeMirror'  # PATH|SELECTOR: also time until it shows

Serves the app on a free loopback port (the build is cached by content; the first build is not timed),
loads each path once to warm the server, then `--repeat` times, each in a fresh browser context (nothing
cached), and prints for each: first-contentful-paint (Paint Timing), DOMContentLoaded, load and, with a
selector, when that element appeared; the median and the slowest, in milliseconds."""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading

from werkzeug.serving import make_server

from browser_support import ARGS, CHROMIUM, first_contentful_paint

DEFAULT = ["/query|.tabPanel.active .CodeMirror"]


def measure(browser, url: str, selector: str | None) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url, wait_until="load")
        figures = {"first paint": first_contentful_paint(page)}
        nav = page.evaluate("JSON.parse(JSON.stringify(performance.getEntriesByType('navigation')[0]))")
        figures["DOMContentLoaded"] = nav["domContentLoadedEventEnd"]
        figures["load"] = nav["loadEventEnd"]
        if selector:
            page.wait_for_selector(selector, timeout=30_000)
            figures[f"{selector} shown"] = page.evaluate("performance.now()")
        return figures
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT, help="PATH or PATH|SELECTOR (default: the editor)")
    parser.add_argument("--repeat", type=int, default=7, help="loads per path (default 7)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found: install Debian's chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from server.web import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    app = create_app({"TESTING": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for spec in args.paths:
                path, _, selector = spec.partition("|")
                measure(browser, base + path, selector or None)  # warm-up: server caches, not the browser's
                runs = [measure(browser, base + path, selector or None) for _ in range(max(1, args.repeat))]
                print(f"{path} ({len(runs)} loads, fresh browser context each):")
                for name in runs[0]:
                    values = [r[name] for r in runs if r[name] is not None]
                    if values:
                        print(f"  {name:>32}: median {statistics.median(values):7.1f} ms, slowest {max(values):7.1f} ms")
            browser.close()
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
