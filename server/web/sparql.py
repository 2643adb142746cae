"""/sparql: the SPARQL 1.1 Protocol for queries (https://www.w3.org/TR/sparql11-protocol/).

- GET ?query=..., POST application/x-www-form-urlencoded (query=...), POST application/sparql-query
  (the query is the body); default-graph-uri and named-graph-uri, repeatable, replace the query's dataset.
- Results: SELECT as SPARQL JSON, XML, CSV, TSV; ASK as JSON or XML; CONSTRUCT / DESCRIBE as Turtle,
  N-Triples, JSON-LD, RDF/XML, N-Quads, TriG. Accept negotiation with q-values, or a `format` parameter
  (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, nquads, trig) for links.
- `timeout` (seconds) lowers the configured limit (QUERY_TIMEOUT, 10 s); it never raises it.
- Row cap (MAX_ROWS): a longer result is cut, and the response says so in headers, leaving the body in
  its standard format: `X-TSKG-Truncated: true`, `X-TSKG-Row-Limit: N`, `X-TSKG-Rows: n` (exposed to
  browser scripts through CORS).
- Errors are text/plain with one line saying what is wrong: 400 syntax (line and column) or bad
  parameter, 403 SERVICE / LOAD / updates / graphs not in the store, 405 wrong method, 406 no acceptable
  format (the offered ones are listed), 413 body or query too long, 415 wrong Content-Type, 503 timeout.
- Read-only: updates (application/sparql-update, update=) get 403 with how the data changes instead.
- GET without a query: the SPARQL Service Description, or for browsers the query page.
- CORS: `Access-Control-Allow-Origin: *`, no credentials; preflight OPTIONS answered.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.exceptions import HTTPException

from ..store import (
    ASK_MEDIA_TYPES,
    FORMAT_NAMES,
    GRAPH_MEDIA_TYPES,
    READ_ONLY_MESSAGE,
    SELECT_MEDIA_TYPES,
    QueryError,
)
from .http import plain_error, public_url

bp = Blueprint("sparql", __name__)

OFFERED = {"select": SELECT_MEDIA_TYPES, "ask": ASK_MEDIA_TYPES, "graph": GRAPH_MEDIA_TYPES}
# Media types clients send that mean one of ours.
ALIASES = {
    "select": {"application/json": SELECT_MEDIA_TYPES[0], "application/xml": SELECT_MEDIA_TYPES[1],
               "text/xml": SELECT_MEDIA_TYPES[1]},
    "ask": {"application/json": SELECT_MEDIA_TYPES[0], "application/xml": SELECT_MEDIA_TYPES[1],
            "text/xml": SELECT_MEDIA_TYPES[1]},
    "graph": {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
              "text/plain": "application/n-triples", "application/x-turtle": "text/turtle"},
}
# `format` values beyond FORMAT_NAMES: what SPARQLWrapper and other clients send (SPARQLWrapper adds
# format=n3, json-ld or xml to CONSTRUCT requests, meaning Turtle, JSON-LD, RDF/XML).
FORMAT_ALIASES = {
    "select": {"srj": "json", "srx": "xml"},
    "ask": {"srj": "json", "srx": "xml"},
    "graph": {"ttl": "turtle", "n3": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld",
              "json": "jsonld", "rdf+xml": "rdfxml", "rdf": "rdfxml", "xml": "rdfxml", "n-quads": "nquads",
              "nq": "nquads"},
}
KIND_NAMES = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT or DESCRIBE"}
EXPOSED_HEADERS = "X-TSKG-Truncated, X-TSKG-Row-Limit, X-TSKG-Rows"


def negotiate(kind: str, req=None) -> str:
    """The media type for a `kind` result: the `format` parameter if given, else the Accept header."""
    req = req or request
    offered = OFFERED[kind]
    names = [n for n, m in FORMAT_NAMES.items() if m in offered]
    fmt = req.values.get("format")
    if fmt:
        key = fmt.strip().lower()
        key = FORMAT_ALIASES[kind].get(key, key)
        media = FORMAT_NAMES.get(key, fmt.strip())
        if media not in offered:
            raise QueryError(400, f"format={fmt} does not apply to {_article(KIND_NAMES[kind])} result; "
                                  f"use one of: {', '.join(names)}")
        return media
    if not req.headers.get("Accept", "").strip():
        return offered[0]
    best = req.accept_mimetypes.best_match(list(offered) + list(ALIASES[kind]))
    if best is None:
        raise QueryError(
            406,
            f"none of the accepted media types ({req.headers['Accept']}) can carry {_article(KIND_NAMES[kind])} "
            f"result; offered: {', '.join(offered)} (or format={'|'.join(names)})",
        )
    return ALIASES[kind].get(best, best)


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise QueryError(400, f"{len(values)} '{name}' parameters given; send exactly one")
    return values[0] if values else None


def _read_request() -> tuple[str | None, list[str], list[str]]:
    """The query and the protocol dataset of this request, or QueryError for a malformed request."""
    if "update" in request.args:
        raise QueryError(403, READ_ONLY_MESSAGE)
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            raise QueryError(403, READ_ONLY_MESSAGE)
        query = _one(request.args.getlist("query"), "query")
        return query, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri")

    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        if "update" in request.form or "update" in request.args:
            raise QueryError(403, READ_ONLY_MESSAGE)
        if "query" in request.args:
            raise QueryError(400, "with a form POST the query goes in the body, not in the URL")
        query = _one(request.form.getlist("query"), "query")
        if query is None:
            raise QueryError(400, "the form has no 'query' field")
        values = request.values  # the W3C tests put default-graph-uri in the URL of a form POST
        return query, values.getlist("default-graph-uri"), values.getlist("named-graph-uri")
    if mimetype == "application/sparql-query":
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise QueryError(415, f"the query must be sent as UTF-8, not {charset}")
        try:
            query = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError as err:
            raise QueryError(400, f"the query is not valid UTF-8 (byte {err.start})") from None
        return query, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri")
    if mimetype == "application/sparql-update" or "update" in request.args:
        raise QueryError(403, READ_ONLY_MESSAGE)
    given = f"Content-Type {mimetype}" if mimetype else "no Content-Type"
    raise QueryError(
        415, f"a POST needs Content-Type application/x-www-form-urlencoded or application/sparql-query, not {given}"
    )


def requested_timeout() -> float:
    """The configured limit, or less if the client asks (timeout=seconds); never more."""
    limit = float(current_app.config["QUERY_TIMEOUT"])
    raw = request.values.get("timeout")
    if raw is None or raw.strip() == "":
        return limit
    try:
        asked = float(raw)
    except ValueError:
        raise QueryError(400, f"timeout={raw!r} is not a number of seconds") from None
    if not asked > 0:
        raise QueryError(400, f"timeout={raw} must be more than 0 seconds")
    return min(asked, limit)


@bp.route("/sparql", methods=["GET", "HEAD", "POST"])
def sparql():
    from . import engine_for
    from .service_description import service_description

    try:
        query, default_graphs, named_graphs = _read_request()
        if query is None:
            return service_description()
        limit = current_app.config["MAX_QUERY_LENGTH"]
        if len(query) > limit:
            raise QueryError(413, f"the query is {len(query)} characters long; the limit is {limit}")
        if not query.strip():
            raise QueryError(400, "the query is empty")
        engine = engine_for()
        # Read once: 403 for SERVICE and updates, 400 for what cannot be read, before anything else.
        # Relative IRIs in a query resolve against the endpoint's public URL.
        info = engine.inspect(query, base_iri=public_url("/sparql"))
        media_type = negotiate(info.kind or "select")
        timeout = requested_timeout()
        out = engine.run(info, media_type, timeout=timeout, default_graph_uris=default_graphs,
                         named_graph_uris=named_graphs, base_iri=public_url("/sparql"))
    except QueryError as err:
        return plain_error(err.status, err.message, retry_after=err.retry_after)
    headers = {"Vary": "Accept", "X-TSKG-Truncated": "true" if out.truncated else "false"}
    if out.rows is not None:
        headers["X-TSKG-Rows"] = str(out.rows)
    if out.truncated:
        headers["X-TSKG-Row-Limit"] = str(out.rows)
    content_type = out.media_type + ("; charset=utf-8" if out.media_type.startswith("text/") else "")
    return Response(out.body, status=200, content_type=content_type, headers=headers)


@bp.app_errorhandler(405)
@bp.app_errorhandler(413)
def _http_error(err: HTTPException):
    """Plain one-line errors on /sparql (others keep Flask's pages)."""
    if not request.path.startswith("/sparql"):
        return err
    if err.code == 405:
        message = f"{request.method} is not allowed on /sparql; use GET or POST (OPTIONS for CORS preflight)"
    else:
        message = (f"the request body is larger than the {current_app.config['MAX_CONTENT_LENGTH']} bytes "
                   f"accepted")
    response = err.get_response()
    response.set_data(message + "\n")
    response.mimetype = "text/plain"
    return response


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Any origin may query; no credentials (cookies) are involved."""
    if request.path.startswith("/sparql"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def redirect_to_query_page():
    """Browsers asking /sparql for HTML go to the query page when the pages blueprint has one."""
    adapter = current_app.url_map.bind("")
    try:
        adapter.match("/query", method="GET")
    except HTTPException:
        return None
    target = "/query"
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=303)


def _article(word: str) -> str:
    return ("an " if word[0] in "AEIOU" else "a ") + word
