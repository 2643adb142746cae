"""`tskg query`: run a SPARQL query, or a saved query by name, against the built graph."""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import textwrap
import unicodedata
from pathlib import Path

import pyoxigraph as ox

from .common import EXIT_NONCONFORMING, EXIT_OK, UsageError
from ..namespaces import PREFIXES
from ..project import Project
from ..sources.files import SourceError, read_source
from ..store.formats import term_json
from ..store.saved_queries import MAX_PAGE, ParameterError, SavedQuery, SavedQueryError, load_folder, parse_query

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
The parameters of a saved query are not result columns: their values are in the command.
The table fits the terminal ($COLUMNS when not on one): long cells are cut with …, and a
result too wide for that is shown one row at a time, a line per column. --wide shows it
whole; csv, tsv and json always give the full values. A language tag (@en) is shown only
where it tells two cells apart: the same text in the column in another language, or without one.

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
    parser.add_argument("--wide", action="store_true",
                        help="table: show every cell whole, however wide (default: fit the terminal)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", default=DEFAULT_TIMEOUT,
                        help=f"stop the query after this long (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--list", action="store_true", help="list the saved queries and their parameters")
    parser.add_argument("--limit", type=int, metavar="N", help="a SELECT: only N rows (a page; default: all)")
    parser.add_argument("--offset", type=int, metavar="N", default=0, help="a SELECT: skip the first N rows")
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
        text = query.query
        if args.limit is not None or args.offset:
            if query.page_size is None:
                raise ParameterError(f"--limit and --offset page the rows of a SELECT, not of a{'n' if query.kind == 'ask' else ''} "
                                     f"{query.kind.upper()} query")
            text = query.page(args.limit or MAX_PAGE, args.offset)
    except ParameterError as err:
        raise UsageError(f"{source}: {err.message}") from None

    from ..build import ValidationFailed
    from ..store import QueryError, embedded_engine
    from .common import load_build

    try:
        built = load_build(args)
    except ValidationFailed as failed:
        print(f"tskg query: error: the data does not pass validation ({len(failed.report.violations)} "
              f"violation(s)); run `tskg validate` to see them", file=sys.stderr)
        return EXIT_NONCONFORMING
    # One query at a time: one worker process is enough.
    engine = embedded_engine(built, workers=1, timeout=args.timeout)
    try:
        query.check_values(bindings, engine, args.timeout)
        _write(engine, query, text, bindings, args.format, args.timeout, sys.stdout, _width(sys.stdout, args.wide))
    except ParameterError as err:
        raise UsageError(f"{source}: {err.message}") from None
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
            try:
                text = read_source(Path(args.file), args.file).decode("utf-8-sig")
            except SourceError as err:
                raise UsageError(str(err)) from None
            except UnicodeDecodeError:
                raise UsageError(f"{args.file}: not UTF-8 text") from None
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


def _write(engine, query: SavedQuery, text: str, bindings: dict, fmt: str, timeout: float | None, out,
           width: int | None = None) -> None:
    """`text` (the query's, or a page of it) run with `bindings`, written in `fmt` to `out`."""
    if query.result_kind == "graph":
        if fmt == "json":
            output = engine.run(text, "application/ld+json", bindings=bindings, timeout=timeout)
            out.write(output.body.decode("utf-8"))
            return
        triples = engine.construct(text, bindings=bindings, timeout=timeout)
        columns = ["subject", "predicate", "object"]
        if fmt == "table":
            rows = [[term_json(t.subject), term_json(t.predicate), term_json(t.object)] for t in triples]
            out.write(render_result(columns, rows, width))
            out.write(f"({len(rows)} triple{'' if len(rows) == 1 else 's'}{_cut_note(columns, rows, width)})\n")
        else:
            writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_term_text(t.subject), _term_text(t.predicate), _term_text(t.object)] for t in triples)
        return
    output = engine.run(text, RESULT_MEDIA["json"], bindings=bindings, timeout=timeout)
    data = json.loads(output.body)
    if "boolean" not in data:
        data = without_parameter_columns(data, bindings)
    if fmt != "table":
        body = json.dumps(data, ensure_ascii=False).encode()
        if fmt != "json":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(
                format=ox.QueryResultsFormat.from_media_type(RESULT_MEDIA[fmt]))
        out.write(body.decode("utf-8") + ("\n" if fmt == "json" else ""))
        return
    if "boolean" in data:
        out.write(("true" if data["boolean"] else "false") + "\n")
        return
    columns = data["head"]["vars"]
    rows = [[b.get(v) for v in columns] for b in data["results"]["bindings"]]
    out.write(render_result(columns, rows, width))
    note = " (truncated)" if output.truncated else ""
    out.write(f"({len(rows)} row{'' if len(rows) == 1 else 's'}{note}{_cut_note(columns, rows, width)})\n")


