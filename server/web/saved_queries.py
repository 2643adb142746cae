"""Saved queries over HTTP, in the manner of grlc and Datasette's canned queries:

    GET /queries              the list (HTML, or JSON by Accept or ?format=json)
    GET /queries/<name>       runs one; parameters from the query string; every result format
                              that /sparql offers (Accept or ?format=...), or an HTML page
    GET /openapi.json         an OpenAPI 3.1 document of /sparql, /queries and each saved query

Parameter values are bound as terms by the engine (see server.store.saved_queries), never spliced
into the query text.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from .. import __version__
from ..namespaces import PREFIXES
from ..store import FORMAT_NAMES, QueryError
from ..project import Project
from ..store.saved_queries import XSD, ParameterError, SavedQuery, SavedQueryError, load_folder
from .http import public_url

bp = Blueprint("saved_queries", __name__)

# Result media types, as /sparql offers them (server.engine), by the names ?format= takes.
RESULT_TYPES = {name: FORMAT_NAMES[name] for name in ("json", "xml", "csv", "tsv")}
ASK_TYPES = {name: FORMAT_NAMES[name] for name in ("json", "xml")}
GRAPH_TYPES = {name: FORMAT_NAMES[name] for name in ("turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig")}
HTML = "text/html"
RESERVED = ("format", "timeout")  # query-string names that are not parameters of a saved query
EXPOSED_HEADERS = "X-TSKG-Truncated, X-TSKG-Row-Limit, X-TSKG-Rows"


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


def _engine():
    from . import engine_for

    return engine_for()


def _media_types(query: SavedQuery) -> dict[str, str]:
    return {"graph": GRAPH_TYPES, "ask": ASK_TYPES}.get(query.result_kind, RESULT_TYPES)


def _negotiate(query: SavedQuery) -> str:
    """HTML for browsers (or ?format=html), else what /sparql would answer: the same `format` names,
    Accept with q-values, aliases and errors (QueryError 400 / 406)."""
    from .sparql import ALIASES, OFFERED, negotiate

    kind = query.result_kind
    wanted = request.args.get("format", "").strip().lower()
    if wanted == "html":
        return HTML
    if not wanted and request.headers.get("Accept", "").strip():
        best = request.accept_mimetypes.best_match(list(OFFERED[kind]) + list(ALIASES[kind]) + [HTML])
        if best == HTML:
            return HTML
    return negotiate(kind, request)


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Like /sparql: any origin may read saved query results and the API description, without credentials."""
    if request.path.startswith("/queries") or request.path == "/openapi.json":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.vary.add("Accept")
    return response


# ---------------------------------------------------------------------------------------- /queries


@bp.get("/queries")
@bp.get("/queries/")
def index():
    try:
        queries = saved_queries()
    except SavedQueryError as err:
        return _plain_error(500, f"a saved query file is broken: {err}")
    wanted = request.args.get("format", "").strip().lower()
    if wanted not in ("", "json", "html"):
        return _plain_error(400, f"format={wanted} does not apply to /queries; use json or html")
    if not wanted:
        accept = request.accept_mimetypes
        wanted = "json"
        if request.headers.get("Accept", "").strip():
            best = accept.best_match(["application/json", HTML])
            if best is None:
                return _plain_error(406, "not acceptable: /queries is served as application/json or text/html "
                                         "(or format=json|html)")
            wanted = "html" if best == HTML else "json"
    if wanted == "html":
        tags = sorted({t for q in queries.values() for t in q.tags})
        return render_template("queries.html", queries=list(queries.values()), tags=tags)
    listing = [dict(q.to_json(), url=public_url(url_for(".run", name=q.name))) for q in queries.values()]
    return _json({"queries": listing, "count": len(listing)})


