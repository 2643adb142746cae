"""`tskg query`: run a SPARQL query, or a saved query by name, against the built graph."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import unicodedata
from pathlib import Path

from .common import EXIT_NONCONFORMING, EXIT_OK, UsageError
from ..namespaces import PREFIXES
from ..project import Project
from ..store.saved_queries import ParameterError, SavedQuery, SavedQueryError, load_folder, parse_query

FORMATS = ("table", "csv", "tsv", "json")
DEFAULT_TIMEOUT = 300.0  # seconds; the server's limit is shorter, but here the user waits by choice
RESULT_MEDIA = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
}

EPILOG = """\
The query runs on the built graph (ontology, data and OWL RL inferences; the default graph
is their union) through the same engine as the server.

Saved queries are the queries/*.rq files; --list shows them with their parameters.
Parameters are given as NAME=VALUE and bound as RDF terms (never pasted into the query);
an IRI may be written in full or with a prefix (tskr:aleksandar-vucic).

formats: table (default; for a terminal), csv, tsv and json (SPARQL 1.1 results formats;
CONSTRUCT gives subject,predicate,object rows in csv/tsv and JSON-LD in json).

examples:
  tskg query 'SELECT ?p WHERE { ?p a tsk:Person }'
  tskg query -f my-query.rq --format csv > out.csv
  tskg query --saved actor-offices --param person=tskr:hashim-thaci
  tskg query --list
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a SPARQL query or a saved query against the graph",
        description="Run an ad-hoc SPARQL query, a query file or a saved query against the built graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", nargs="?", help="the SPARQL query text (the usual prefixes are predeclared)")
    parser.add_argument("-f", "--file", metavar="FILE", help="read the query from FILE ('-' for stdin)")
    parser.add_argument("-s", "--saved", metavar="NAME", help="run the saved query queries/NAME.rq")
    parser.add_argument("-p", "--param", metavar="NAME=VALUE", action="append", default=[],
                        help="a parameter value (repeatable)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", default=DEFAULT_TIMEOUT,
                        help=f"stop the query after this long (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--list", action="store_true", help="list the saved queries and their parameters")
    parser.set_defaults(func=run)


def run(args) -> int:
    project = Project.locate(args.root)
    if args.list:
        return _list(project)
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be more than 0 seconds, not {args.timeout:g}")
    query, source = _chosen_query(args, project)
    values = _param_values(args.param)
    try:
        bindings = query.bindings(values)
    except ParameterError as err:
        raise UsageError(f"{source}: {err.message}") from None

    from ..build import ValidationFailed
    from ..store import QueryError, embedded_engine
    from .common import load_build

    try:
        built = load_build(args)
    except ValidationFailed as failed:
        print(f"tskg query: error: the data does not conform to the shapes ({len(failed.report.violations)} "
              f"violation(s)); run `tskg validate` to see them", file=sys.stderr)
        return EXIT_NONCONFORMING
    # One query at a time: one worker process is enough.
    engine = embedded_engine(built, workers=1, timeout=args.timeout)
    try:
        _write(engine, query, bindings, args.format, args.timeout, sys.stdout)
    except QueryError as err:
        raise UsageError(f"{source}: {_one_line(err.message)}") from None
    finally:
        engine.close()
    return EXIT_OK


def _chosen_query(args, project: Project) -> tuple[SavedQuery, str]:
    """The query to run and how to name it in error messages."""
    given = [x for x in (args.query, args.file, args.saved) if x is not None]
    if len(given) != 1:
        raise UsageError("give one query: a query text, -f FILE or --saved NAME (or --list)")
    if args.saved is not None:
        try:
            queries = load_folder(project.queries_dir)
        except SavedQueryError as err:
            raise UsageError(str(err)) from None
        if args.saved not in queries:
            raise UsageError(f"no saved query '{args.saved}' (saved queries: {', '.join(queries) or 'none'})")
        query = queries[args.saved]
        return query, project.relative(query.path)
    if args.file is not None:
        if args.file == "-":
            text, source = sys.stdin.read(), "<stdin>"
        else:
            path = Path(args.file)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except FileNotFoundError:
                raise UsageError(f"{args.file}: no such file") from None
            except IsADirectoryError:
                raise UsageError(f"{args.file}: is a directory") from None
            except UnicodeDecodeError:
                raise UsageError(f"{args.file}: not UTF-8 text") from None
            except OSError as err:
                raise UsageError(f"{args.file}: cannot read: {err.strerror}") from None
            source = args.file
    else:
        text, source = args.query, "query"
    if not text.strip():
        raise UsageError(f"{source}: the query is empty")
    try:
        return parse_query(text, Path(source), documented=False), source
    except SavedQueryError as err:
        if args.param:
            raise UsageError(_one_line(str(err))) from None
        # Not recognisable as a query: let the engine report the syntax error with its position.
        return SavedQuery(source, Path(source), "", "", (), (), "select", text, text), source


def _param_values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise UsageError(f"--param expects NAME=VALUE, got {pair!r}")
        if name in values:
            raise UsageError(f"--param {name} given twice")
        values[name] = value
    return values


def _list(project: Project) -> int:
    try:
        queries = load_folder(project.queries_dir)
    except SavedQueryError as err:
        raise UsageError(str(err)) from None
    for q in queries.values():
        params = []
        for p in q.parameters:
            text = f"{p.name}={p.default}" if p.default is not None else p.name
            params.append(text if p.required else f"[{text}]")
        print(f"{q.name}  {q.title}" + (f"  ({', '.join(params)})" if params else ""))
    return EXIT_OK


def _write(engine, query: SavedQuery, bindings: dict, fmt: str, timeout: float | None, out) -> None:
    if query.result_kind == "graph":
        if fmt == "json":
            output = engine.run(query.query, "application/ld+json", bindings=bindings, timeout=timeout)
            out.write(output.body.decode("utf-8"))
            return
        triples = engine.construct(query.query, bindings=bindings, timeout=timeout)
        columns = ["subject", "predicate", "object"]
        rows = [[_term_text(t.subject), _term_text(t.predicate), _term_text(t.object)] for t in triples]
        if fmt == "table":
            out.write(render_table(columns, rows, _width(out)))
            out.write(f"({len(rows)} triple{'' if len(rows) == 1 else 's'})\n")
        else:
            writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        return
    if fmt != "table":
        output = engine.run(query.query, RESULT_MEDIA[fmt], bindings=bindings, timeout=timeout)
        out.write(output.body.decode("utf-8"))
        return
    output = engine.run(query.query, RESULT_MEDIA["json"], bindings=bindings, timeout=timeout)
    data = json.loads(output.body)
    if "boolean" in data:
        out.write(("true" if data["boolean"] else "false") + "\n")
        return
    columns = data["head"]["vars"]
    rows = [[_json_term_text(b.get(v)) for v in columns] for b in data["results"]["bindings"]]
    out.write(render_table(columns, rows, _width(out)))
    note = " (truncated)" if output.truncated else ""
    out.write(f"({len(rows)} row{'' if len(rows) == 1 else 's'}{note})\n")


def _width(out) -> int | None:
    """The terminal's width, or None (no limit) when the output is not a terminal."""
    return shutil.get_terminal_size().columns if hasattr(out, "isatty") and out.isatty() else None


def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _json_term_text(term: dict | None) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return _compact(term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    if "xml:lang" in term:
        return f"{term['value']} @{term['xml:lang']}"
    return term["value"]


def _term_text(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if getattr(term, "language", None):
        return f"{term.value} @{term.language}"
    return term.value


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _display_width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text
    )


def _clip(text: str, width: int) -> str:
    if _display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = _display_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def render_table(columns: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """A plain table with a header rule; cells are clipped with … when `width` is too small."""
    rows = [[" ".join(c.split()) for c in row] for row in rows]  # one line per row
    widths = [max([_display_width(c)] + [_display_width(r[i]) for r in rows]) for i, c in enumerate(columns)]
    if width is not None:
        budget = width - 2 * (len(columns) - 1)
        while sum(widths) > budget and max(widths) > 8:
            widest = widths.index(max(widths))
            widths[widest] -= 1

    def line(cells):
        parts = []
        for cell_text, w in zip(cells, widths):
            clipped = _clip(cell_text, w)
            parts.append(clipped + " " * (w - _display_width(clipped)))
        return "  ".join(parts).rstrip() + "\n"

    text = line(columns) + "  ".join("-" * w for w in widths) + "\n"
    return text + "".join(line(r) for r in rows)
