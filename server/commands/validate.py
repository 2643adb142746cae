"""`tskg validate [PATHS]`: strict Turtle syntax, then SHACL, then ontology checks.

With no PATHS: the project's ontology/ and graph/, every finding reported.

With PATHS (.ttl files, or directories of them), e.g. a contributor's new file: the files are
checked together with the project's ontology and shapes and with all of graph/ (the context the
build will give them: the nodes they refer to are described there), and the report shows the
findings located in the given files; --all shows those in the other files too. --alone checks
them with graph/source.ttl (the article, which quotes and evidence point into) and, of the rest of
graph/, only the types and labels of the nodes the files name (so that a reference to tskr:turkey
resolves), not their other facts; nothing is said about those nodes themselves. A file under
ontology/ counts as ontology (or as shapes when its name says so); any other file as data. Where a
node is written in a given file, that is where reports say it is.

The checks are the build's (server.checks.gate): well-formed literals, the SHACL shapes (server.checks.shacl_fast;
--reference runs them in pySHACL itself), the ontology checks.

Exit codes: 0 conforms (warnings allowed unless --strict), 1 does not conform, 2 unreadable or
invalid input (syntax errors as file:line:column: message), 3 internal error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from .common import EXIT_BAD_INPUT, EXIT_NONCONFORMING, EXIT_OK, UsageError
from ..project import Project
from ..checks.reports import FORMATS, SYNTAX_RULE, Outcome, render, summary, write_atomic
from ..checks.gate import check
from ..checks.results import Report, Result
from ..sources.files import SourceError, SourceFile, SyntaxErrors, load_sources

DEFAULT_MAX_MB = 5.0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check Turtle syntax, SHACL shapes and the ontology; report with file and line",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit codes: 0 conforms, 1 does not conform, 2 invalid or unreadable input, 3 internal error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help=".ttl files or directories (default: the project's ontology/ and graph/)")
    parser.add_argument("--format", "-f", default="text", metavar="FORMAT",
                        help=f"report format: {', '.join(FORMATS)} (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    parser.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    parser.add_argument("--all", dest="show_all", action="store_true",
                        help="with PATHS: also report the findings located in the other files")
    parser.add_argument("--alone", action="store_true",
                        help="with PATHS: check them with graph/source.ttl and only the types and labels of the "
                             "nodes of graph/ they name, not with all of graph/")
    parser.add_argument("--no-ontology-checks", dest="ontology_checks", action="store_false",
                        help="run the project's SHACL shapes only")
    parser.add_argument("--reference", action="store_true",
                        help="run the shapes in pySHACL itself (the reference, slower) instead of server.checks.shacl_fast")
    parser.add_argument("--max-size", type=float, default=DEFAULT_MAX_MB, metavar="MB",
                        help=f"refuse files larger than this (default: {DEFAULT_MAX_MB:g} MB)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.format not in FORMATS:
        raise UsageError(f"unknown format {args.format!r}: choose one of {', '.join(FORMATS)}")
    if args.max_size <= 0:
        raise UsageError("--max-size must be a positive number of megabytes")
    # rdflib logs a traceback for every ill-typed literal ("abc"^^xsd:integer); SHACL reports those.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    # pySHACL logs a shapes error before raising it (to a handler it re-attaches on every call,
    # so a filter, which stays, is the way to quiet it); we report the error once, as one line.
    logging.getLogger("pyshacl-validate").addFilter(lambda record: record.levelno >= logging.CRITICAL)

    project = Project.locate(args.root)
    files, given = collect_files(project, args.paths, alone=args.alone)
    output = _output_path(args.output, files)

    syntax_errors = False
    parse_started = time.perf_counter()
    try:
        sources = load_sources(files, max_bytes=int(args.max_size * 1_000_000))
    except SourceError as err:
        raise UsageError(str(err)) from None
    except SyntaxErrors as err:
        syntax_errors = True
        report = Report(
            conforms=False,
            results=[Result(severity="Violation", message=e.message, focus="", file=e.path, line=e.line,
                            column=e.column, rule=SYNTAX_RULE, check="syntax") for e in err.errors],
            files=[f.display for f in files],
        )
        for e in err.errors:
            print(str(e), file=sys.stderr)
    else:
        validated_from = time.perf_counter()
        try:
            report = check(sources, engine="pyshacl" if args.reference else "fast", prefer=given,
                           ontology_checks=args.ontology_checks)
        except SourceError as err:  # shapes that are not valid SHACL
            raise UsageError(str(err)) from None
        for problem in sources.index_errors:
            print(f"tskg validate: warning: {problem}", file=sys.stderr)
        report.timings = {"parse": validated_from - parse_started, **report.timings}
        if given and not args.show_all:
            report = only_in(report, set(given))

    outcome = Outcome(report=report, seconds=time.perf_counter() - started, strict=args.strict,
                      syntax_errors=syntax_errors, root=project.root)
    color = args.format == "text" and output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = render(outcome, args.format, color=color)
    if syntax_errors and args.format == "text" and output is None:
        # the errors went to stderr as file:line:column: message; the summary joins them there
        print(f"tskg validate: {summary(outcome)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if output is not None:
        write_atomic(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if args.format != "text" or output is not None:
        print(f"tskg validate: {summary(outcome)}", file=sys.stderr)
    if syntax_errors:
        return EXIT_BAD_INPUT
    return EXIT_OK if outcome.passed else EXIT_NONCONFORMING


def only_in(report: Report, files: set[str]) -> Report:
    """The findings located in `files` (the focus node or the offending triple written there);
    the others are counted, not shown."""
    shown = [r for r in report.results if r.file is None or r.file in files or r.triple_file in files]
    report.hidden = len(report.results) - len(shown)
    report.only = sorted(files)
    report.results = shown
    report.conforms = not any(r.severity == "Violation" for r in shown)
    return report


def collect_files(project: Project, paths: list[str], alone: bool = False) -> tuple[list[SourceFile], list[str]]:
    """The files to validate, each with its role, and the display names of those given."""
    ontology_dir = project.ontology_dir.resolve()
    chosen: dict[Path, SourceFile] = {}

    def add(path: Path, role: str | None = None) -> SourceFile:
        resolved = path.resolve()
        if role is None:
            inside_ontology = resolved.parent == ontology_dir
            role = ("shapes" if "shapes" in resolved.stem else "ontology") if inside_ontology else "data"
        if resolved not in chosen:
            chosen[resolved] = SourceFile(resolved, project.relative(resolved), role)
        return chosen[resolved]

    for path in project.ontology_files:
        add(path, "ontology")
    for path in project.shapes_files:
        add(path, "shapes")

    given: list[str] = []
    if not paths:
        for path in project.graph_files:
            add(path, "data")
        if not chosen:
            raise UsageError(f"no Turtle files in {project.relative(project.ontology_dir)}/ or "
                             f"{project.relative(project.graph_dir)}/ under {project.root}")
        return list(chosen.values()), given

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_dir():
            found = sorted(p for p in path.glob("*") if p.is_file() and p.suffix.lower() == ".ttl")
            if not found:
                raise UsageError(f"{raw}: no .ttl files in this directory")
            for p in found:
                given.append(add(p).display)
        elif path.suffix.lower() != ".ttl":
            kind = f"'{path.suffix}'" if path.suffix else "no extension"
            raise UsageError(f"{raw}: not a Turtle file ({kind}): only .ttl files are accepted")
        elif not path.is_file():
            raise UsageError(f"{raw}: not a regular file")
        else:
            given.append(add(path).display)

    for path in project.graph_files:
        add(path, "context" if alone and path.name != "source.ttl" else "data")
    return list(chosen.values()), given


def _output_path(raw: str | None, files: list[SourceFile]) -> Path | None:
    """Check --output before any work: its directory exists and it is not one of the sources."""
    if raw is None:
        return None
    path = Path(raw)
    if path.is_dir():
        raise UsageError(f"--output {raw}: is a directory")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"--output {raw}: directory {path.parent} does not exist")
    if path.resolve() in {f.path for f in files}:
        raise UsageError(f"--output {raw}: is one of the files being validated")
    return path
