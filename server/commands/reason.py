"""`tskg reason`: the OWL RL closure (owlrl) of the ontology and the graph.

Prints how many triples were asserted (graph/), how many the ontology has (ontology/ without the
shapes) and how many the closure adds, and the time taken. --output FILE writes the inferred
triples only (N-Triples for .nt, Turtle for .ttl), atomically; never into graph/ or ontology/,
where the next build would read them back as sources.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from .common import EXIT_BAD_INPUT, EXIT_OK, UsageError
from ..exports.files import ExportError, check_output_path, make_parents
from ..namespaces import PREFIXES
from ..project import Project
from ..reasoning import owlrl_inferred
from ..reports import write_atomic
from ..terms import to_oxigraph
from .validate import DEFAULT_MAX_MB
from ..validation import SourceError, SourceFile, SyntaxErrors, load_sources

OUTPUT_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reason",
        help="compute the OWL RL closure of ontology and graph; print counts, optionally write the inferred triples",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--output", "-o", metavar="FILE",
                        help="write the inferred triples to FILE: .nt (N-Triples) or .ttl (Turtle)")
    parser.add_argument("--format", "-f", default="text", metavar="FORMAT",
                        help="how to print the counts: text or json (default: text)")
    parser.add_argument("--max-size", type=float, default=DEFAULT_MAX_MB, metavar="MB",
                        help=f"refuse source files larger than this (default: {DEFAULT_MAX_MB:g} MB)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.format not in ("text", "json"):
        raise UsageError(f"unknown format {args.format!r}: choose text or json")
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    project = Project.locate(args.root)
    output = _output_path(project, args.output)

    files = [SourceFile(p, project.relative(p), "ontology") for p in project.ontology_files]
    files += [SourceFile(p, project.relative(p), "data") for p in project.graph_files]
    if not files:
        raise UsageError(f"no Turtle files in ontology/ or graph/ under {project.root}")
    try:
        sources = load_sources(files, max_bytes=int(args.max_size * 1_000_000))
    except SourceError as err:
        raise UsageError(str(err)) from None
    except SyntaxErrors as err:
        for e in err.errors:
            print(str(e), file=sys.stderr)
        return EXIT_BAD_INPUT
    parsed = time.perf_counter()

    inferred = owlrl_inferred(sources.ontology + sources.data)
    reasoned = time.perf_counter()

    if output is not None:
        triples = sorted(
            (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in inferred),
            key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
        )
        fmt = OUTPUT_FORMATS[output.suffix.lower()]
        prefixes = _used_prefixes(triples) if fmt == ox.RdfFormat.TURTLE else None
        make_parents(output)
        write_atomic(output, ox.serialize(triples, format=fmt, prefixes=prefixes))
    finished = time.perf_counter()

    counts = {"asserted": len(sources.data), "ontology": len(sources.ontology), "inferred": len(inferred)}
    timings = {"parse": parsed - started, "reason": reasoned - parsed, "total": finished - started}
    if args.format == "json":
        print(json.dumps({"counts": counts, "seconds": {k: round(v, 3) for k, v in timings.items()},
                          "output": str(output) if output else None}, indent=2))
    else:
        print(f"asserted  {counts['asserted']:>8} triples  (graph/)")
        print(f"ontology  {counts['ontology']:>8} triples  (ontology/, without the shapes)")
        print(f"inferred  {counts['inferred']:>8} triples  (OWL RL closure, minus what was asserted)")
        print(f"time      {timings['total']:>8.2f} s        (parse {timings['parse']:.2f} s, "
              f"reason {timings['reason']:.2f} s)")
        if output is not None:
            print(f"wrote the inferred triples to {output}")
    return EXIT_OK


def _output_path(project: Project, raw: str | None) -> Path | None:
    """Check --output before the work: a known extension, an existing directory, and not
    inside the project's sources."""
    if raw is None:
        return None
    path = Path(raw)
    if path.suffix.lower() not in OUTPUT_FORMATS:
        kind = f"'{path.suffix}'" if path.suffix else "no extension"
        raise UsageError(f"--output {raw}: unknown extension ({kind}): use .nt (N-Triples) or .ttl (Turtle)")
    if path.is_dir():
        raise UsageError(f"--output {raw}: is a directory")
    try:
        check_output_path(path)  # missing folders are created when the file is written
    except ExportError as err:
        raise UsageError(f"--output {raw}: {err}") from None
    resolved = path.resolve()
    for sources_dir in (project.graph_dir, project.ontology_dir):
        if resolved.is_relative_to(sources_dir.resolve()):
            raise UsageError(
                f"--output {raw}: refusing to write inferred triples into {project.relative(sources_dir)}/: "
                "the build would read them back as sources"
            )
    return path


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The project's prefixes that the output uses, so the Turtle header stays short."""
    iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
            if isinstance(t, ox.NamedNode)}
    iris |= {triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}
