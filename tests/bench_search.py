"""What search, the resource pages and the pickers cost (a benchmark, not a test).

    .venv/bin/python tests/bench_search.py                      # the curated graph
    .venv/bin/python tests/bench_search.py --triples 100k       # a generated graph of about that size

Builds the graph (cached by content; a generated one is written under $TMPDIR/tskg-bench-search-SIZE
once), creates the app, and prints in milliseconds: building the search index (the first search),
searches of 1 to 12 characters (median and slowest of --repeat runs each), the resource page of the
thing with the most facts pointing at it, and the pickers of every saved query (first and cached)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = ["a", "se", "ser", "serb", "vucic", "kosovo", "turkey serbia", "agreement", "xqzzy", "defence cooperation"]


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", help="a generated graph of this size (10k, 100k, 1M) instead of the curated one")
    parser.add_argument("--repeat", type=int, default=20, help="runs per search (default 20)")
    args = parser.parse_args(argv)

    from server.build import build
    from server.project import Project
    from server.scale.generate import generate, parse_size
    from server.web import create_app

    if args.triples:
        size = parse_size(args.triples)
        root = Path(tempfile.gettempdir()) / f"tskg-bench-search-{size}"
        if not (root / "graph").is_dir():
            print(f"generating {size} triples in {root} …", file=sys.stderr)
            generate(root, size)
        project = Project.locate(root)
    else:
        project = Project.locate(None)
    print(f"building {project.root} (cached by content) …", file=sys.stderr)
    built = build(project)
    app = create_app({"TESTING": True, "TSKG_BUILD": built, "TSKG_ROOT": str(project.root), "QUERY_TIMEOUT": 120.0})
    client = app.test_client()

    with app.test_request_context():
        from server.web.pages.search_index import search_index

        ms, index = timed(search_index)
        names = sum(len(e.names) for e in index.entries)
        print(f"search index: {len(index.entries)} things, {names} names, built in {ms:.0f} ms")
        for text in QUERIES:
            runs = [timed(lambda: index.search(text))[0] for _ in range(args.repeat)]
            total = index.search(text)[1]
            print(f"  search {text!r:24} {total:6} hits   median {statistics.median(runs):7.2f} ms   slowest {max(runs):7.2f} ms")

    ms, response = timed(lambda: client.get("/search?q=vucic&format=json"))
    print(f"GET /search?q=vucic: {ms:.1f} ms ({response.status_code})")

    with app.test_request_context():
        from server.web.engine import get_engine

        busiest = get_engine().select(
            "SELECT ?x (COUNT(*) AS ?n) WHERE { ?f ?p ?x FILTER(isIRI(?x) && STRSTARTS(STR(?x), 'https://w3id.org/tskg/id/')) } "
            "GROUP BY ?x ORDER BY DESC(?n) LIMIT 1", max_rows=1)[0]
    path = "/page/" + busiest["x"].value.rsplit("/", 1)[1]
    for attempt in ("first", "again"):
        ms, response = timed(lambda: client.get(path))
        print(f"GET {path} ({busiest['n'].value} facts point at it), {attempt}: {ms:.0f} ms ({response.status_code}, "
              f"{len(response.data) // 1024} KiB)")

    with app.test_request_context():
        from server.web.pickers import pickers
        from server.web.saved_queries import saved_queries

        for name, query in saved_queries().items():
            if not query.parameters:
                continue
            first, made = timed(lambda: pickers(query))
            again, _ = timed(lambda: pickers(query))
            widgets = ", ".join(f"{p}: {k.widget} ({len(k.choices)})" for p, k in made.items())
            print(f"pickers {name:24} {first:7.0f} ms first, {again:5.2f} ms cached   {widgets}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
