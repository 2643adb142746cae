"""How the pages show IRIs and terms: labels, prefixed names, links to this server's pages, and RDF
documents written with a short prefix header. Nothing here runs a route."""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import url_for

from ... import jsonld
from ...namespaces import CONCEPT, DATA, ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from ..engine import get_engine, memo
from ..http import DocFormat

BIG = 10**9  # max_rows for queries whose whole answer we need (the store is small)

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
XSD = PREFIXES["xsd"]
DCT = PREFIXES["dcterms"]
OA = PREFIXES["oa"]
RDF_TYPE = RDF + "type"
LABELS = (RDFS + "label", SKOS + "prefLabel")
ALT_LABEL = SKOS + "altLabel"
EVIDENCE = ONTOLOGY + "evidence"
# Shown in the page header, so left out of the property table.
HEADER_PROPERTIES = {RDF_TYPE, RDFS + "label", SKOS + "prefLabel", ALT_LABEL}
# Always true of everything after OWL RL reasoning; listed as a count only.
TRIVIAL_TYPES = {OWL + "Thing", RDFS + "Resource"}


def local_href(iri: str) -> str | None:
    """The path on this server that documents `iri`, or None for IRIs of other namespaces."""
    if iri.startswith(DATA) and len(iri) > len(DATA):
        return url_for("resources.page", name=iri[len(DATA):])
    if iri.startswith(CONCEPT) and len(iri) > len(CONCEPT):
        return url_for("resources.concept_page", name=iri[len(CONCEPT):])
    if iri == ONTOLOGY_IRI:
        return url_for("ontology.ontology")
    if iri.startswith(ONTOLOGY):
        return url_for("ontology.ontology") + "#" + iri[len(ONTOLOGY):]
    return None


# Prefixes for display only (the shared PREFIXES plus vocabularies the ontology aligns to).
DISPLAY_PREFIXES = {
    **PREFIXES,
    "dbo": "http://dbpedia.org/ontology/",
    "wd": "http://www.wikidata.org/entity/",
    "vann": "http://purl.org/vocab/vann/",
}


_LONGEST_FIRST = sorted(DISPLAY_PREFIXES.items(), key=lambda kv: -len(kv[1]))


def curie(iri: str) -> str:
    for prefix, ns in _LONGEST_FIRST:
        if iri.startswith(ns) and re.fullmatch(r"[\w.\-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def labels() -> dict[str, str]:
    """One label per IRI: rdfs:label or skos:prefLabel, English preferred."""

    def compute():
        rows = get_engine().select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "SELECT ?n ?l WHERE { ?n rdfs:label|skos:prefLabel ?l FILTER(isIRI(?n)) }",
            max_rows=BIG,
        )
        best: dict[str, tuple[int, str]] = {}
        for row in rows:
            lit = row["l"]
            lang = getattr(lit, "language", None) or ""
            rank = 0 if lang.startswith("en") else 1 if not lang else 2
            iri = row["n"].value
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, lit.value)
        return {iri: value for iri, (_, value) in best.items()}

    return memo("labels", compute)


def view(term, names: dict[str, str] | None = None) -> dict:
    """A term as the templates show it (see the `term` macro in _macros.html)."""
    names = labels() if names is None else names
    if isinstance(term, ox.NamedNode):
        iri = term.value
        return {"kind": "iri", "iri": iri, "href": local_href(iri), "label": names.get(iri), "curie": curie(iri)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "id": term.value}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        shown = None if term.language or dt in (XSD + "string", RDF + "langString") else curie(dt)
        return {"kind": "literal", "value": term.value, "lang": term.language, "datatype": shown}
    return {"kind": "literal", "value": str(term), "lang": None, "datatype": None}


def natural(text: str) -> list:
    """A sort key that puts "Sentence 2" before "Sentence 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def label_of(iri: str) -> str:
    return labels().get(iri) or curie(iri)



def compact(iri: str) -> str:
    """tskr:aleksandar-vucic for https://w3id.org/tskg/id/aleksandar-vucic (the project's prefixes only)."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return not re.search(r"[\s<>\"{}|\\^`]", iri)


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of `triples` starts with (a short Turtle header)."""
    iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    iris |= {tr.object.datatype.value for tr in triples if isinstance(tr.object, ox.Literal)}
    return {p: ns for p, ns in DISPLAY_PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def serialize_document(triples: list[ox.Triple], fmt: DocFormat) -> bytes:
    """A resource's or the ontology's document in `fmt`: Turtle and RDF/XML with the prefixes they use,
    JSON-LD compact with them as its @context (server.jsonld)."""
    if fmt.rdf == ox.RdfFormat.JSON_LD:
        return jsonld.serialize(triples, DISPLAY_PREFIXES)
    if fmt.rdf in (ox.RdfFormat.TURTLE,):
        return ox.serialize(triples, format=fmt.rdf, prefixes=used_prefixes(triples))
    if fmt.rdf == ox.RdfFormat.RDF_XML:
        # RDF/XML needs NCName node ids; the store's blank labels may start with a digit.
        relabel: dict[str, ox.BlankNode] = {}

        def fix(t):
            if isinstance(t, ox.BlankNode):
                return relabel.setdefault(t.value, ox.BlankNode(f"b{len(relabel)}"))
            return t

        triples = [ox.Triple(fix(t.subject), t.predicate, fix(t.object)) for t in triples]
        return ox.serialize(triples, format=fmt.rdf, prefixes=used_prefixes(triples))
    return ox.serialize(triples, format=fmt.rdf)
