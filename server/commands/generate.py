"""`tskg generate`: synthetic data shaped like the curated graph, for measuring the tool at scale.

Writes a project-shaped directory: ontology/ and queries/ copied from this project (or --root),
graph/ generated (see server/generate.py). The same --seed and --triples give the same files.
Build or serve it with `tskg --root DIR serve`.
"""

from __future__ import annotations

import argparse
import time

from .common import EXIT_OK, UsageError
from ..scale.generate import generate, parse_size
from ..project import Project


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write synthetic data that conforms to the shapes (for benchmarks)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--triples", "-n", required=True, metavar="N",
                        help="about how many graph triples to write: 10000, 10k, 1M")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--output", "-o", required=True, metavar="DIR",
                        help="directory to write (created; replaced only if tskg generate wrote it)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        triples = parse_size(args.triples)
    except ValueError as err:
        raise UsageError(f"--triples: {err}") from None
    started = time.perf_counter()
    try:
        result = generate(args.output, triples, seed=args.seed, source=Project.locate(args.root))
    except (ValueError, OSError) as err:
        raise UsageError(f"--output {args.output}: {err}") from None
    print(f"wrote {result.triples} triples ({result.articles} articles) to {result.directory}/graph "
          f"in {time.perf_counter() - started:.1f} s")
    return EXIT_OK
