"""Ontology checks of our own, beside the SHACL shapes: the offline kind of what OOPS! and FOOPS! check
(every tsk: term labelled and defined, properties with a domain and range or a note saying why not, the
ontology's metadata, no undeclared tsk: term in use), and no property that the build derives (it has a
tsk:derivedBy) written as data. Each is a SPARQL query over the ontology and data as written; its rows are
findings (server.checks.results)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from ..namespaces import ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from ..terms import to_rdflib
from .results import Result, term_text

CHECKS = "https://w3id.org/tskg/checks#"
XSD_STRING = rdflib.XSD.string

# The ontology's metadata, as SHACL core shapes (OOPS! P38 no ontology declaration, P41 no
# licence; the FOOPS! metadata checks).
METADATA_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix chk: <{CHECKS}> .

chk:ontology-metadata a sh:NodeShape ;
    sh:targetNode <{ONTOLOGY_IRI}> ;
    sh:targetClass owl:Ontology ;
    sh:property [ sh:path rdf:type ; sh:hasValue owl:Ontology ;
        sh:message "The ontology is not declared: no `<{ONTOLOGY_IRI}> a owl:Ontology`" ] ,
      [ sh:path dcterms:title ; sh:minCount 1 ; sh:message "The ontology has no dcterms:title" ] ,
      [ sh:path dcterms:license ; sh:minCount 1 ; sh:message "The ontology has no dcterms:license" ] ,
      [ sh:path owl:versionIRI ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ;
        sh:message "The ontology needs exactly one owl:versionIRI (an IRI)" ] ,
      [ sh:path dcterms:creator ; sh:minCount 1 ; sh:message "The ontology has no dcterms:creator" ] ,
      [ sh:path vann:preferredNamespacePrefix ; sh:minCount 1 ; sh:severity sh:Warning ;
        sh:message "The ontology does not give its preferred prefix (vann:preferredNamespacePrefix)" ] ,
      [ sh:path vann:preferredNamespaceUri ; sh:minCount 1 ; sh:severity sh:Warning ;
        sh:message "The ontology does not give its namespace (vann:preferredNamespaceUri)" ] .
"""


@dataclass(frozen=True)
class Check:
    """An ontology check as one SPARQL SELECT of ?this (the focus node), ?path and ?value.

    These run once each in pyoxigraph over the ontology and the data as written: written as
    SHACL-SPARQL constraints, pySHACL would parse the query again for every focus node (about
    60 ms each), and RDFS inference would make every predicate an rdf:Property."""

    name: str
    severity: str
    message: str
    where: str


_TERM = f'FILTER(isIRI(?this) && STRSTARTS(STR(?this), "{ONTOLOGY}"))'
_DEFINED = "VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property } ?this a ?kind ."
_PROPERTY = "VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty } ?this a ?kind ."

ONTOLOGY_CHECKS = [
    # OOPS! P08: missing annotations.
    Check("term-label", "Violation", "A class or property of the ontology needs an English rdfs:label",
          f"""{_DEFINED} {_TERM} BIND(rdfs:label AS ?path)
              FILTER NOT EXISTS {{ ?this rdfs:label ?label FILTER(langMatches(lang(?label), "en")) }}"""),
    Check("term-definition", "Violation",
          "A class or property of the ontology needs a definition (skos:definition or rdfs:comment)",
          f"""{_DEFINED} {_TERM} BIND(skos:definition AS ?path)
              FILTER NOT EXISTS {{ ?this skos:definition|rdfs:comment ?definition }}"""),
    # OOPS! P11: missing domain or range. A property may inherit them from a super-property, or
    # say why it has none in a tsk:domainNote / tsk:rangeNote (OWL 2 RL cannot state a union).
    Check("property-domain", "Warning",
          "The property has no rdfs:domain (nor inherits one, nor says why in a tsk:domainNote)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:domain AS ?path)
              FILTER NOT EXISTS {{ ?this rdfs:subPropertyOf*/rdfs:domain ?domain }}
              FILTER NOT EXISTS {{ ?this tsk:domainNote ?note }}"""),
    Check("property-range", "Warning",
          "The property has no rdfs:range (nor inherits one, nor says why in a tsk:rangeNote)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:range AS ?path)
              FILTER NOT EXISTS {{ ?this rdfs:subPropertyOf*/rdfs:range ?range }}
              FILTER NOT EXISTS {{ ?this tsk:rangeNote ?note }}"""),
    # OOPS! P19: several domains or ranges mean their intersection, rarely what was meant.
    Check("single-domain", "Warning",
          "The property has several rdfs:domain values, which means their intersection (one of them is the value)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:domain AS ?path)
              ?this rdfs:domain ?value . FILTER EXISTS {{ ?this rdfs:domain ?other FILTER(?other != ?value) }}"""),
    Check("single-range", "Warning",
          "The property has several rdfs:range values, which means their intersection (one of them is the value)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:range AS ?path)
              ?this rdfs:range ?value . FILTER EXISTS {{ ?this rdfs:range ?other FILTER(?other != ?value) }}"""),
    # OOPS! P34/P35: untyped class or property; here: a tsk: term used but not declared (usually a typo).
    Check("declared-property", "Violation",
          "The path is in the tsk: namespace but the ontology declares no such property",
          f"""{{ SELECT DISTINCT ?this ?path WHERE {{ ?this ?path ?any .
                 FILTER(STRSTARTS(STR(?path), "{ONTOLOGY}")) }} }}
              FILTER NOT EXISTS {{ VALUES ?kind {{ owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property }}
                                   ?path a ?kind }}"""),
    Check("declared-class", "Violation",
          "The value is in the tsk: namespace but the ontology declares no such class",
          f"""?this a ?value . BIND(rdf:type AS ?path)
              FILTER(isIRI(?value) && STRSTARTS(STR(?value), "{ONTOLOGY}"))
              FILTER NOT EXISTS {{ VALUES ?kind {{ owl:Class rdfs:Class }} ?value a ?kind }}"""),
    # The build writes these into the derived graph from the rest; written in graph/ they would mix a
    # contributor's value with the computed one.
    Check("derived-property", "Violation",
          "The build derives this property (its tsk:derivedBy names the rule in server/build/derived/); "
          "it is never written in graph/: remove the triple",
          """{ SELECT DISTINCT ?this ?path ?value WHERE { ?path tsk:derivedBy ?rule . ?this ?path ?value } }"""),
]