def without_parameter_columns(data: dict, bindings: dict) -> dict:
    """SPARQL JSON results without the columns of the bound parameters: a saved query projects them
    (grlc's `$_name_type` convention) but their values are the ones the user gave, not results."""
    columns = [v for v in data["head"]["vars"] if v not in bindings]
    rows = [{k: v for k, v in b.items() if k not in bindings} for b in data["results"]["bindings"]]
    return {**data, "head": {**data["head"], "vars": columns}, "results": {"bindings": rows}}


def _width(out, wide: bool) -> int | None:
    """The width the table must fit: the terminal's, or $COLUMNS when not on a terminal; None (no limit)
    with --wide or when neither says."""
    if wide:
        return None
    if hasattr(out, "isatty") and out.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def cell_texts(columns: list[str], rows: list[list[dict | None]]) -> list[list[str]]:
    """Each result term (SPARQL JSON) as the table shows it: IRIs with the project's prefixes, literals by
    their value, with a language tag only where it tells cells apart: where the same text is in the column
    with another language tag, or with none."""
    ambiguous: list[set[str]] = []
    for i in range(len(columns)):
        tags: dict[str, set] = {}
        for row in rows:
            term = row[i]
            if term is not None and term["type"] == "literal" and "datatype" not in term:
                tags.setdefault(term["value"], set()).add(term.get("xml:lang"))
        ambiguous.append({text for text, found in tags.items() if len(found) > 1})
    return [[_json_term_text(term, term is not None and term["value"] in ambiguous[i]) for i, term in enumerate(row)]
            for row in rows]


def _json_term_text(term: dict | None, with_language: bool = False) -> str:
    if term is None:
        return ""
    if term["type"] == "uri":
        return _compact(term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    if with_language and "xml:lang" in term:
        return f"{term['value']} @{term['xml:lang']}"
    return term["value"]


def _term_text(term) -> str:
    """A term for csv/tsv (CONSTRUCT results): full IRIs, literals by their value."""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def render_result(columns: list[str], rows: list[list[dict | None]], width: int | None) -> str:
    """The table of a result: one line per row if it fits `width` (cells cut with … where needed), else
    one row at a time, a line per column, long values wrapped."""
    texts = cell_texts(columns, rows)
    if width is None or fits(columns, texts, width):
        return render_table(columns, texts, width)
    return render_records(columns, texts, width)


MIN_CELL = 6       # render_table cuts no cell shorter than this
USEFUL_CELL = 16   # a table whose columns cannot each keep this much (or their whole width) becomes records


def fits(columns: list[str], rows: list[list[str]], width: int) -> bool:
    """Whether a table can fit `width` with every column cut to no less than USEFUL_CELL (a narrower column
    keeps its whole width)."""
    needed = sum(min(USEFUL_CELL, w) for w in natural_widths(columns, rows))
    return needed + 2 * (len(columns) - 1) <= width


def natural_widths(columns: list[str], rows: list[list[str]]) -> list[int]:
    return [max([_display_width(c)] + [_display_width(" ".join(r[i].split())) for r in rows])
            for i, c in enumerate(columns)]


def _cut_note(columns: list[str], rows: list[list], width: int | None) -> str:
    if width is None:
        return ""
    texts = cell_texts(columns, rows)
    if sum(natural_widths(columns, texts)) + 2 * (len(columns) - 1) <= width or not fits(columns, texts, width):
        return ""  # whole, or shown as records (which wrap, never cut)
    return "; cells cut: --wide or --format csv shows them whole"


def render_records(columns: list[str], rows: list[list[str]], width: int) -> str:
    """One row at a time (as psql's expanded display): `column  value`, the value wrapped to `width`."""
    label = max(_display_width(c) for c in columns)
    room = max(width - label - 2, 10)
    out = []
    for number, row in enumerate(rows, 1):
        out.append(f"-- row {number} " + "-" * max(0, min(width, 40) - len(f"-- row {number} ")) + "\n")
        for column, value in zip(columns, row):
            lines = textwrap.wrap(" ".join(value.split()), room, break_long_words=True, break_on_hyphens=False) or [""]
            out.append(column + " " * (label - _display_width(column)) + "  " + lines[0] + "\n")
            out.extend(" " * (label + 2) + line + "\n" for line in lines[1:])
    return "".join(out)


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
    widths = natural_widths(columns, rows)
    if width is not None:
        budget = width - 2 * (len(columns) - 1)
        while sum(widths) > budget and max(widths) > MIN_CELL:
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
