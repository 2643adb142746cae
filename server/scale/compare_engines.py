"""Measure the query engines against each other on the saved queries (queries/*.rq):

    python -m server.scale.compare_engines [--root DIR] [--repeat N]

For each query: the median wall time of Engine.run (SPARQL JSON or N-Triples out, no row cap) with
- pyoxigraph through the worker pool the server uses (one worker),
- pyoxigraph called directly in this process (what the pool costs is the difference),
- rdflib's own SPARQL engine over the same quads,
and the row counts, which must agree. Not a tskg subcommand: a measurement for the team's notes
(`compare(...)` is the function a benchmark can call).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

# Used when queries/ has no saved query yet: a join, a GROUP BY and an OPTIONAL over the real graph.
REPRESENTATIVE = {
    "labels (join, ORDER BY)": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?s ?type ?label WHERE { ?s a ?type ; rdfs:label ?label } ORDER BY ?label""",
    "types (GROUP BY)": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)",
    "properties (OPTIONAL)": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?p (COUNT(*) AS ?uses) ?label WHERE { ?s ?p ?o OPTIONAL { ?p rdfs:label ?label } }
        GROUP BY ?p ?label""",
}


@dataclass
class Measure:
    name: str
    rows: dict[str, int | None]       # engine → rows
    seconds: dict[str, float]         # engine → median seconds


def _time(engine, query, bindings, repeat) -> tuple[float, int | None]:
    from ..namespaces import PREFIXES
    from ..store.inspect import inspect_query

    media = "application/n-triples" if inspect_query(query, predeclared=PREFIXES).kind == "graph" else "application/sparql-results+json"
    times, rows = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = engine.run(query, media, bindings=bindings, timeout=600, max_rows=10**9)
        times.append(time.perf_counter() - started)
        rows = out.rows
        if times[-1] > 5:  # slow enough that one run tells
            break
    return statistics.median(times), rows


def saved_query_cases(project) -> dict[str, tuple[str, dict | None]]:
    from ..store.saved_queries import load_folder

    cases = {}
    for name, saved in sorted(load_folder(project.queries_dir).items() if project.queries_dir.is_dir() else []):
        try:
            cases[name] = (saved.query, saved.bindings({}))
        except Exception as err:  # noqa: BLE001 - a required parameter without default: skip it
            print(f"skipped {name}: {err}", file=sys.stderr)
    return cases


def compare(build, cases: dict[str, tuple[str, dict | None]], repeat: int = 5, report=None) -> list[Measure]:
    from ..store.embedded import DirectEngine, EmbeddedEngine
    from ..store.rdflib_engine import RdflibEngine

    engines = {
        "pool": EmbeddedEngine(build.store_path, workers=1, timeout=600),
        "direct": DirectEngine(build.store_path, timeout=600),
        "rdflib": RdflibEngine(build.store_path, timeout=600),
    }
    try:
        results = []
        for name, (query, bindings) in cases.items():
            rows, seconds = {}, {}
            for label, engine in engines.items():
                seconds[label], rows[label] = _time(engine, query, bindings, repeat if label != "rdflib" else 3)
            results.append(Measure(name, rows, seconds))
            if report:
                report(results[-1])
        return results
    finally:
        engines["pool"].close()


def pool_overhead(build, n: int = 500) -> tuple[float, float]:
    """Seconds per trivial query through the pool and directly: the pool's fixed cost per query."""
    from ..store.embedded import DirectEngine, EmbeddedEngine

    pool, direct = EmbeddedEngine(build.store_path, workers=1), DirectEngine(build.store_path)
    try:
        figures = []
        for engine in (pool, direct):
            engine.run("ASK { ?s ?p ?o }", "application/sparql-results+json")
            started = time.perf_counter()
            for _ in range(n):
                engine.run("ASK { ?s ?p ?o }", "application/sparql-results+json")
            figures.append((time.perf_counter() - started) / n)
        return figures[0], figures[1]
    finally:
        pool.close()


def main(argv=None) -> int:
    from ..build import build
    from ..project import Project

    parser = argparse.ArgumentParser(prog="python -m server.scale.compare_engines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="project checkout (default: this one)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    project = Project.locate(args.root)
    built = build(project)
    cases = {**saved_query_cases(project), **{k: (v, None) for k, v in REPRESENTATIVE.items()}}
    print(f"store: {sum(built.counts.values())} triples ({built.counts})", flush=True)
    pooled, direct = pool_overhead(built)
    print(f"pool overhead: {pooled * 1000:.2f} ms per trivial query through the pool, "
          f"{direct * 1000:.2f} ms directly (+{(pooled - direct) * 1000:.2f} ms)")
    print(f"{'query':40} {'rows':>6} {'pool ms':>9} {'direct ms':>10} {'rdflib ms':>10} {'rdflib/pool':>12}", flush=True)

    def report(m: Measure) -> None:
        agree = len(set(m.rows.values())) == 1
        rows = str(m.rows["pool"]) if agree else "/".join(str(v) for v in m.rows.values()) + " (differ!)"
        print(f"{m.name[:40]:40} {rows:>6} {m.seconds['pool'] * 1000:9.1f} {m.seconds['direct'] * 1000:10.1f} "
              f"{m.seconds['rdflib'] * 1000:10.1f} {m.seconds['rdflib'] / m.seconds['pool']:11.1f}×", flush=True)

    results = compare(built, cases, args.repeat, report)
    pool = sum(m.seconds["pool"] for m in results)
    rdf = sum(m.seconds["rdflib"] for m in results)
    print(f"all {len(results)} queries: pool {pool * 1000:.0f} ms, rdflib {rdf * 1000:.0f} ms ({rdf / pool:.0f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
