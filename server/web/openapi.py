"""The OpenAPI 3.1 document of the HTTP API: /sparql, /queries and one operation per saved query.
A pure generator (saved queries and a server URL in, a dict out); server.web.saved_queries serves it
at /openapi.json."""

from __future__ import annotations

from .. import __version__
from ..store import FORMAT_NAMES
from ..store.saved_queries import MAX_PAGE, SavedQuery

HTML = "text/html"
RESULT_TYPES = {name: FORMAT_NAMES[name] for name in ("json", "xml", "csv", "tsv")}
ASK_TYPES = {name: FORMAT_NAMES[name] for name in ("json", "xml")}
GRAPH_TYPES = {name: FORMAT_NAMES[name] for name in ("turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig")}


def result_formats(query: SavedQuery) -> dict[str, str]:
    """The result formats of a saved query, by the names ?format= takes."""
    return {"graph": GRAPH_TYPES, "ask": ASK_TYPES}.get(query.result_kind, RESULT_TYPES)


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
        offers = result_formats(query)
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
        if query.page_size is not None:
            parameters += _page_parameters(query.page_size)
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


def _page_parameters(page_size: int) -> list[dict]:
    """limit and offset of a SELECT saved query (server.store.saved_queries.SavedQuery.page)."""
    return [
        {"name": "limit", "in": "query", "required": False,
         "description": "Rows of the page (a Link header with rel=next leads on when the page is full)",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": page_size}},
        {"name": "offset", "in": "query", "required": False, "description": "Rows skipped before the page",
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
    ]


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