RDF_TYPE = ox.NamedNode(str(rdflib.RDF.type))
_KINDS = {ox.NamedNode(str(k)) for k in (rdflib.OWL.Class, rdflib.RDFS.Class, rdflib.OWL.ObjectProperty,
                                          rdflib.OWL.DatatypeProperty, rdflib.OWL.AnnotationProperty,
                                          rdflib.RDF.Property)}
_CLASS_KINDS = {ox.NamedNode(str(k)) for k in (rdflib.OWL.Class, rdflib.RDFS.Class)}
_HIERARCHY = {ox.NamedNode(str(p)) for p in (rdflib.RDFS.subPropertyOf, rdflib.RDFS.domain, rdflib.RDFS.range)}
PROJECT = "https://w3id.org/tskg/"
DERIVED_BY = ox.NamedNode(ONTOLOGY + "derivedBy")


def relevant(triples: list) -> list:
    """The triples that can give a row to a check of ONTOLOGY_CHECKS: every triple about a declared class
    or property (its type, labels, definition, notes, domains, ranges), the rdfs:subPropertyOf, rdfs:domain
    and rdfs:range triples (paths go through them), and the uses that no declaration covers: a tsk:
    predicate that is not declared a property, a type in the project's namespaces that is not declared a
    class, and every use of a property the build derives. The checks give the same rows over these as over
    all the triples (tests/test_ontology.py), and a large graph's data is nearly all declared uses, so the
    store they run in stays small."""
    declared: set = set()
    properties: set = set()
    classes: set = set()
    derived: set = set()
    for s, p, o in triples:
        if p == RDF_TYPE and o in _KINDS:
            declared.add(s)
            (classes if o in _CLASS_KINDS else properties).add(s)
        elif p == DERIVED_BY:
            derived.add(s)
    by_predicate: dict = {}
    by_type: dict = {}

    def predicate_kept(p) -> bool:
        return p in _HIERARCHY or p in derived or (isinstance(p, ox.NamedNode) and p.value.startswith(ONTOLOGY)
                                                   and p not in properties)

    def type_kept(o) -> bool:
        return o in _KINDS or (isinstance(o, ox.NamedNode) and o.value.startswith(PROJECT) and o not in classes)

    out = []
    for t in triples:
        s, p, o = t
        kept = by_predicate.get(p)
        if kept is None:
            kept = by_predicate[p] = predicate_kept(p)
        if not kept and p == RDF_TYPE:
            kept = by_type.get(o)
            if kept is None:
                kept = by_type[o] = type_kept(o)
        if kept or s in declared:
            out.append(t)
    return out


CHECK_PREFIXES = "".join(
    f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("rdf", "rdfs", "owl", "skos", "tsk")
)


def run_ontology_checks(triples: list) -> list[tuple[Result, dict]]:
    """Run ONTOLOGY_CHECKS over `triples` (ontology and data as written)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in relevant(triples))
    out = []
    for check in ONTOLOGY_CHECKS:
        query = f"{CHECK_PREFIXES}SELECT DISTINCT ?this ?path ?value WHERE {{ {check.where} }}"
        for row in store.query(query):
            focus, path, value = (to_rdflib(row[v]) if row[v] is not None else None for v in ("this", "path", "value"))
            shape = rdflib.URIRef(CHECKS + check.name)
            out.append((
                Result(severity=check.severity, message=check.message, focus=term_text(focus),
                       path=term_text(path), value=term_text(value), shape=term_text(shape),
                       constraint=SH.SPARQLConstraintComponent.n3(), check="ontology"),
                {"focus": focus, "path": path, "value": value, "shape": shape, "inverse": None},
            ))
    return out

