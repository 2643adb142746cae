"""`tskg bench`: our server and Oxigraph server side by side, on the curated graph and on synthetic data.

First the curated graph (server/scale/serving.py, shortened): repeated and distinct queries, latency and
throughput. Then for each size (server/scale/benchmark.py) it generates the data into --workdir (afresh:
seconds at 1M) and measures cold and warm start, SHACL validation, reasoning, the server's memory, the
saved queries' latency (distinct requests) and throughput over HTTP with 1 and --clients clients, and
compares the two servers' answers to every saved query as users run it. Prints Markdown tables with the
ratios ours/Oxigraph and each of issue 9's targets, met or missed. Exits 1 when the answers disagree.
Takes minutes at 100k and about half an hour at 1M. Ctrl-C or SIGTERM stops it and every server it started.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .common import EXIT_NONCONFORMING, EXIT_OK, UsageError
from ..project import Project


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmark our server against Oxigraph server on synthetic data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="10k,100k,1M", help="triple counts, comma-separated (default: 10k,100k,1M)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of each measurement (default: 3)")
    parser.add_argument("--cold-repeat", type=int, default=None, metavar="N",
                        help="repeats of the cold start (default: --repeat)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput (default: 8)")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed (default: 1)")
    parser.add_argument("--workdir", default="/tmp/tskg-bench", help="data, caches and logs (default: /tmp/tskg-bench)")
    parser.add_argument("--reference-max", default="20k", metavar="N",
                        help="also time owlrl and pySHACL (rdfs) up to this size (default: 20k)")
    parser.add_argument("--query-budget", type=float, default=10.0, metavar="SECONDS",
                        help="time per query and server with one client (default: 10)")
    parser.add_argument("--query-cap", type=float, default=20.0, metavar="SECONDS",
                        help="leave out queries that take Oxigraph server longer (default: 20)")
    parser.add_argument("--load-budget", type=float, default=60.0, metavar="SECONDS",
                        help="time per server for the concurrent clients (default: 60)")
    parser.add_argument("--no-oxigraph", action="store_true", help="measure our server only (and skip the curated graph)")
    parser.add_argument("--no-curated", action="store_true", help="skip the curated graph's serving figures")
    parser.add_argument("--curated-rounds", type=int, default=10, metavar="N",
                        help="curated graph: requests per query, server and block, one client (default: 10)")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..scale.benchmark import Options, parse_sizes, run as run_benchmark, stopped_on_exit
    from ..scale.serving import measure_serving, report as serving_report
    from ..scale.generate import parse_size

    try:
        sizes = parse_sizes(args.sizes)
        reference_max = parse_size(args.reference_max)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if not sizes:
        raise UsageError("--sizes: give at least one size")
    if args.repeat < 1 or args.clients < 1 or args.curated_rounds < 1:
        raise UsageError("--repeat, --clients and --curated-rounds must be at least 1")
    options = Options(
        sizes=sizes, repeat=args.repeat, cold_repeat=args.cold_repeat, seed=args.seed, clients=args.clients,
        workdir=Path(args.workdir), reference_max=reference_max, query_budget=args.query_budget, query_cap=args.query_cap,
        load_budget=args.load_budget, oxigraph=not args.no_oxigraph, source=Project.locate(args.root),
    )
    def say(line: str) -> None:
        print(line, flush=True)

    curated = None
    try:
        with stopped_on_exit():  # Ctrl-C or SIGTERM leaves no server running
            if not (args.no_curated or args.no_oxigraph):
                say("the curated graph")
                curated = measure_serving(serving_options(args), say=lambda line: say("  " + line))
            results, report = run_benchmark(options, say=say)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from None
    if curated is not None:
        print()
        print("## The curated graph")
        print()
        print(serving_report(curated))
    print()
    print("## Generated data")
    print()
    print(report)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "curated": vars(curated) if curated is not None else None,
            "sizes": [{"size": m.size, "values": m.values, "queries": m.queries, "notes": m.notes,
                       "failures": m.failures} for m in results],
        }, indent=2, default=str) + "\n")
    # The servers' answers to the saved queries disagree, or measure nothing: the figures are not comparable.
    return EXIT_NONCONFORMING if any(m.failures for m in results) else EXIT_OK


def serving_options(args: argparse.Namespace):
    """server.scale.serving's run, shortened to fit beside the sizes: 2 blocks, 2 s per throughput turn."""
    from ..scale.serving import Options as ServingOptions

    return ServingOptions(root=Path(args.root), rounds=args.curated_rounds, blocks=2, seconds=2.0,
                          clients=args.clients, workdir=Path(args.workdir) / "curated", breakdown=False)