@bp.get("/queries/<name>")
def run(name: str):
    try:
        queries = saved_queries()
    except SavedQueryError as err:
        return _plain_error(500, f"a saved query file is broken: {err}")
    query = queries.get(name)
    if query is None:
        known = ", ".join(queries) or "none"
        return _plain_error(404, f"no saved query named '{name}' (saved queries: {known})")

    try:
        media_type = _negotiate(query)
    except QueryError as err:
        return _plain_error(err.status, err.message)

    values = {k: v for k, v in request.args.items() if k not in RESERVED}
    try:
        repeated = [k for k, v in request.args.lists() if len(v) > 1]
        if repeated:
            raise ParameterError(f"parameter '{repeated[0]}' given {len(request.args.getlist(repeated[0]))} "
                                 f"times; send it once", repeated[0])
        bindings = query.bindings(values, ignore=RESERVED)
        from .sparql import requested_timeout

        timeout = requested_timeout()
    except ParameterError as err:
        return _error(query, media_type, 400, err.message, values, parameter=err.parameter)
    except QueryError as err:
        return _error(query, media_type, err.status, err.message, values)

    if media_type == HTML:
        return _html_page(query, values, bindings, timeout=timeout)

    try:
        output = _engine().run(query.query, media_type, bindings=bindings, timeout=timeout)
    except QueryError as err:
        response = _error(query, media_type, err.status, err.message, values)
        if err.retry_after is not None:
            response.headers["Retry-After"] = str(err.retry_after)
        return response
    content_type = output.media_type + ("; charset=utf-8" if output.media_type.startswith("text/") else "")
    response = Response(output.body, content_type=content_type)
    response.headers["X-TSKG-Truncated"] = "true" if output.truncated else "false"
    if output.rows is not None:
        response.headers["X-TSKG-Rows"] = str(output.rows)
    if output.truncated:
        response.headers["X-TSKG-Row-Limit"] = str(output.rows)
    return response


def _html_page(query: SavedQuery, values: dict, bindings: dict, *, error: str | None = None, status: int = 200,
               timeout: float | None = None):
    table = None
    truncated = False
    if error is None:
        try:
            table, truncated = _result_table(query, bindings, timeout)
        except QueryError as err:
            error, status = err.message, err.status
    offers = _media_types(query)
    here = url_for(".run", name=query.name)
    links = {short: f"{here}?{query_string({**values, 'format': short})}" for short in offers}
    body = render_template(
        "queries_run.html",
        compact=compact,
        query=query,
        values=values,
        table=table,
        truncated=truncated,
        error=error,
        links=links,
    )
    return Response(body, status=status, mimetype=HTML)


def _result_table(query: SavedQuery, bindings: dict, timeout: float | None) -> tuple[dict, bool]:
    """{"columns": [...], "rows": [[cell, ...]], "boolean": bool|None} for the HTML table."""
    engine = _engine()
    if query.result_kind == "graph":
        output = engine.run(query.query, "application/n-triples", bindings=bindings, timeout=timeout)
        triples = ox.parse(output.body, format=ox.RdfFormat.N_TRIPLES)
        rows = [[cell(_term_json(t.subject)), cell(_term_json(t.predicate)), cell(_term_json(t.object))] for t in triples]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "boolean": None}, output.truncated
    output = engine.run(query.query, RESULT_TYPES["json"], bindings=bindings, timeout=timeout)
    data = json.loads(output.body)
    if "boolean" in data:
        return {"columns": [], "rows": [], "boolean": data["boolean"]}, output.truncated
    # The parameters' own columns (projected only so they can be bound) are in the form already.
    parameter_variables = {p.variable for p in query.parameters}
    columns = [v for v in data["head"]["vars"] if v not in parameter_variables]
    rows = [[cell(b.get(v)) for v in columns] for b in data["results"]["bindings"]]
    return {"columns": columns, "rows": rows, "boolean": None}, output.truncated


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    found = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        found["datatype"] = term.datatype.value
    return found


def cell(term: dict | None) -> dict:
    """A result term as the table shows it: text, an optional link, and a hint (datatype or language)."""
    if term is None:
        return {"text": "", "href": None, "hint": ""}
    if term["type"] == "uri":
        local = _local_href(term["value"])
        return {"text": compact(term["value"]), "href": local or term["value"], "hint": "", "external": local is None}
    if term["type"] == "bnode":
        return {"text": "_:" + term["value"], "href": None, "hint": ""}
    datatype = term.get("datatype", "")
    if datatype.startswith(XSD) and datatype[len(XSD):] in ("integer", "decimal", "double", "nonNegativeInteger"):
        datatype = ""  # numbers speak for themselves; dates keep their precision (xsd:gYear, ...)
    language = term.get("xml:lang", "")
    hint = ("" if language == "en" else "@" + language) if language else compact(datatype)  # the graph is English
    return {"text": term["value"], "href": None, "hint": hint}


