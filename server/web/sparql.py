"""/sparql: the SPARQL 1.1 Protocol for queries (https://www.w3.org/TR/sparql11-protocol/).

- GET (and HEAD) ?query=..., POST application/x-www-form-urlencoded (query=...), POST
  application/sparql-query (the query is the body); default-graph-uri and named-graph-uri, repeatable,
  replace the query's dataset.
- Results: SELECT as SPARQL JSON, XML, CSV, TSV; ASK as JSON or XML; CONSTRUCT / DESCRIBE as Turtle,
  N-Triples, JSON-LD, RDF/XML, N-Quads, TriG. Accept negotiation with q-values, or a `format` parameter
  (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, nquads, trig) for links (server.web.http).
- `timeout` (seconds) lowers the configured limit (QUERY_TIMEOUT, 10 s); it never raises it.
- Row cap (MAX_ROWS): a longer result is cut, and the response says so in headers, leaving the body in
  its standard format: `X-TSKG-Truncated: true`, `X-TSKG-Row-Limit: N`, `X-TSKG-Rows: n` (exposed to
  browser scripts through CORS).
- A term of our ontology's namespace that the ontology does not define (`tsk:Persn`) is answered as
  usual, with an `X-TSKG-Warning: tsk:Persn is not in the ontology; did you mean tsk:Person?` header
  per such term (server.web.term_hints).
- Errors are text/plain with one line saying what is wrong: 400 syntax (line and column) or bad
  parameter, 403 SERVICE / LOAD / updates / graphs not in the store, 405 wrong method, 406 no acceptable
  format (the offered ones are listed), 413 body or query too long, 415 wrong Content-Type, 503 timeout
  or no free query process (with Retry-After when a retry may cure it).
- Read-only: updates (application/sparql-update, update=) get 403 with how the data changes instead.
- GET without a query: the SPARQL Service Description (server.web.service_description); browsers go
  to the query editor.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request, url_for

from ..namespaces import BASE
from ..store import READ_ONLY_MESSAGE
from . import service_description
from .engine import get_engine
from .http import HttpError, negotiate_result, public_url, requested_timeout, result_response
from .saved_queries import saved_queries_or_none
from .term_hints import HEADER, header_value, ontology_names, unknown_terms

bp = Blueprint("sparql", __name__)


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise HttpError(400, f"{len(values)} '{name}' parameters given; send exactly one")
    return values[0] if values else None


def _read_request() -> tuple[str | None, list[str], list[str]]:
    """The query and the protocol dataset of this request, or HttpError for a malformed request."""
    if "update" in request.args:
        raise HttpError(403, READ_ONLY_MESSAGE)
    if request.method in ("GET", "HEAD"):
        query = _one(request.args.getlist("query"), "query")
        return query, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri")

    mimetype = request.mimetype
    if mimetype == "application/x-www-form-urlencoded":
        if "update" in request.form:
            raise HttpError(403, READ_ONLY_MESSAGE)
        if "query" in request.args:
            raise HttpError(400, "with a form POST the query goes in the body, not in the URL")
        query = _one(request.form.getlist("query"), "query")
        if query is None:
            raise HttpError(400, "the form has no 'query' field")
        values = request.values  # the W3C tests put default-graph-uri in the URL of a form POST
        return query, values.getlist("default-graph-uri"), values.getlist("named-graph-uri")
    if mimetype == "application/sparql-query":
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise HttpError(415, f"the query must be sent as UTF-8, not {charset}")
        try:
            query = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError as err:
            raise HttpError(400, f"the query is not valid UTF-8 (byte {err.start})") from None
        return query, request.args.getlist("default-graph-uri"), request.args.getlist("named-graph-uri")
    if mimetype == "application/sparql-update":
        raise HttpError(403, READ_ONLY_MESSAGE)
    given = f"Content-Type {mimetype}" if mimetype else "no Content-Type"
    raise HttpError(
        415, f"a POST needs Content-Type application/x-www-form-urlencoded or application/sparql-query, not {given}"
    )


@bp.route("/sparql", methods=["GET", "HEAD", "POST"])
def sparql():
    query, default_graphs, named_graphs = _read_request()
    if query is None:
        return _service_description()
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if len(query) > limit:
        raise HttpError(413, f"the query is {len(query)} characters long; the limit is {limit}")
    if not query.strip():
        raise HttpError(400, "the query is empty")
    engine = get_engine()
    endpoint = public_url("/sparql")  # relative IRIs in a query resolve against the endpoint's URL
    # Read once: 403 for SERVICE and updates, 400 for what cannot be read, before anything else.
    info = engine.inspect(query, base_iri=endpoint)
    media_type = negotiate_result(info.kind or "select")
    out = engine.run(info, media_type, timeout=requested_timeout(), default_graph_uris=default_graphs,
                     named_graph_uris=named_graphs, base_iri=endpoint)
    response = result_response(out)
    for message in unknown_terms(info, ontology_names()):  # legal SPARQL that matches nothing: a warning
        response.headers.add(HEADER, header_value(message))
    return response


def _service_description() -> Response:
    """GET /sparql without a query: RDF by content negotiation; browsers go to the query editor."""
    accept = request.accept_mimetypes
    browser = request.headers.get("Accept") and accept.best_match(
        service_description.MEDIA_TYPES + ["text/html"]) == "text/html"
    if browser and not request.values.get("format"):
        target = url_for("editor.query_page")
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=303)
    media_type = negotiate_result("graph") if not browser else "text/turtle"
    triples = service_description.describe(public_url("/sparql"), get_engine().stats(), saved_queries_or_none())
    body = service_description.serialize(triples, media_type, {"tskg": BASE})
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(body, content_type=content_type, headers={"Vary": "Accept"})
