"""OWL RL reasoning. owlrl is the reference implementation; what it derives is kept apart
from what was asserted."""

from __future__ import annotations

import owlrl
import rdflib

from .terms import is_valid_rdf_triple


def owlrl_inferred(asserted: rdflib.Graph) -> rdflib.Graph:
    """The triples of the OWL RL closure of `asserted` that were not in it.

    Axiomatic triples and datatype axioms are left out: they are the same for every graph
    and would only bury what the data implies."""
    closure = rdflib.Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    inferred = rdflib.Graph()
    for s, p, o in closure:
        if (s, p, o) not in asserted and is_valid_rdf_triple(s, p, o):
            inferred.add((s, p, o))
    return inferred
