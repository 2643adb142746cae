"""Saved queries over HTTP, in the manner of grlc and Datasette's canned queries:

    GET /queries              the list (HTML, or JSON by Accept or ?format=json)
    GET /queries/<name>       runs one; parameters from the query string; every result format
                              that /sparql offers (Accept or ?format=...), or an HTML page;
                              a SELECT's rows in pages: limit (default the query's page size) and
                              offset, with Link headers to the next and previous pages
    GET /openapi.json         an OpenAPI 3.1 document of /sparql, /queries and each saved query

Parameter values are checked against their type (server.store.saved_queries) and bound as RDF terms by
the engine, never spliced into the query text.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from ..project import Project
from ..store import QueryError
from ..store.formats import term_json
from ..store.saved_queries import XSD, ParameterError, SavedQuery, SavedQueryError, load_folder
from .engine import get_engine
from .http import HttpError, negotiate_result, public_url, requested_timeout, result_response, wants_html
from .openapi import RESULT_TYPES, openapi_document, result_formats
from .pages.present import compact, local_href
from .pages.search_index import expand
from .pickers import FILTER_FROM, pickers

bp = Blueprint("saved_queries", __name__)

HTML = "text/html"
RESERVED = ("format", "timeout", "limit", "offset")  # query-string names that are not parameters of a saved query


def saved_queries() -> dict[str, SavedQuery]:
    """The queries/ folder, read again when a file in it changes (so edits show without a restart)."""
    folder = Project.locate(current_app.config.get("TSKG_ROOT")).queries_dir
    files = sorted(folder.glob("*.rq"))
    signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    cached = current_app.extensions.get("tskg.saved_queries")
    if cached is None or cached[0] != signature:
        cached = (signature, load_folder(folder))
        current_app.extensions["tskg.saved_queries"] = cached
    return cached[1]


def saved_queries_or_none() -> dict[str, SavedQuery]:
    """The saved queries, or none when a file is broken (for listings that must not fail with it)."""
    try:
        return saved_queries()
    except SavedQueryError as err:
        current_app.logger.warning("saved queries not listed: %s", err)
        return {}


def _all_or_500() -> dict[str, SavedQuery]:
    try:
        return saved_queries()
    except SavedQueryError as err:
        raise HttpError(500, f"a saved query file is broken: {err}") from None


@bp.get("/queries")
@bp.get("/queries/")
def index():
    queries = _all_or_500()
    wanted = request.args.get("format", "").strip().lower()
    if wanted not in ("", "json", "html"):
        raise HttpError(400, f"format={wanted} does not apply to /queries; use json or html")
    if not wanted:
        wanted = "json"
        if request.headers.get("Accept", "").strip():
            best = request.accept_mimetypes.best_match(["application/json", HTML])
            if best is None:
                raise HttpError(406, "not acceptable: /queries is served as application/json or text/html "
                                     "(or format=json|html)")
            wanted = "html" if best == HTML else "json"
    if wanted == "html":
        tags = sorted({t for q in queries.values() for t in q.tags})
        return render_template("saved_queries/index.html", queries=list(queries.values()), tags=tags)
    listing = [dict(q.to_json(), url=public_url(url_for(".run", name=q.name))) for q in queries.values()]
    return _json({"queries": listing, "count": len(listing)})


@bp.get("/queries/<name>")
def run(name: str):
    queries = _all_or_500()
    query = queries.get(name)
    if query is None:
        raise HttpError(404, f"no saved query named '{name}' (saved queries: {', '.join(queries) or 'none'})")
    html = wants_html(query.result_kind)
    media_type = HTML if html else negotiate_result(query.result_kind)

    values = {k: v for k, v in request.args.items() if k not in RESERVED}
    try:
        repeated = [k for k, v in request.args.lists() if len(v) > 1]
        if repeated:
            raise ParameterError(f"parameter '{repeated[0]}' given {len(request.args.getlist(repeated[0]))} "
                                 f"times; send it once", repeated[0])
        bindings = query.bindings(values, ignore=RESERVED)
        page = _page(query)
        timeout = requested_timeout()
        query.check_values(bindings, get_engine(), timeout)  # "no such resource", "no sentence 999 (…)"
    except (ParameterError, HttpError) as err:
        if html:
            return _html_page(query, values, {}, error=err.message, status=getattr(err, "status", 400))
        details = {"parameter": getattr(err, "parameter", None), "query": query.name}
        raise HttpError(getattr(err, "status", 400), err.message, details=details) from None

    if html:
        return _html_page(query, values, bindings, timeout=timeout, page=page)
    try:
        output = get_engine().run(query.page(*page), media_type, bindings=bindings, timeout=timeout)
    except QueryError as err:
        raise HttpError(err.status, err.message, retry_after=err.retry_after,
                        details={"parameter": None, "query": query.name}) from None
    response = result_response(output)
    links = _page_links(query, page, output.rows)
    if links:
        response.headers["Link"] = ", ".join(f'<{public_url(url)}>; rel="{rel}"' for rel, url in links.items())
    return response


def _page(query: SavedQuery) -> tuple[int | None, int]:
    """(limit, offset) asked for in the query string; ParameterError for what is not a page."""
    numbers = []
    for name in ("limit", "offset"):
        raw = request.args.get(name)
        if raw is None or raw == "":
            numbers.append(None)
            continue
        if query.page_size is None:
            raise ParameterError(f"{name} pages the rows of a SELECT; {query.name} is a{'n' if query.kind == 'ask' else ''} "
                                 f"{query.kind.upper()} query", name)
        if not raw.isdigit():
            raise ParameterError(f"{name} must be a whole number, not '{raw[:40]}'", name)
        numbers.append(int(raw))
    limit, offset = numbers[0], numbers[1] or 0
    query.page(limit, offset)  # checks the range
    return limit, offset


def _page_links(query: SavedQuery, page: tuple[int | None, int], rows: int | None) -> dict[str, str]:
    """rel → URL of the neighbouring pages: "next" when this page is full, "prev" when it is not the first."""
    if query.page_size is None or rows is None:
        return {}
    limit, offset = page[0] or query.page_size, page[1]
    here = {k: v for k, v in request.args.items() if k not in ("limit", "offset")}
    if page[0] is not None:
        here["limit"] = limit
    base = url_for(".run", name=query.name)
    links = {}
    if rows >= limit:
        links["next"] = f"{base}?{query_string({**here, 'offset': offset + limit})}"
    if offset > 0:
        links["prev"] = f"{base}?{query_string({**here, 'offset': max(0, offset - limit)})}"
    return links


@bp.get("/openapi.json")
def openapi():
    return _json(openapi_document(_all_or_500(), public_url("/").rstrip("/")))


# --- the HTML page of one saved query ---------------------------------------------------------------------


def _html_page(query: SavedQuery, values: dict, bindings: dict, *, error: str | None = None, status: int = 200,
               timeout: float | None = None, page: tuple[int | None, int] = (None, 0)):
    table = None
    truncated = False
    pages = {}
    if error is None:
        try:
            table, truncated = _result_table(query, bindings, timeout, page)
            pages = _page_links(query, page, len(table["rows"]))
        except QueryError as err:
            error, status = err.message, err.status
    here = url_for(".run", name=query.name)
    shown = {**values, **{k: request.args[k] for k in ("limit", "offset") if request.args.get(k)}}
    links = {short: f"{here}?{query_string({**shown, 'format': short})}" for short in result_formats(query)}
    body = render_template("saved_queries/run.html", compact=compact, expand=expand, query=query, values=values,
                           table=table, truncated=truncated, error=error, links=links, pickers=pickers(query),
                           pages=pages, first_row=page[1] + 1,
                           filter_from=FILTER_FROM)
    return Response(body, status=status, mimetype=HTML)


def _result_table(query: SavedQuery, bindings: dict, timeout: float | None, page: tuple[int | None, int]
                  ) -> tuple[dict, bool]:
    """{"columns": [...], "rows": [[cell, ...]], "boolean": bool|None} for the HTML table."""
    engine = get_engine()
    if query.result_kind == "graph":
        output = engine.run(query.query, "application/n-triples", bindings=bindings, timeout=timeout)
        triples = ox.parse(output.body, format=ox.RdfFormat.N_TRIPLES)
        rows = [[cell(term_json(t.subject)), cell(term_json(t.predicate)), cell(term_json(t.object))] for t in triples]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "boolean": None}, output.truncated
    output = engine.run(query.page(*page), RESULT_TYPES["json"], bindings=bindings, timeout=timeout)
    data = json.loads(output.body)
    if "boolean" in data:
        return {"columns": [], "rows": [], "boolean": data["boolean"]}, output.truncated
    # The parameters' own columns (projected only so they can be bound) are in the form already.
    parameter_variables = {p.variable for p in query.parameters}
    columns = [v for v in data["head"]["vars"] if v not in parameter_variables]
    rows = [[cell(b.get(v)) for v in columns] for b in data["results"]["bindings"]]
    return {"columns": columns, "rows": rows, "boolean": None}, output.truncated


def cell(term: dict | None) -> dict:
    """A result term as the table shows it: text, an optional link, and a hint (datatype or language)."""
    if term is None:
        return {"text": "", "href": None, "hint": ""}
    if term["type"] == "uri":
        local = local_href(term["value"])
        return {"text": compact(term["value"]), "href": local or term["value"], "hint": "", "external": local is None}
    if term["type"] == "bnode":
        return {"text": "_:" + term["value"], "href": None, "hint": ""}
    datatype = term.get("datatype", "")
    if datatype.startswith(XSD) and datatype[len(XSD):] in ("integer", "decimal", "double", "nonNegativeInteger"):
        datatype = ""  # numbers speak for themselves; dates keep their precision (xsd:gYear, ...)
    language = term.get("xml:lang", "")
    hint = ("" if language == "en" else "@" + language) if language else compact(datatype)  # the graph is English
    return {"text": term["value"], "href": None, "hint": hint}


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2, ensure_ascii=False) + "\n", status=status, mimetype="application/json")


def query_string(values: dict) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
