"""Seeded random ontologies with data, for comparing server.reasoning.fast with its references
(tests/test_reasoner_differential.py), and the shrinking of a failing input to a small reproduction.

`random_graph(seed)` draws a few dozen statements over a small vocabulary (a handful of classes,
properties, individuals and literals), so that the same terms meet in many statements and the rules
interact: a subclass cycle under a restriction, an inverse of a transitive property with a literal
object, owl:sameAs between two classes one of which is a union. Every construct server.reasoning.fast implements
has a statement kind here (`KINDS`, with its weight); `random_graph` returns the triples and the kinds it
drew. The same seed gives the same triples.
"""

from __future__ import annotations

import random
from typing import Callable

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/r/"


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


A = n(RDF + "type")

# Literals in canonical form (rdflib, through which owlrl sees them, rewrites non-canonical ones),
# of datatypes with and without a place in OWL 2 RL's datatype hierarchy.
LITERALS = [
    ox.Literal("alpha"),
    ox.Literal("alpha", language="en"),
    ox.Literal("7", datatype=n(XSD + "integer")),
    ox.Literal("7", datatype=n(XSD + "byte")),
    ox.Literal("1.5", datatype=n(XSD + "decimal")),
    ox.Literal("true", datatype=n(XSD + "boolean")),
    ox.Literal("2020", datatype=n(XSD + "gYear")),
    ox.Literal("tok", datatype=n(XSD + "token")),
]
DATATYPES = [n(XSD + d) for d in ("string", "integer", "decimal", "byte", "gYear", "normalizedString")] + [
    n(RDFS + "Literal")]


