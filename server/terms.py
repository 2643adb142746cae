"""Conversion between pyoxigraph and rdflib terms.

The strict parse and the store use pyoxigraph; pySHACL and owlrl need rdflib graphs.
Blank node identifiers are kept as they are, so that inferred triples about a blank node
of the data land on the same node in the store."""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
import rdflib


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"no rdflib equivalent for {term!r}")


def to_oxigraph(term):
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"no pyoxigraph equivalent for {term!r}")


def rdflib_graph(triples: Iterable[ox.Triple], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    g = graph if graph is not None else rdflib.Graph()
    for t in triples:
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def is_valid_rdf_triple(s, p, o) -> bool:
    """owlrl can derive 'triples' with a literal subject; RDF 1.1 has no such thing."""
    return isinstance(s, (rdflib.URIRef, rdflib.BNode)) and isinstance(p, rdflib.URIRef)