def _local_href(iri: str) -> str | None:
    """The page of this server that documents `iri` (the pages blueprint), if there is one."""
    if "pages" not in current_app.blueprints:
        return None
    from .pages import local_href

    return local_href(iri)


def compact(iri: str) -> str:
    """tskr:aleksandar-vucic for https://w3id.org/tskg/id/aleksandar-vucic."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _error(query: SavedQuery, media_type: str, status: int, message: str, values: dict, parameter=None):
    if media_type == HTML:
        return _html_page(query, values, {}, error=message, status=status)
    if "json" in media_type:
        return _json({"error": message, "parameter": parameter, "query": query.name}, status)
    return Response(message + "\n", status=status, mimetype="text/plain")


def _plain_error(status: int, message: str):
    """An error before a query runs: an HTML page for browsers, JSON for JSON clients, else one line of text
    (as /sparql answers)."""
    fmt = request.args.get("format", "").strip().lower()
    best = request.accept_mimetypes.best_match(["text/plain", HTML, "application/json", RESULT_TYPES["json"]])
    if fmt == "html" or (not fmt and best == HTML):
        body = render_template("queries_error.html", status=status, message=message)
        return Response(body, status=status, mimetype=HTML)
    if fmt == "json" or (not fmt and best in ("application/json", RESULT_TYPES["json"])):
        return _json({"error": message}, status)
    return Response(message + "\n", status=status, mimetype="text/plain")


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2, ensure_ascii=False) + "\n", status=status, mimetype="application/json")


# ----------------------------------------------------------------------------------- /openapi.json


@bp.get("/openapi.json")
def openapi():
    try:
        queries = saved_queries()
    except SavedQueryError as err:
        return _plain_error(500, f"a saved query file is broken: {err}")
    return _json(openapi_document(queries, public_url("/").rstrip("/")))


def openapi_document(queries: dict[str, SavedQuery], server_url: str) -> dict:
    """OpenAPI 3.1: the SPARQL endpoint, the list of saved queries and one operation per saved query."""
    result_content = {t: {"schema": {"type": "string"}} for t in RESULT_TYPES.values()}
    result_content[RESULT_TYPES["json"]] = {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
    graph_content = {t: {"schema": {"type": "string"}} for t in GRAPH_TYPES.values()}
    html_content = {HTML: {"schema": {"type": "string"}}}
    error_responses = {
        "400": {"description": "Bad parameter value or query syntax (the message says which and where)", "content": _error_content()},
        "406": {"description": "None of the accepted media types is offered", "content": _error_content()},
        "503": {"description": "The query timed out or the server is busy", "content": _error_content()},
    }

    paths: dict = {
        "/sparql": {
            "get": {
                "operationId": "sparqlQuery",
                "summary": "SPARQL 1.1 query endpoint",
                "description": (
                    "SPARQL 1.1 Protocol query operation. SELECT and ASK answer in SPARQL JSON, XML, CSV or TSV; "
                    "CONSTRUCT and DESCRIBE in Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG (Accept or format). "
                    "Without a query: the SPARQL service description. Read-only: updates are refused."
                ),
                "tags": ["sparql"],
                "parameters": [
                    {"name": "query", "in": "query", "required": False, "description": "The SPARQL query",
                     "schema": {"type": "string"}},
                    {"name": "default-graph-uri", "in": "query", "required": False, "explode": True,
                     "description": "A graph of the default graph (one of the store's graphs)",
                     "schema": {"type": "array", "items": {"type": "string", "format": "iri"}}},
                    {"name": "named-graph-uri", "in": "query", "required": False, "explode": True,
                     "description": "A named graph of the dataset (one of the store's graphs)",
                     "schema": {"type": "array", "items": {"type": "string", "format": "iri"}}},
                    _format_parameter(list(RESULT_TYPES) + list(GRAPH_TYPES)),
                    _TIMEOUT_PARAMETER,
                ],
                "responses": {
                    "200": {"description": "Query results, or the service description",
                            "content": {**result_content, **graph_content}},
                    **error_responses,
                },
            },
            "post": {
                "operationId": "sparqlQueryPost",
                "summary": "SPARQL 1.1 query endpoint (POST)",
                "description": "The query form-encoded, or the query itself as application/sparql-query.",
                "tags": ["sparql"],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "default-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
                                    "named-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
                                },
                                "required": ["query"],
                            }
                        },
                        "application/sparql-query": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "200": {"description": "Query results", "content": {**result_content, **graph_content}},
                    **error_responses,
                    "413": {"description": "The request body is too large", "content": _error_content()},
                    "415": {"description": "Unsupported request content type", "content": _error_content()},
                },
            },
        },
        "/queries": {
            "get": {
                "operationId": "listSavedQueries",
                "summary": "The saved queries",
                "description": "Every saved query with its title, description, tags and parameters.",
                "tags": ["saved queries"],
                "parameters": [_format_parameter(["json", "html"])],
                "responses": {
                    "200": {
                        "description": "The list",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/SavedQueryList"}},
                            **html_content,
                        },
                    }
                },
            }
        },
    }
    for query in queries.values():
        offers = _media_types(query)
        content = {t: {"schema": {"type": "string"}} for t in offers.values()}
        if query.result_kind != "graph":
            content[offers["json"]] = {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
        content.update(html_content)
        parameters = []
        for p in query.parameters:
            description = p.description or f"{p.describe_type()} bound to ?{p.variable}"
            parameters.append({
                "name": p.name,
                "in": "query",
                # A required parameter with a default may be left out: the default is used.
                "required": p.required and p.default is None,
                "description": description,
                "schema": p.schema(),
            })
        parameters.append(_format_parameter(list(offers) + ["html"]))
        parameters.append(_TIMEOUT_PARAMETER)
        paths[f"/queries/{query.name}"] = {
            "get": {
                "operationId": _operation_id(query.name),
                "summary": query.title,
                "description": query.description,
                "tags": list(query.tags) or ["saved queries"],
                "parameters": parameters,
                "responses": {
                    "200": {"description": "The query's results", "content": content},
                    **error_responses,
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tskg: Turkey–Serbia–Kosovo knowledge graph",
            "version": __version__,
            "description": (
                "A knowledge graph of Turkey–Serbia–Kosovo relations, queried over SPARQL 1.1 and through saved "
                "queries (grlc-style .rq files) whose parameters are bound as RDF terms."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": "sparql"}, {"name": "saved queries"}]
        + [{"name": t} for t in sorted({t for q in queries.values() for t in q.tags} - {"sparql", "saved queries"})],
        "paths": paths,
        "components": {
            "schemas": {
                "SparqlResults": {
                    "type": "object",
                    "description": "SPARQL 1.1 Query Results JSON Format",
                    "properties": {
                        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
                        "results": {
                            "type": "object",
                            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
                        },
                        "boolean": {"type": "boolean"},
                    },
                    "required": ["head"],
                },
                "SavedQueryList": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer"},
                        "queries": {"type": "array", "items": {"$ref": "#/components/schemas/SavedQuery"}},
                    },
                },
                "SavedQuery": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "kind": {"type": "string", "enum": ["select", "construct", "describe", "ask"]},
                        "url": {"type": "string", "format": "uri"},
                        "query": {"type": "string"},
                        "parameters": {"type": "array", "items": {"type": "object"}},
                    },
                    "required": ["name", "title", "description"],
                },
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}, "parameter": {"type": ["string", "null"]}},
                    "required": ["error"],
                },
            }
        },
    }


_TIMEOUT_PARAMETER = {
    "name": "timeout",
    "in": "query",
    "required": False,
    "description": "Seconds before the query is stopped; lowers the server's limit, never raises it",
    "schema": {"type": "number", "exclusiveMinimum": 0},
}


def _format_parameter(choices: list[str]) -> dict:
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The result format, instead of the Accept header",
        "schema": {"type": "string", "enum": choices},
    }


def _error_content() -> dict:
    return {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
        "text/plain": {"schema": {"type": "string"}},
    }


def _operation_id(name: str) -> str:
    parts = [p for p in name.replace("_", "-").split("-") if p]
    return "query" + "".join(p[:1].upper() + p[1:] for p in parts)


def query_string(values: dict) -> str:
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})
