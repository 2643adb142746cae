"""Result formats: the media types each query form is offered in, and the serialization of results.

SELECT and ASK results as SPARQL JSON, XML, CSV and TSV (ASK: JSON and XML, the formats that define a
boolean); CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD (compact, server.jsonld), RDF/XML, N-Quads
and TriG.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from .. import jsonld
from ..namespaces import PREFIXES
from .errors import QueryError

SELECT_MEDIA_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
ASK_MEDIA_TYPES = SELECT_MEDIA_TYPES[:2]  # CSV and TSV define no boolean form
GRAPH_MEDIA_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
]
MEDIA_TYPES = {"select": SELECT_MEDIA_TYPES, "ask": ASK_MEDIA_TYPES, "graph": GRAPH_MEDIA_TYPES}
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
RESULTS_FORMATS = {m: ox.QueryResultsFormat.from_media_type(m) for m in SELECT_MEDIA_TYPES}
RDF_FORMATS = {m: ox.RdfFormat.from_media_type(m) for m in GRAPH_MEDIA_TYPES}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class QueryOutput:
    kind: str  # "select" | "ask" | "graph" (CONSTRUCT / DESCRIBE)
    body: bytes
    media_type: str
    truncated: bool
    rows: int | None


def term_json(term) -> dict:
    """A pyoxigraph term in the SPARQL 1.1 Query Results JSON Format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if getattr(term, "direction", None) is not None:
                out["its:dir"] = term.direction.value
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def serialize_whole(result, media_type: str, max_rows: int | None) -> QueryOutput | None:
    """A SELECT or ASK result serialized by pyoxigraph, all of it, with its rows counted; None when a
    SELECT result has more than `max_rows` rows (the caller then cuts it with `serialize_result`).
    For results already bounded to `max_rows` + 1 rows (server.store.inspect.limit_solutions): the
    engine writes them far faster than Python does, and the bytes are the same."""
    if isinstance(result, ox.QueryBoolean) or not isinstance(result, ox.QuerySolutions):
        return serialize_result(result, media_type, max_rows)
    fmt = RESULTS_FORMATS.get(media_type)
    if fmt is None:
        raise QueryError(406, f"a SELECT result is offered as {', '.join(SELECT_MEDIA_TYPES)}, not {media_type}")
    body = result.serialize(format=fmt)
    rows = count_rows(body, fmt)
    if max_rows is not None and rows > max_rows:
        return None
    return QueryOutput("select", body, media_type, False, rows)


def count_rows(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    """The solutions in a SELECT result as pyoxigraph writes it (CSV and TSV: a header line, then one line
    per solution, TSV escaping line breaks, CSV quoting values that hold them; XML: one <result> element
    each, text escaped)."""
    if fmt == ox.QueryResultsFormat.JSON:
        return len(json.loads(body)["results"]["bindings"])
    if fmt == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")
    if fmt == ox.QueryResultsFormat.CSV and b'"' in body:
        return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1
    return body.count(b"\n") - 1


def serialize_result(result, media_type: str, max_rows: int | None) -> QueryOutput:
    """Serialize a pyoxigraph result (QueryBoolean, QuerySolutions, or an iterable of Triples) to
    `media_type`, keeping at most `max_rows` rows or triples.

    pyoxigraph serializes whole result iterators only, so SELECT rows are capped while writing SPARQL
    JSON here, and other formats are produced by pyoxigraph from that JSON."""
    if isinstance(result, ox.QueryBoolean):
        fmt = RESULTS_FORMATS.get(media_type) if media_type in ASK_MEDIA_TYPES else None
        if fmt is None:
            raise QueryError(406, f"an ASK result is offered as {', '.join(ASK_MEDIA_TYPES)}, not {media_type}")
        return QueryOutput("ask", result.serialize(format=fmt), media_type, False, None)
    if isinstance(result, ox.QuerySolutions):
        fmt = RESULTS_FORMATS.get(media_type)
        if fmt is None:
            raise QueryError(406, f"a SELECT result is offered as {', '.join(SELECT_MEDIA_TYPES)}, not {media_type}")
        names = [v.value for v in result.variables]
        bindings = []
        for solution in islice(result, max_rows + 1 if max_rows is not None else None):
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = term_json(value)
            bindings.append(row)
        truncated = max_rows is not None and len(bindings) > max_rows
        if truncated:
            del bindings[max_rows:]
        body = json.dumps(
            {"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False, separators=(",", ":")
        ).encode()
        if fmt != ox.QueryResultsFormat.JSON:
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
        return QueryOutput("select", body, media_type, truncated, len(bindings))
    fmt = RDF_FORMATS.get(media_type)
    if fmt is None:
        raise QueryError(
            406, f"a CONSTRUCT or DESCRIBE result is offered as {', '.join(GRAPH_MEDIA_TYPES)}, not {media_type}"
        )
    triples = list(islice(result, max_rows + 1 if max_rows is not None else None))
    truncated = max_rows is not None and len(triples) > max_rows
    if truncated:
        del triples[max_rows:]
    if fmt == ox.RdfFormat.JSON_LD:
        body = jsonld.serialize(triples, PREFIXES)  # compact, the project's prefixes as @context
    elif fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        body = ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    else:
        body = ox.serialize(triples, format=fmt)
    return QueryOutput("graph", body, media_type, truncated, len(triples))
