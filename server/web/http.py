"""HTTP plumbing shared by every endpoint and page, in one place:

- content negotiation: of query results (`negotiate_result`, as /sparql and the saved queries answer
  them) and of RDF documents (`negotiate_document`, as the linked-data pages and /ontology answer them);
- errors as values: views raise `HttpError` (or the engine's `QueryError`) and one handler answers them
  (`error_response`: one line of text on /sparql; elsewhere HTML, JSON or text as the client reads),
  with Retry-After on a 503 that a retry may cure; 405 and 413 likewise on the API;
- `requested_timeout`: the `timeout` parameter, which may lower the configured limit, never raise it;
- `result_response`: a query result with its X-TSKG-* headers;
- headers on every response: no MIME sniffing; CORS (any origin, no credentials) on the API paths;
- a request body must arrive within REQUEST_BODY_TIMEOUT seconds (under gunicorn's gevent workers);
- `public_url`: absolute URLs from the configured public base URL, never from the Host header;
- HTTP caching of what the build determines (validators, 304, answers kept whole): server.web.caching,
  put in front of the app here.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from ..store import ASK_MEDIA_TYPES, FORMAT_NAMES, GRAPH_MEDIA_TYPES, SELECT_MEDIA_TYPES, QueryError, QueryOutput

API_PATHS = ("/sparql", "/queries", "/openapi.json")
EXPOSED_HEADERS = "X-TSKG-Truncated, X-TSKG-Row-Limit, X-TSKG-Rows, X-TSKG-Warning"


class HttpError(Exception):
    """An answer other than 200 that a view gives by raising; `init_app`'s handler writes it."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None, headers: dict | None = None,
                 details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after
        self.headers = headers or {}
        self.details = details or {}  # more fields for a JSON error body


