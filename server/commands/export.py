"""`tskg export`: write the built graph in an RDF format, to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..build import ValidationFailed
from .common import EXIT_NONCONFORMING, EXIT_OK, UsageError, load_build
from ..exports.files import (FORMAT_LIST, ExportError, check_output_path, export, load_dataset, resolve_format,
                      resolve_graphs)
from ..namespaces import GRAPHS

EPILOG = f"""\
formats: {FORMAT_LIST}.
  Without --format the output file's extension decides (.nt .nq .trig .ttl .jsonld .rdf);
  stdout gets N-Quads. N-Quads and TriG keep the named graphs apart:
    {GRAPHS['ontology']}  the ontology (ontology/*.ttl but the shapes)
    {GRAPHS['asserted']}  the data (graph/*.ttl)
    {GRAPHS['inferred']}  the OWL RL inferences
  the other formats merge the chosen graphs into one.

Every format is deterministic: blank nodes get RDFC-1.0 canonical labels (c14n0, ...) and
statements are sorted, so the same data gives the same bytes from any build.
--canonical writes RDFC-1.0 canonical N-Quads (the canonical form itself, lines sorted by code
  point), the form to diff and sign releases with. Beside FILE it writes FILE.sha256, which
  `sha256sum -c FILE.sha256` checks.

Files are written atomically: a failed export leaves no partial file (and an older file
of the same name untouched).

examples:
  tskg export --output tskg.trig
  tskg export --format ttl --no-inferred > tskg.ttl
  tskg export --graphs asserted,inferred --output data.nt
  tskg export --canonical --output release/tskg.nq
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write the graph as N-Triples, N-Quads, TriG, Turtle, JSON-LD or RDF/XML",
        description="Write the built graph (ontology, asserted data, inferences) in an RDF format.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--format", "-f", metavar="FORMAT",
                        help="nt, nq, trig, ttl, jsonld or rdfxml (default: from the --output extension; nq on stdout)")
    parser.add_argument("--output", "-o", metavar="FILE", type=Path, help="file to write (default: stdout)")
    parser.add_argument("--graphs", metavar="NAMES",
                        help="comma-separated graphs to export: ontology,asserted,inferred (default: all three)")
    parser.add_argument("--no-inferred", action="store_true", help="leave out the inferred triples")
    parser.add_argument("--canonical", action="store_true",
                        help="RDFC-1.0 canonical N-Quads, byte-identical across runs, with FILE.sha256")
    parser.add_argument("--quiet", "-q", action="store_true", help="do not print the summary line on stderr")
    parser.set_defaults(func=run)


def run(args) -> int:
    try:
        if args.output is not None:
            check_output_path(args.output)
        fmt = resolve_format(args.format, args.output, canonical=args.canonical)
        graphs = resolve_graphs(args.graphs, no_inferred=args.no_inferred)
    except ExportError as err:
        raise UsageError(str(err)) from None
    try:
        built = load_build(args)
    except ValidationFailed as failed:
        print(f"tskg {args.command}: error: the data does not pass validation "
              f"({len(failed.report.violations)} violation(s)); run `tskg validate` to see them", file=sys.stderr)
        return EXIT_NONCONFORMING
    try:
        result = export(load_dataset(built), fmt, graphs, args.output, canonical=args.canonical)
    except ExportError as err:
        raise UsageError(str(err)) from None
    if not args.quiet:
        names = ", ".join(name for name, iri in GRAPHS.items() if iri in graphs)
        kind = "quads" if fmt.dataset else "triples"
        where = str(result.path) if result.path else "stdout"
        label = "canonical N-Quads (RDFC-1.0)" if args.canonical else fmt.label
        line = (f"wrote {where}: {label}, {names}, {result.statements} {kind}, "
                f"{result.size:,} bytes, {result.seconds:.2f} s")
        if result.checksum_path:
            line += f"; checksum in {result.checksum_path}"
        print(line, file=sys.stderr)
    return EXIT_OK
