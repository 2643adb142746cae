"""`tskg reason`: the OWL RL closure of the ontology and the graph.

Prints how many triples were asserted (graph/), how many the ontology has (ontology/ without the
shapes) and how many the closure adds, and the time taken. The closure is the build's (server.reasoning.fast),
so the count is the one the server, its home page and its downloads give. --reference runs owlrl, the
reference, as well: it also states what it states for every term (`x owl:sameAs x`, `C rdfs:subClassOf C`,
...), which the build leaves out, so its count is higher; the difference is printed by kind.
--output FILE writes the inferred triples only (N-Triples for .nt, Turtle for .ttl; with --reference
owlrl's), atomically; never into graph/ or ontology/, where the next build would read them back as sources.
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
from ..reasoning.reference import owlrl_inferred
from ..checks.reports import write_atomic
from ..reasoning.fast import inferred_triples
from ..terms import to_oxigraph
from .validate import DEFAULT_MAX_MB
from ..sources.files import SourceError, SourceFile, SyntaxErrors, load_sources

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
    parser.add_argument("--reference", action="store_true",
                        help="reason with owlrl, the reference, and say how its count differs from the build's")
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

    asserted = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in sources.ontology + sources.data]
    inferred = set(inferred_triples(asserted))  # the build's reasoner: the server's count
    difference = None
    if args.reference:
        reference = {ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
                     for s, p, o in owlrl_inferred(sources.ontology + sources.data)}
        difference = explain_difference(reference, inferred)
        inferred = reference
    reasoned = time.perf_counter()

    if output is not None:
        triples = sorted(inferred, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        fmt = OUTPUT_FORMATS[output.suffix.lower()]
        prefixes = _used_prefixes(triples) if fmt == ox.RdfFormat.TURTLE else None
        make_parents(output)
        write_atomic(output, ox.serialize(triples, format=fmt, prefixes=prefixes))
    finished = time.perf_counter()

    counts = {"asserted": len(sources.data), "ontology": len(sources.ontology), "inferred": len(inferred)}
    timings = {"parse": parsed - started, "reason": reasoned - parsed, "total": finished - started}
    reasoner = "owlrl" if args.reference else "server.reasoning.fast"
    if args.format == "json":
        doc = {"counts": counts, "reasoner": reasoner, "seconds": {k: round(v, 3) for k, v in timings.items()},
               "output": str(output) if output else None}
        if difference is not None:
            doc["difference"] = difference
        print(json.dumps(doc, indent=2))
    else:
        print(f"asserted  {counts['asserted']:>8} triples  (graph/)")
        print(f"ontology  {counts['ontology']:>8} triples  (ontology/, without the shapes)")
        if difference is None:
            print(f"inferred  {counts['inferred']:>8} triples  (OWL RL closure minus what was asserted, as the "
                  f"build, the server and its downloads count it)")
        else:
            print(f"inferred  {counts['inferred']:>8} triples  (owlrl's OWL RL closure minus what was asserted)")
            print(f"          {difference['build']:>8} of them the build's (the server's and its downloads' count);"
                  f" owlrl adds, for every term, what the build leaves out:")
            for kind, number in difference["owlrl_only"].items():
                print(f"        + {number:>8} {kind}")
            if difference["build_only"]:
                print(f"        - {difference['build_only']:>8} the build infers and owlrl does not: a difference "
                      f"between server.reasoning.fast and owlrl to report")
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


RDF, RDFS, OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
# owlrl's closure rules that hold for every term, not for our data (server.reasoning.fast leaves them out on purpose).
REFLEXIVE = {OWL + "sameAs": "x owl:sameAs x", RDFS + "subClassOf": "C rdfs:subClassOf C",
             OWL + "equivalentClass": "C owl:equivalentClass C", RDFS + "subPropertyOf": "P rdfs:subPropertyOf P",
             OWL + "equivalentProperty": "P owl:equivalentProperty P"}
CONSTANT_TYPES = {RDFS + "Datatype": "XSD datatypes a rdfs:Datatype",
                  OWL + "AnnotationProperty": "annotation properties a owl:AnnotationProperty",
                  OWL + "Class": "owl:Thing and owl:Nothing a owl:Class"}


def explain_difference(reference: set[ox.Triple], build: set[ox.Triple]) -> dict:
    """How owlrl's inferred triples differ from the build's: how many are shared, and those only owlrl
    states, counted by kind (reflexive triples for every term, owl:Nothing under every class, axioms about
    OWL's and XSD's own terms); anything else is counted as unexplained."""
    kinds: dict[str, int] = {}
    for t in reference - build:
        p, o = t.predicate.value, t.object
        if t.subject == o and p in REFLEXIVE:
            kind = f"reflexive {REFLEXIVE[p]}"
        elif p == RDFS + "subClassOf" and t.subject == ox.NamedNode(OWL + "Nothing"):
            kind = "owl:Nothing rdfs:subClassOf C for every class"
        elif p == RDF + "type" and isinstance(o, ox.NamedNode) and o.value in CONSTANT_TYPES:
            kind = CONSTANT_TYPES[o.value]
        elif p == OWL + "disjointWith" and str(t.subject).startswith("<http://www.w3.org/2001/XMLSchema#"):
            kind = "XSD datatypes owl:disjointWith each other"
        else:
            kind = "other triples (unexplained: a difference between server.reasoning.fast and owlrl to report)"
        kinds[kind] = kinds.get(kind, 0) + 1
    ordered = dict(sorted(kinds.items(), key=lambda kv: (kv[0].startswith("other"), -kv[1], kv[0])))
    return {"build": len(reference & build), "owlrl_only": ordered, "build_only": len(build - reference)}
