"""Terms: conversion between pyoxigraph and rdflib terms, and `Triple`, a triple of shared pyoxigraph terms.

The strict parse and the store use pyoxigraph; pySHACL and owlrl need rdflib graphs.
Blank node identifiers are kept as they are, so that inferred triples about a blank node
of the data land on the same node in the store."""

from __future__ import annotations

from typing import Iterable, NamedTuple

import pyoxigraph as ox
import rdflib


class Triple(NamedTuple):
    """A triple of shared pyoxigraph terms, as server.sources.turtle.parse_turtle_terms and
    server.reasoning.fast.inferred_terms give them. A pyoxigraph Triple keeps its own copy of each term
    (about 450 bytes a triple: half a gigabyte for a million); this tuple refers to one object per
    distinct term, about 70 bytes a triple. It reads like a pyoxigraph Triple (t.subject, t.predicate,
    t.object; s, p, o = t; ox.Quad(*t))."""

    subject: object
    predicate: object
    object: object


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
