"""OWL RL reasoning. owlrl is the reference implementation; what it derives is kept apart
from what was asserted."""

from __future__ import annotations

import owlrl
import rdflib

from ..terms import is_valid_rdf_triple


def owlrl_inferred(asserted: rdflib.Graph) -> rdflib.Graph:
    """The triples of the OWL RL closure of `asserted` that were not in it.

    Axiomatic triples and datatype axioms are left out: they are the same for every graph
    and would only bury what the data implies."""
    closure = rdflib.Graph()
    for triple in asserted:
        closure.add(triple)
    try:
        owlrl.DeductiveClosure(
            owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
        ).expand(closure)
    finally:
        undo_owlrl_datatypes()
    inferred = rdflib.Graph()
    for s, p, o in closure:
        if (s, p, o) not in asserted and is_valid_rdf_triple(s, p, o):
            inferred.add((s, p, o))
    return inferred


def undo_owlrl_datatypes() -> None:
    """owlrl (run by pySHACL for inference="rdfs", and by server.reasoning.reference) swaps in its own lexical
    converters and, when it puts rdflib's back, leaves its own for the datatypes rdflib has none for.
    Its xsd:gMonthDay one rejects every value ("--10-08"), so literals made afterwards in the same
    process are ill-typed to pySHACL: a second validation then reports every gMonthDay date. This
    takes those leftovers out again."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from rdflib.term import XSDToPython, _toPythonMapping

    for datatype, converter in AltXSDToPYTHON.items():
        if datatype not in XSDToPython and _toPythonMapping.get(datatype) is converter:
            del _toPythonMapping[datatype]
