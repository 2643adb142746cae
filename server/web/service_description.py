"""The SPARQL 1.1 Service Description of /sparql (https://www.w3.org/TR/sparql11-service-description/),
with VoID statistics per graph and the saved queries: a pure generator (triples in, bytes out) that
server.web.sparql serves for GET /sparql without a query, and that imports nothing of the web layer.

Entailment: the store holds the OWL 2 RL closure of the ontology and the data, materialized at build time
(graph/inferred), so queries over the default graph see OWL 2 RL consequences with plain matching. The
Service Description spec names that with the regime ent:OWL-RDF-Based and the profile owl-profile:RL
(there is no ent:OWL-RL IRI).
"""

from __future__ import annotations

import pyoxigraph as ox

from .. import jsonld
from ..namespaces import PREFIXES
from ..store import GRAPH_MEDIA_TYPES

MEDIA_TYPES = GRAPH_MEDIA_TYPES

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
ENT = "http://www.w3.org/ns/entailment/"
OWL_PROFILE = "http://www.w3.org/ns/owl-profile/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

RESULT_FORMATS = [
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG",
]
SD_PREFIXES = {
    "sd": SD, "void": VOID, "formats": FORMATS, "ent": ENT, "rdfs": RDFS, "dcterms": DCTERMS, "sh": SH,
    "schema": SCHEMA, "xsd": "http://www.w3.org/2001/XMLSchema#",
}
# The query form of a saved query → the SHACL property carrying its text (as UniProt's examples do).
_EXECUTABLE = {"select": "select", "ask": "ask", "construct": "construct", "describe": "describe"}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def describe(endpoint: str, graph_stats: dict, saved_queries: dict | None = None) -> list[ox.Triple]:
    """The triples describing the endpoint at `endpoint`; `graph_stats` as from Engine.stats()."""
    service = _n(endpoint)
    a = _n(RDF_TYPE)
    triples = [
        ox.Triple(service, a, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), service),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultEntailmentRegime"), _n(ENT + "OWL-RDF-Based")),
        ox.Triple(service, _n(SD + "defaultSupportedEntailmentProfile"), _n(OWL_PROFILE + "RL")),
        ox.Triple(service, _n(DCTERMS + "title"), ox.Literal("Turkey–Serbia–Kosovo knowledge graph", language="en")),
        ox.Triple(service, _n(RDFS + "comment"), ox.Literal(
            "Read-only SPARQL 1.1 query endpoint. The default graph is the union of the named graphs; the OWL 2 RL "
            "closure is materialized in the inferred graph. SERVICE, LOAD and updates are refused; data changes "
            "by editing the Turtle files in graph/ and opening a pull request.", language="en")),
    ]
    triples += [ox.Triple(service, _n(SD + "resultFormat"), _n(FORMATS + f)) for f in RESULT_FORMATS]

    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples += [
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, a, _n(SD + "Dataset")),
        ox.Triple(dataset, a, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, a, _n(SD + "Graph")),
        ox.Triple(default_graph, _n(RDFS + "comment"), ox.Literal("the union of the named graphs", language="en")),
    ]
    for iri, figures in sorted(graph_stats.items()):
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, a, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(iri)),
            ox.Triple(named, _n(SD + "graph"), graph),
            ox.Triple(graph, a, _n(SD + "Graph")),
            ox.Triple(graph, a, _n(VOID + "Dataset")),
            ox.Triple(graph, _n(VOID + "triples"), _int(figures["triples"])),
            ox.Triple(graph, _n(VOID + "distinctSubjects"), _int(figures["subjects"])),
            ox.Triple(graph, _n(VOID + "properties"), _int(figures["properties"])),
            ox.Triple(graph, _n(VOID + "classes"), _int(figures["classes"])),
        ]
    for name, saved in sorted((saved_queries or {}).items()):
        node = _n(f"{endpoint.rsplit('/sparql', 1)[0]}/queries/{name}")
        triples += [
            ox.Triple(service, _n(RDFS + "seeAlso"), node),
            ox.Triple(node, a, _n(SH + "SPARQLExecutable")),
            ox.Triple(node, _n(RDFS + "label"), ox.Literal(saved.title, language="en")),
            ox.Triple(node, _n(SCHEMA + "target"), service),
            ox.Triple(node, _n(SH + _EXECUTABLE.get(saved.kind, "select")), ox.Literal(saved.query)),
        ]
        if saved.description:
            triples.append(ox.Triple(node, _n(RDFS + "comment"), ox.Literal(saved.description, language="en")))
        triples += [ox.Triple(node, _n(SCHEMA + "keywords"), ox.Literal(tag)) for tag in saved.tags]
    return triples


def serialize(triples: list[ox.Triple], media_type: str, extra_prefixes: dict | None = None) -> bytes:
    """The description in `media_type` (one of MEDIA_TYPES), with readable prefixes in Turtle and TriG."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(triples, format=fmt, prefixes={**SD_PREFIXES, **(extra_prefixes or {})})
    if fmt == ox.RdfFormat.JSON_LD:
        return jsonld.serialize(triples, {**PREFIXES, **SD_PREFIXES, **(extra_prefixes or {})})
    return ox.serialize(triples, format=fmt)


__all__ = ["MEDIA_TYPES", "describe", "serialize"]