class Draw:
    """One random graph under construction: the vocabulary and the triples drawn so far."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.classes = [n(f"{EX}C{i}") for i in range(rng.randint(3, 6))]
        self.properties = [n(f"{EX}p{i}") for i in range(rng.randint(3, 6))]
        self.individuals = [n(f"{EX}i{i}") for i in range(rng.randint(3, 7))] + [ox.BlankNode("b0")]
        self.restrictions: list = []
        self.triples: list[ox.Triple] = []
        self.bnodes = 0

    # -- terms --
    def cls(self):
        r = self.rng.random()
        if r < 0.15 and self.restrictions:
            return self.rng.choice(self.restrictions)
        if r < 0.2:
            return n(OWL + "Thing")
        return self.rng.choice(self.classes)

    def prop(self):
        return self.rng.choice(self.properties)

    def ind(self):
        return self.rng.choice(self.individuals)

    def value(self):
        return self.rng.choice(LITERALS) if self.rng.random() < 0.3 else self.ind()

    def fresh(self, prefix: str):
        self.bnodes += 1
        if self.rng.random() < 0.6:
            return ox.BlankNode(f"{prefix}{self.bnodes}")
        return n(f"{EX}{prefix}{self.bnodes}")

    def add(self, s, p, o):
        self.triples.append(ox.Triple(s, n(p) if isinstance(p, str) else p, o))

    def rdf_list(self, items: list):
        head = ox.BlankNode(f"l{self.bnodes + 1}_0")
        self.bnodes += 1
        node = head
        for i, item in enumerate(items):
            self.add(node, RDF + "first", item)
            nxt = n(RDF + "nil") if i == len(items) - 1 else ox.BlankNode(f"l{self.bnodes}_{i + 1}")
            self.add(node, RDF + "rest", nxt)
            node = nxt
        return head

    def some(self, pick: Callable, low: int, high: int) -> list:
        return [pick() for _ in range(self.rng.randint(low, high))]


# -- statement kinds: each adds a few triples ------------------------------------------------------

def declare_class(d: Draw):
    d.add(d.cls(), A, n(d.rng.choice([OWL + "Class", OWL + "Class", RDFS + "Class"])))


def subclass(d: Draw):
    d.add(d.cls(), RDFS + "subClassOf", d.cls())


def equivalent_class(d: Draw):
    d.add(d.cls(), OWL + "equivalentClass", d.cls())


def declare_property(d: Draw):
    d.add(d.prop(), A, n(d.rng.choice([OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property"])))


def subproperty(d: Draw):
    d.add(d.prop(), RDFS + "subPropertyOf", d.prop())


def equivalent_property(d: Draw):
    d.add(d.prop(), OWL + "equivalentProperty", d.prop())


def domain(d: Draw):
    d.add(d.prop(), RDFS + "domain", d.cls())


def range_(d: Draw):
    d.add(d.prop(), RDFS + "range", d.rng.choice(DATATYPES) if d.rng.random() < 0.25 else d.cls())


def inverse(d: Draw):
    d.add(d.prop(), OWL + "inverseOf", d.prop())


def characteristic(d: Draw):
    kind = d.rng.choice(["SymmetricProperty", "TransitiveProperty", "FunctionalProperty",
                         "InverseFunctionalProperty"])
    d.add(d.prop(), A, n(OWL + kind))


def chain(d: Draw):
    d.add(d.prop(), OWL + "propertyChainAxiom", d.rdf_list(d.some(d.prop, 1, 3)))


def restriction(d: Draw):
    """owl:hasValue, owl:someValuesFrom (a class, owl:Thing or a datatype) or owl:allValuesFrom, tied into
    the class hierarchy or typed directly."""
    r = d.fresh("R")
    d.add(r, A, n(OWL + "Restriction"))
    d.add(r, OWL + "onProperty", d.prop())
    kind = d.rng.choice(["hasValue", "someValuesFrom", "someValuesFrom", "allValuesFrom"])
    if kind == "hasValue":
        d.add(r, OWL + "hasValue", d.value())
    elif kind == "someValuesFrom":
        roll = d.rng.random()
        d.add(r, OWL + "someValuesFrom",
              n(OWL + "Thing") if roll < 0.2 else d.rng.choice(DATATYPES) if roll < 0.35 else d.cls())
    else:
        d.add(r, OWL + "allValuesFrom", d.rng.choice(DATATYPES) if d.rng.random() < 0.15 else d.cls())
    tie = d.rng.choice(["equivalent", "sub", "super", "typed", "none"])
    if tie == "equivalent":
        d.add(d.cls(), OWL + "equivalentClass", r)
    elif tie == "sub":
        d.add(d.cls(), RDFS + "subClassOf", r)
    elif tie == "super":
        d.add(r, RDFS + "subClassOf", d.cls())
    elif tie == "typed":
        d.add(d.ind(), A, r)
    d.restrictions.append(r)


def intersection(d: Draw):
    d.add(d.rng.choice([d.cls(), d.fresh("I")]), OWL + "intersectionOf", d.rdf_list(d.some(d.cls, 1, 3)))


def union(d: Draw):
    d.add(d.cls(), OWL + "unionOf", d.rdf_list(d.some(d.cls, 1, 3)))


def one_of(d: Draw):
    d.add(d.cls(), OWL + "oneOf", d.rdf_list(d.some(d.ind, 1, 3)))


def schema_from_data(d: Draw):
    """A schema triple that only the data implies, or data about the schema: a subproperty or an inverse
    of a schema property (used in the data, and seeing the schema's own triples, reflexive ones too),
    a property typed by way of a subclass of a property characteristic, a class typed by a domain, a
    subproperty of rdf:type."""
    kind = d.rng.choice(["subproperty", "subproperty", "inverse", "characteristic", "domain", "type"])
    meta = n(f"{EX}meta{d.bnodes}")
    d.bnodes += 1
    schema, pick = d.rng.choice([(RDFS + "subClassOf", d.cls), (OWL + "equivalentClass", d.cls),
                                 (RDFS + "subPropertyOf", d.prop), (OWL + "equivalentProperty", d.prop)])
    if kind == "subproperty":
        d.add(meta, d.rng.choice([RDFS + "subPropertyOf", OWL + "equivalentProperty"]), n(schema))
        d.add(pick(), meta, pick())
    elif kind == "inverse":
        d.add(meta, OWL + "inverseOf", n(schema))
        d.add(pick(), meta, pick())
    elif kind == "characteristic":
        d.add(meta, RDFS + "subClassOf", n(OWL + d.rng.choice(["TransitiveProperty", "SymmetricProperty",
                                                              "FunctionalProperty"])))
        d.add(d.prop(), A, meta)
    elif kind == "domain":
        d.add(d.prop(), RDFS + "domain", n(OWL + "Class"))
        d.add(d.ind(), d.prop(), d.cls())
    else:
        d.add(meta, RDFS + "subPropertyOf", A)
        d.add(d.ind(), meta, d.cls())


def rdfs_vocabulary(d: Draw):
    """Typing with the RDFS classes that carry rules of their own (rdfs6, rdfs8, rdfs10, rdfs12, rdfs13)."""
    kind = d.rng.choice(["Property", "Class", "Datatype", "Container", "Resource"])
    if kind == "Property":
        d.add(d.prop(), A, n(RDF + "Property"))
    elif kind == "Class":
        d.add(d.cls(), A, n(RDFS + "Class"))
    elif kind == "Datatype":
        d.add(d.cls(), A, n(RDFS + "Datatype"))
    elif kind == "Container":
        d.add(d.prop(), A, n(RDFS + "ContainerMembershipProperty"))
    else:
        d.add(d.cls(), RDFS + "subClassOf", n(RDFS + "Resource"))


def typed(d: Draw):
    d.add(d.ind(), A, d.cls())


def related(d: Draw):
    d.add(d.ind(), d.prop(), d.ind())


def literal_value(d: Draw):
    d.add(d.ind(), d.prop(), d.rng.choice(LITERALS))


def same_as(d: Draw):
    """Mostly between individuals; sometimes between classes or properties, or to a literal."""
    roll = d.rng.random()
    if roll < 0.7:
        d.add(d.ind(), OWL + "sameAs", d.ind())
    elif roll < 0.8:
        d.add(d.rng.choice(d.classes), OWL + "sameAs", d.rng.choice(d.classes))
    elif roll < 0.9:
        d.add(d.prop(), OWL + "sameAs", d.prop())
    else:
        d.add(d.ind(), OWL + "sameAs", d.rng.choice(LITERALS))


# (kind, weight): schema first, then data. The weights keep every kind likely in a graph of ~30
# statements while leaving room for the plain triples that the rules join with.
KINDS: list[tuple[Callable, int]] = [
    (declare_class, 3), (subclass, 5), (equivalent_class, 2), (declare_property, 3), (subproperty, 4),
    (equivalent_property, 1), (domain, 3), (range_, 3), (inverse, 3), (characteristic, 5), (chain, 2),
    (restriction, 6), (intersection, 2), (union, 2), (one_of, 1), (schema_from_data, 2),
    (rdfs_vocabulary, 2), (typed, 7), (related, 10), (literal_value, 4), (same_as, 3),
]


def random_graph(seed: int, statements: tuple[int, int] = (12, 40)) -> tuple[list[ox.Triple], list[str]]:
    """A random ontology with data: (its triples, the statement kinds drawn, in order)."""
    rng = random.Random(seed)
    d = Draw(rng)
    kinds, weights = zip(*KINDS)
    drawn = []
    for _ in range(rng.randint(*statements)):
        kind = rng.choices(kinds, weights)[0]
        kind(d)
        drawn.append(kind.__name__)
    unique = list(dict.fromkeys(d.triples))
    return unique, drawn


def shrink(triples: list, fails: Callable[[list], bool], max_checks: int = 400) -> list:
    """A smaller list of triples for which `fails` still holds: drop chunks, then single triples, while
    the failure remains (delta debugging, bounded to `max_checks` calls of `fails`)."""
    current = list(triples)
    checks = 0
    chunk = max(1, len(current) // 2)
    while chunk >= 1 and checks < max_checks:
        i, removed = 0, False
        while i < len(current) and checks < max_checks:
            candidate = current[:i] + current[i + chunk:]
            checks += 1
            if candidate and fails(candidate):
                current, removed = candidate, True
            else:
                i += chunk
        if not removed:
            chunk //= 2
    return current


def turtle_lines(triples: list) -> str:
    """The triples as N-Triples lines (valid Turtle), for pasting into a regression test."""
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