def public_url(path: str = "/") -> str:
    """`path` on this server, absolute: from PUBLIC_URL in the configuration (`tskg serve --base-url`; by
    default the address it listens on), else from the socket the request came in on; never from Host."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        environ = request.environ
        host, port = environ.get("SERVER_NAME", "localhost"), environ.get("SERVER_PORT", "80")
        host = f"[{host}]" if ":" in host else host
        base = f"{request.scheme}://{host}:{port}/"
    return base.rstrip("/") + "/" + path.lstrip("/")


def plain_error(status: int, message: str, *, retry_after: int | None = None, headers: dict | None = None) -> Response:
    """A one-line text/plain error."""
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain", headers=headers or {})
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def error_response(status: int, message: str, *, retry_after: int | None = None, headers: dict | None = None,
                   details: dict | None = None) -> Response:
    """An error in the form the client reads: on /sparql always one line of text (the protocol's clients);
    elsewhere an HTML page for browsers (?format=html or HTML first in Accept), JSON for JSON clients
    ({"error": message, ...details}), else one line of text."""
    if not request.path.startswith("/sparql"):
        fmt = request.args.get("format", "").strip().lower()
        best = request.accept_mimetypes.best_match(["text/plain", "text/html", "application/json",
                                                    "application/sparql-results+json"])
        json_types = ("application/json", "application/sparql-results+json")
        page = None
        if fmt == "html" or (not fmt and best == "text/html"):
            page = Response(render_template("error.html", status=status, message=message), status=status,
                            mimetype="text/html", headers=headers or {})
        elif fmt == "json" or (not fmt and best in json_types):
            body = json.dumps({"error": message, **(details or {})}, indent=2, ensure_ascii=False) + "\n"
            page = Response(body, status=status, mimetype="application/json", headers=headers or {})
        if page is not None:
            if retry_after is not None:
                page.headers["Retry-After"] = str(retry_after)
            return page
    return plain_error(status, message, retry_after=retry_after, headers=headers)


def requested_timeout() -> float:
    """The configured limit, or less if the client asks (timeout=seconds); never more."""
    limit = float(current_app.config["QUERY_TIMEOUT"])
    raw = request.values.get("timeout")
    if raw is None or raw.strip() == "":
        return limit
    try:
        asked = float(raw)
    except ValueError:
        raise HttpError(400, f"timeout={raw!r} is not a number of seconds") from None
    if not asked > 0:
        raise HttpError(400, f"timeout={raw} must be more than 0 seconds")
    return min(asked, limit)


# --- query results ------------------------------------------------------------------------------------------

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


def negotiate_result(kind: str) -> str:
    """The media type for a `kind` ("select", "ask", "graph") result: the `format` parameter if given,
    else the Accept header (q-values honoured); HttpError 400 / 406 when neither gives one we offer."""
    fmt = request.values.get("format")
    accept = request.headers.get("Accept", "")
    key = (kind, fmt, accept)
    found = _NEGOTIATED.get(key)
    if found is None:
        found = _negotiate_result(kind, fmt, accept)
        if len(_NEGOTIATED) >= MAX_NEGOTIATED:
            _NEGOTIATED.clear()
        _NEGOTIATED[key] = found
    return found


# Negotiation depends on the kind, `format` and Accept alone, and clients send the same few again and again:
# its answers are kept (a few hundred at most), since parsing Accept costs more than the rest of a request.
_NEGOTIATED: dict[tuple, str] = {}
MAX_NEGOTIATED = 512


def _negotiate_result(kind: str, fmt: str | None, accept: str) -> str:
    offered = OFFERED[kind]
    names = [n for n, m in FORMAT_NAMES.items() if m in offered]
    if fmt:
        key = fmt.strip().lower()
        key = FORMAT_ALIASES[kind].get(key, key)
        media = FORMAT_NAMES.get(key, fmt.strip())
        if media not in offered:
            raise HttpError(400, f"format={fmt} does not apply to {_article(KIND_NAMES[kind])} result; "
                                 f"use one of: {', '.join(names)}")
        return media
    if not accept.strip():
        return offered[0]
    best = parse_accept_header(accept, MIMEAccept).best_match(list(offered) + list(ALIASES[kind]))
    if best is None:
        raise HttpError(
            406,
            f"none of the accepted media types ({accept}) can carry {_article(KIND_NAMES[kind])} "
            f"result; offered: {', '.join(offered)} (or format={'|'.join(names)})",
        )
    return ALIASES[kind].get(best, best)


def wants_html(kind: str) -> bool:
    """A browser asking for a page rather than for data (?format=html, or HTML first in Accept)."""
    wanted = request.args.get("format", "").strip().lower()
    if wanted:
        return wanted == "html"
    if not request.headers.get("Accept", "").strip():
        return False
    return request.accept_mimetypes.best_match(list(OFFERED[kind]) + list(ALIASES[kind]) + ["text/html"]) == "text/html"


def result_response(out: QueryOutput) -> Response:
    """A query result with the headers that say whether it was cut at the row limit."""
    content_type = out.media_type + ("; charset=utf-8" if out.media_type.startswith("text/") else "")
    headers = {"X-TSKG-Truncated": "true" if out.truncated else "false", "Vary": "Accept"}
    if out.rows is not None:
        headers["X-TSKG-Rows"] = str(out.rows)
    if out.truncated:
        headers["X-TSKG-Row-Limit"] = str(out.rows)
    return Response(out.body, status=200, content_type=content_type, headers=headers)


def _article(word: str) -> str:
    return ("an " if word[0] in "AEIOU" else "a ") + word


# --- RDF documents ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocFormat:
    key: str          # file extension and ?format= value
    label: str
    media_type: str
    rdf: ox.RdfFormat | None  # None: HTML


DOC_FORMATS = {
    f.key: f
    for f in [
        DocFormat("html", "HTML", "text/html", None),
        DocFormat("ttl", "Turtle", "text/turtle", ox.RdfFormat.TURTLE),
        DocFormat("jsonld", "JSON-LD", "application/ld+json", ox.RdfFormat.JSON_LD),
        DocFormat("nt", "N-Triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        DocFormat("rdf", "RDF/XML", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ]
}
RDF_DOC_FORMATS = [f for f in DOC_FORMATS.values() if f.rdf is not None]
DOC_FORMAT_ALIASES = {
    "turtle": "ttl", "json-ld": "jsonld", "json": "jsonld", "ntriples": "nt", "n-triples": "nt",
    "rdfxml": "rdf", "xml": "rdf", "rdf/xml": "rdf", "htm": "html",
}
# Media types we answer, in order of preference when the client rates several equally (browsers first).
NEGOTIABLE = [
    ("text/html", "html"), ("application/xhtml+xml", "html"),
    ("text/turtle", "ttl"), ("application/x-turtle", "ttl"),
    ("application/ld+json", "jsonld"), ("application/json", "jsonld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "rdf"),
]


def doc_format(name: str) -> DocFormat | None:
    """The document format named by an extension or a ?format= value, aliases included."""
    key = name.lower()
    return DOC_FORMATS.get(DOC_FORMAT_ALIASES.get(key, key))


def negotiate_document() -> DocFormat:
    """The format from ?format=, else from Accept (a missing or empty Accept means anything, hence HTML);
    HttpError 400 for an unknown ?format=, 406 when Accept names nothing we serve."""
    name = request.args.get("format")
    if name:
        found = doc_format(name)
        if found is None:
            raise HttpError(400, f"unknown format {name!r}; use one of: {', '.join(DOC_FORMATS)}",
                            headers={"Vary": "Accept"})
        return found
    header = request.headers.get("Accept", "").strip() or "*/*"
    accept = parse_accept_header(header, MIMEAccept)
    best = accept.best_match([m for m, _ in NEGOTIABLE], default=None)
    if best is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in NEGOTIABLE))
        raise HttpError(406, f"nothing here matches Accept: {header}; this resource is offered as {offered}",
                        headers={"Vary": "Accept"})
    return DOC_FORMATS[dict(NEGOTIABLE)[best]]


# --- the app's hooks -------------------------------------------------------------------------------------


def _deadline(seconds: float):
    """A context in which reading must finish within `seconds`: a gevent timeout under gunicorn's gevent
    workers (where a slow client costs a greenlet); elsewhere (tests, `flask run`) no limit."""
    try:
        from gevent import Timeout, monkey
    except ImportError:
        return contextlib.nullcontext()
    return Timeout(seconds) if monkey.is_module_patched("socket") else contextlib.nullcontext()


def _is_api(path: str) -> bool:
    return path.startswith(API_PATHS)


def init_app(app: Flask) -> None:
    """Register the error handlers and the hooks every request goes through (see the module docstring)."""
    from . import caching

    caching.init_app(app)

    @app.errorhandler(HttpError)
    @app.errorhandler(QueryError)
    def _error(err):
        return error_response(err.status, err.message, retry_after=err.retry_after,
                              headers=getattr(err, "headers", None), details=getattr(err, "details", None))

    @app.errorhandler(405)
    @app.errorhandler(413)
    def _api_error(err: HTTPException):
        """One-line errors on the API (other paths keep Flask's pages)."""
        if not _is_api(request.path):
            return err
        if err.code == 405:
            allowed = ", ".join(sorted(m for m in (err.valid_methods or []) if m != "OPTIONS")) or "GET"
            message = f"{request.method} is not allowed on {request.path}; use {allowed} (OPTIONS for CORS preflight)"
        else:
            message = f"the request body is larger than the {current_app.config['MAX_CONTENT_LENGTH']} bytes accepted"
        response = err.get_response()
        response.set_data(message + "\n")
        response.mimetype = "text/plain"
        return response

    @app.before_request
    def _read_body_in_time():
        if not request.content_length and "chunked" not in request.headers.get("Transfer-Encoding", ""):
            return None
        seconds = float(current_app.config["REQUEST_BODY_TIMEOUT"])
        try:
            with _deadline(seconds):
                request.get_data(cache=True)
        except BaseException as err:  # gevent.Timeout derives from BaseException
            if type(err).__name__ != "Timeout":
                raise
            return plain_error(408, f"the request body did not arrive within {seconds:g} s",
                               headers={"Connection": "close"})
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        if "X-Content-Type-Options" not in headers:
            headers["X-Content-Type-Options"] = "nosniff"
        if _is_api(request.path):  # any origin may query; no credentials (cookies) are involved
            vary = headers.get("Vary")
            if not vary:
                headers["Vary"] = "Accept"
            elif "accept" not in vary.lower().replace(" ", "").split(","):
                headers["Vary"] = vary + ", Accept"
            headers["Access-Control-Allow-Origin"] = "*"
            headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
                response.headers["Access-Control-Max-Age"] = "86400"
        return response
