"""What the fast reasoner (server.reasoning.fast) is compared with: the references, and the short, explicit list
of what it leaves out of owlrl's closure on purpose. server.reasoning.fast does not import this module, so the
expected set never comes from the code under test.

- profile "owl-rl": owlrl's OWL 2 RL closure, as server.reasoning.reference.owlrl_inferred computes it (no
  axiomatic triples, no datatype axioms; generalized triples with a literal subject dropped).
- profile "rdfs": the RDFS closure pySHACL computes before validating with inference="rdfs": owlrl's
  RDFS_Semantics through pySHACL's own subclass (pyshacl.inference.CustomRDFSSemantics), minus the
  triples with a literal subject (RDF has none, pyoxigraph cannot hold them).
"""

from __future__ import annotations

from typing import Iterable

import owlrl
import pyoxigraph as ox
import rdflib
from pyshacl.inference import CustomRDFSSemantics

from server.reasoning.reference import owlrl_inferred, undo_owlrl_datatypes
from server.terms import rdflib_graph, to_oxigraph

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"  # where owlrl writes its error messages

# The owl-rl triples server.reasoning.fast leaves out, each kind with its reason (server/rules.py's docstring):
# what owlrl derives for every term or every graph, which says nothing about the data.
REFLEXIVE = frozenset(ox.NamedNode(iri) for iri in (
    OWL + "sameAs",               # eq-ref: x owl:sameAs x for every term
    RDFS + "subClassOf",          # scm-cls: C rdfs:subClassOf C
    OWL + "equivalentClass",      # scm-cls: C owl:equivalentClass C
    RDFS + "subPropertyOf",       # scm-op, scm-dp: P rdfs:subPropertyOf P
    OWL + "equivalentProperty",   # scm-op, scm-dp: P owl:equivalentProperty P
))
# owlrl's fixed lists (owlrl.OWLRL.OWLRL_Annotation_properties, owlrl.XsdDatatypes.OWL_RL_Datatypes),
# written out so that a change in owlrl shows up here as a failure rather than a wider exclusion.
ANNOTATION_PROPERTIES = frozenset(ox.NamedNode(iri) for iri in (
    RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy", OWL + "deprecated",
    OWL + "versionInfo", OWL + "priorVersion", OWL + "backwardCompatibleWith", OWL + "incompatibleWith",
))
OWL_RL_DATATYPES = frozenset(ox.NamedNode(iri) for iri in [XSD + name for name in (
    "integer", "decimal", "nonNegativeInteger", "nonPositiveInteger", "negativeInteger", "positiveInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "float", "double", "string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN",
    "boolean", "hexBinary", "base64Binary", "anyURI", "dateTimeStamp", "dateTime", "time", "date",
)] + [RDFS + "Literal", RDF + "XMLLiteral", RDF + "HTML", RDF + "langString", RDF + "PlainLiteral"])

_A = ox.NamedNode(RDF + "type")


def left_out_of_owl_rl(s, p, o) -> str | None:
    """The reason server.reasoning.fast leaves this triple of owlrl's closure out, or None if it must be there.
    Terms are pyoxigraph terms."""
    if s == o and p in REFLEXIVE:
        return "reflexive"
    if p.value == RDFS + "subClassOf" and s.value == OWL + "Nothing":
        return "owl:Nothing rdfs:subClassOf C, for every class C (scm-cls)"
    if p == _A and o.value == OWL + "Class" and s.value in (OWL + "Thing", OWL + "Nothing"):
        return "cls-thing, cls-nothing"
    if p == _A and o.value == OWL + "AnnotationProperty" and s in ANNOTATION_PROPERTIES:
        return "prp-ap"
    if p == _A and o.value == RDFS + "Datatype" and s in OWL_RL_DATATYPES:
        return "dt-type1"
    if p.value == OWL + "disjointWith" and s in OWL_RL_DATATYPES and o in OWL_RL_DATATYPES:
        return "dt-diff"
    if isinstance(s, ox.BlankNode) and (p.value == OWLRL_ERRORS + "error" or o.value == OWLRL_ERRORS + "ErrorMessage"):
        return "owlrl's inconsistency messages (checking the data is the shapes' job)"
    return None


def owlrl_mistakes(triples: list[ox.Triple], inferred: set[tuple]) -> set[tuple]:
    """Triples owlrl derives that are wrong, and server.reasoning.fast does not (its docstring; tests/test_rules.py
    shows it): owlrl's dt-type1 handling puts terms of asserted owl:sameAs triples into its table of
    datatypes, when the other side is a literal or a term asserted to be of a datatype or already in
    that table (its loop over the owl:sameAs triples depends on their order; this takes every order).
    Each such term becomes `a rdfs:Datatype`, and owl:sameAs copies that to its equals."""
    same_as = [(t[0], t[2]) for t in triples if t[1].value == OWL + "sameAs"]
    explicit = {t[0] for t in triples if t[1] == _A and t[2] in OWL_RL_DATATYPES}
    explicit |= {s for s, o in same_as if isinstance(o, ox.Literal) and not o.language
                 and o.datatype in OWL_RL_DATATYPES}
    wrong: set = set()
    while True:
        found = {o for s, o in same_as if o in explicit} | {s for s, o in same_as if s in explicit}
        grown = explicit | {s for s, o in same_as if o in explicit} | {o for s, o in same_as if s in explicit}
        if found <= wrong and grown == explicit:
            break
        wrong |= found
        explicit = grown
    equals = {x: {x} for x in wrong}
    for s, p, o in inferred:
        if p.value == OWL + "sameAs" and s in equals:
            equals[s].add(o)
    datatype = ox.NamedNode(RDFS + "Datatype")
    return {(y, _A, datatype) for ys in equals.values() for y in ys if y not in OWL_RL_DATATYPES}


def as_tuples(triples: Iterable) -> set[tuple]:
    return {(t[0], t[1], t[2]) for t in triples}


def owlrl_closure(triples: list[ox.Triple], without_mistakes: bool = True) -> tuple[set[tuple], set[tuple]]:
    """(what owlrl infers that server.reasoning.fast must infer too, what it infers that is left out on purpose).
    `without_mistakes`: leave out what `owlrl_mistakes` lists as well."""
    inferred = {
        (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in owlrl_inferred(rdflib_graph(triples))
    }
    left_out = {t for t in inferred if left_out_of_owl_rl(*t)}
    if without_mistakes:
        left_out |= inferred & owlrl_mistakes(triples, inferred)
    return inferred - left_out, left_out


def pyshacl_rdfs_closure(triples: list[ox.Triple]) -> set[tuple]:
    """What pySHACL's inference="rdfs" adds to `triples` (triples with a literal subject dropped)."""
    graph = rdflib_graph(triples)
    closure = rdflib.Graph()
    for t in graph:
        closure.add(t)
    try:
        owlrl.DeductiveClosure(CustomRDFSSemantics).expand(closure)
    finally:
        undo_owlrl_datatypes()  # owlrl's leftovers would break later tests' gMonthDay dates
    return {
        (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        for s, p, o in closure
        if (s, p, o) not in graph and not isinstance(s, rdflib.Literal)
    }
