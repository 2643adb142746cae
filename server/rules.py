"""Fast OWL RL reasoning: the closure owlrl computes, in one pass over the data.

owlrl (`server.reasoning.owlrl_inferred`) stays the reference. It applies every OWL 2 RL rule to every
triple, over and over, until a whole round adds nothing: about 0.4-1 ms per input triple. Here the
schema is closed first and compiled, so that each data triple is looked at once:

1. The schema (TBox) is small. Its closure is computed directly: subclass and subproperty hierarchies,
   equivalences, domains and ranges (scm-cls, scm-sco, scm-eqc1/2, scm-spo, scm-eqp1/2, scm-dom1/2,
   scm-rng1/2, scm-int, scm-uni, scm-hv, scm-svf1/2, scm-avf1/2).
2. Every property p is compiled into what one triple `s p o` implies at once: the triples it is copied
   to along superproperties, equivalent properties, inverses and symmetry (prp-spo1, prp-eqp1/2,
   prp-inv1/2, prp-symp, closed under each other), and the classes its subject and its object belong to
   (prp-dom, prp-rng, cax-sco, cax-eqc1/2). Every class is compiled into its superclasses (cax-sco).
3. A worklist takes each triple once. Rules that join two data triples use indexes kept only for the
   properties and classes involved: prp-trp, prp-spo2 (property chains), prp-fp, prp-ifp, cls-hv1/2,
   cls-svf1/2, cls-avf, cls-int1, cls-oo, and owl:sameAs (eq-sym, eq-trans, eq-rep-s/p/o) by union-find.
   A schema triple derived from data (rare) sends the loop back to step 1.

Terms are interned to ints, so the sets and indexes hold int tuples.

Scope: what is compared with owlrl (tests/test_rules.py) and what is left out on purpose.

  Left out, because owlrl emits them for every graph or for every term and they say nothing about the data:
  - reflexive triples: `x owl:sameAs x` for every term (eq-ref), `C rdfs:subClassOf C` and
    `C owl:equivalentClass C` (scm-cls), `P rdfs:subPropertyOf P` and `P owl:equivalentProperty P`
    (scm-op, scm-dp);
  - `owl:Nothing rdfs:subClassOf C` for every class (scm-cls);
  - constant axioms: `owl:Thing`/`owl:Nothing a owl:Class` (cls-thing, cls-nothing), the annotation
    properties `a owl:AnnotationProperty` (prp-ap), the XSD datatypes `a rdfs:Datatype` and their
    `owl:disjointWith` (dt-type1, dt-diff);
  - owlrl's error messages for inconsistencies (cax-dw, prp-irp, prp-asyp, eq-diff1, ...): checking
    the data is the SHACL shapes' job;
  - triples about literals (generalized RDF, which owlrl's caller drops too), and owl:sameAs between
    literals (prp-fp on a datatype property with two values).
  Kept and compared exactly: everything else, including `C rdfs:subClassOf owl:Thing` for each declared
  owl:Class, `P rdfs:domain owl:Thing` that follows from it, and `x a owl:Thing` for their instances.
  Not implemented: owl:hasKey, owl:maxCardinality, owl:maxQualifiedCardinality (they derive owl:sameAs
  from counting); `UnsupportedConstruct` is raised when the input uses them.
"""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from typing import Iterable

import pyoxigraph as ox

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

# Vocabulary, interned first so that their ids are the constants below.
_VOCAB = [
    RDF + "type", RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
    OWL + "equivalentClass", OWL + "equivalentProperty", OWL + "inverseOf", OWL + "sameAs",
    OWL + "Class", OWL + "Thing", OWL + "Nothing",
    OWL + "SymmetricProperty", OWL + "TransitiveProperty", OWL + "FunctionalProperty",
    OWL + "InverseFunctionalProperty",
    OWL + "onProperty", OWL + "hasValue", OWL + "someValuesFrom", OWL + "allValuesFrom",
    OWL + "intersectionOf", OWL + "unionOf", OWL + "oneOf", OWL + "propertyChainAxiom",
    RDF + "first", RDF + "rest", RDF + "nil",
    OWL + "hasKey", OWL + "maxCardinality", OWL + "maxQualifiedCardinality",
    OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property",
    RDFS + "Resource", RDFS + "Class", RDFS + "Datatype", RDFS + "Literal",
]
(TYPE, SUBCLASS, SUBPROP, DOMAIN, RANGE, EQCLASS, EQPROP, INVERSE, SAMEAS,
 CLASS, THING, NOTHING, SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVFUNCTIONAL,
 ON_PROPERTY, HAS_VALUE, SOME_VALUES, ALL_VALUES, INTERSECTION, UNION, ONE_OF, CHAIN,
 FIRST, REST, NIL, HAS_KEY, MAX_CARD, MAX_QCARD, OBJECT_PROPERTY, DATATYPE_PROPERTY,
 RDF_PROPERTY, RESOURCE, RDFS_CLASS, DATATYPE, LITERAL) = range(len(_VOCAB))

# Triples with these predicates, or typing a term with one of the classes below, are schema: deriving
# a new one from data means the compiled schema is stale.
_SCHEMA_PREDICATES = frozenset({
    SUBCLASS, SUBPROP, DOMAIN, RANGE, EQCLASS, EQPROP, INVERSE, ON_PROPERTY, HAS_VALUE, SOME_VALUES,
    ALL_VALUES, INTERSECTION, UNION, ONE_OF, CHAIN, FIRST, REST, HAS_KEY, MAX_CARD, MAX_QCARD,
})
_SCHEMA_CLASSES = frozenset({
    CLASS, SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVFUNCTIONAL, OBJECT_PROPERTY, DATATYPE_PROPERTY, RDF_PROPERTY,
    RDFS_CLASS, DATATYPE,
})
_RDFS_PREDICATES = frozenset({SUBCLASS, SUBPROP, DOMAIN, RANGE})
PROFILES = ("owl-rl", "rdfs")
_UNSUPPORTED = {HAS_KEY: "owl:hasKey", MAX_CARD: "owl:maxCardinality", MAX_QCARD: "owl:maxQualifiedCardinality"}


_REFLEXIVE_IRIS = frozenset(
    ox.NamedNode(iri) for iri in (OWL + "sameAs", RDFS + "subClassOf", OWL + "equivalentClass",
                                  RDFS + "subPropertyOf", OWL + "equivalentProperty")
)
_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"  # where owlrl writes its error messages


def out_of_scope(s, p, o) -> bool:
    """True for the triples of owlrl's closure this reasoner leaves out on purpose (module docstring).

    Terms are pyoxigraph terms."""
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        return True
    if s == o and p in _REFLEXIVE_IRIS:
        return True
    if p.value == RDFS + "subClassOf" and s == ox.NamedNode(OWL + "Nothing"):
        return True
    if isinstance(s, ox.BlankNode) and (p.value == _ERRORS + "error" or o == ox.NamedNode(_ERRORS + "ErrorMessage")):
        return True
    return (s, p, o) in _constant_axioms()


_CONSTANT_AXIOMS: set | None = None


def _constant_axioms() -> set:
    """The triples owlrl adds whatever the input: cls-thing, cls-nothing, prp-ap, dt-type1, dt-diff."""
    global _CONSTANT_AXIOMS
    if _CONSTANT_AXIOMS is None:
        from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
        from owlrl.OWLRL import OWLRL_Annotation_properties
        from owlrl.XsdDatatypes import OWL_RL_Datatypes

        n = ox.NamedNode
        a = n(RDF + "type")
        found = {(n(OWL + "Thing"), a, n(OWL + "Class")), (n(OWL + "Nothing"), a, n(OWL + "Class"))}
        found |= {(n(str(x)), a, n(OWL + "AnnotationProperty")) for x in OWLRL_Annotation_properties}
        found |= {(n(str(x)), a, n(RDFS + "Datatype")) for x in OWL_RL_Datatypes}
        found |= {(n(str(x)), n(str(y)), n(str(z))) for x, y, z in OWLRL_Datatypes_Disjointness}
        _CONSTANT_AXIOMS = found
    return _CONSTANT_AXIOMS


class UnsupportedConstruct(ValueError):
    """The input uses an OWL RL construct this reasoner does not implement; use owlrl for it."""


def inferred_triples(triples: Iterable, profile: str = "owl-rl") -> list[ox.Triple]:
    """The triples of the closure of `triples` that are not in it: OWL RL within the scope above, or
    with profile="rdfs" the RDFS closure pySHACL computes for inference="rdfs" (see `Closure`).

    `triples` yields pyoxigraph Triples or Quads (the graph name is ignored) or (s, p, o) tuples."""
    with _gc_paused():
        closure = Closure(profile)
        closure.add_asserted(triples)
        closure.run()
        return closure.inferred()


@contextlib.contextmanager
def _gc_paused():
    """Millions of small tuples make Python's cyclic collector walk the heap again and again (a third
    of the time at 1M triples); nothing here makes cycles, so it waits until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Property:
    """What one triple `s p o` implies by the compiled schema."""

    __slots__ = ("copies", "subject_types", "object_types")

    def __init__(self, copies, subject_types, object_types):
        self.copies = copies                # [(q, reversed)]: s q o, or o q s when reversed
        self.subject_types = subject_types  # classes of s
        self.object_types = object_types    # classes of o (when o is not a literal)


class Closure:
    """A closure over interned terms; see the module docstring.

    profile "owl-rl": the OWL RL rules above. Profile "rdfs": only rdfs:subClassOf, rdfs:subPropertyOf,
    rdfs:domain and rdfs:range, plus what RDFS entails about every term (x a rdfs:Resource, p a
    rdf:Property, p rdfs:subPropertyOf p, rdfs8, rdfs10, rdfs13): what pySHACL's inference="rdfs"
    adds (owlrl's RDFS_Semantics without axiomatic triples), so that validating data plus this closure
    with inference="none" checks the same graph, without owlrl's pass after pass over every triple."""

    def __init__(self, profile: str = "owl-rl"):
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
        self.profile = profile
        self.ids: dict = {}
        self.terms: list = []
        self.literal: list[bool] = []
        for iri in _VOCAB:
            self.intern(ox.NamedNode(iri))
        self.asserted: set[tuple[int, int, int]] = set()
        self.triples: set[tuple[int, int, int]] = set()
        self.schema_dirty = True
        self.stats: dict[str, int] = {}

    # -- input and output ------------------------------------------------------------------------

    def intern(self, term) -> int:
        i = self.ids.get(term)
        if i is None:
            i = self.ids[term] = len(self.terms)
            self.terms.append(term)
            self.literal.append(isinstance(term, ox.Literal))
        return i

    def add_asserted(self, triples: Iterable) -> None:
        ids, intern, asserted = self.ids, self.intern, self.asserted
        for t in triples:
            s, p, o = t[0], t[1], t[2]
            si = ids.get(s)
            if si is None:
                si = intern(s)
            pi = ids.get(p)
            if pi is None:
                pi = intern(p)
            oi = ids.get(o)
            if oi is None:
                oi = intern(o)
            asserted.add((si, pi, oi))
        for p, name in _UNSUPPORTED.items():
            if self.profile == "owl-rl" and any(t[1] == p for t in asserted):
                raise UnsupportedConstruct(f"{name} is not supported by the fast reasoner; use reasoner='owlrl'")
        self.triples = set(asserted)

    def inferred(self) -> list[ox.Triple]:
        """The derived triples, as pyoxigraph Triples (only valid RDF, no blank node predicates)."""
        terms, literal = self.terms, self.literal
        out = []
        # RDFS keeps its reflexive triples: pySHACL's graph has them (rdfs6, rdfs10).
        reflexive = {self.ids[t] for t in _REFLEXIVE_IRIS} if self.profile == "owl-rl" else set()
        for s, p, o in self.triples - self.asserted:
            if literal[s] or not isinstance(terms[p], ox.NamedNode) or (s == o and p in reflexive):
                continue
            out.append(ox.Triple(terms[s], terms[p], terms[o]))
        return out

    # -- the fixpoint ----------------------------------------------------------------------------

    def run(self) -> None:
        self._pending_same = False
        rounds = 0
        while True:
            rounds += 1
            self._compile_schema()
            self._drain(list(self.triples))
            while self._pending_same and not self.schema_dirty:
                self._replicate_equals()
            if not self.schema_dirty:
                break
        if self.profile == "rdfs":
            self._rdfs_terms()
        self.stats["rounds"] = rounds

    def _rdfs_terms(self) -> None:
        """What RDFS says about every term (rdf1, rdfs4a/b, rdfs6, rdfs8, rdfs10, rdfs13). None of it
        leads anywhere else without RDFS's axiomatic triples, so it is added once, at the end."""
        literal = self.literal
        extra = set()
        for s, p, o in self.triples:
            extra.add((s, TYPE, RESOURCE))
            if not literal[o]:
                extra.add((o, TYPE, RESOURCE))
            extra.add((p, TYPE, RDF_PROPERTY))
            extra.add((p, SUBPROP, p))
        for s, p, o in list(self.triples | extra):
            if p == TYPE and o == RDF_PROPERTY:
                extra.add((s, SUBPROP, s))
            elif p == TYPE and o == RDFS_CLASS:
                extra.update(((s, SUBCLASS, RESOURCE), (s, SUBCLASS, s)))
            elif p == TYPE and o == DATATYPE:
                extra.add((s, SUBCLASS, LITERAL))
        self.triples |= extra

    def _drain(self, work: list) -> None:
        """Process every triple of `work` and of what it derives, each once."""
        triples = self.triples
        literal = self.literal
        props = self._props
        compile_property = self._compile_property
        superclasses = self._superclasses
        class_hooked = self._class_hooks
        prop_hooked = self._prop_hooks
        type_plain = self._type_plain
        add = self._add

        while work:
            t = work.pop()
            s, p, o = t
            info = props.get(p)
            if info is None:
                info = compile_property(p)
            for q, rev in info.copies:
                t2 = (o, q, s) if rev else (s, q, o)
                if t2 not in triples:
                    add(t2, work, q in prop_hooked or q == TYPE)
            for c in info.subject_types:
                t2 = (s, TYPE, c)
                if t2 not in triples:
                    add(t2, work, not type_plain or c in class_hooked)
            if info.object_types and not literal[o]:
                for c in info.object_types:
                    t2 = (o, TYPE, c)
                    if t2 not in triples:
                        add(t2, work, not type_plain or c in class_hooked)
            if p == TYPE:
                for c in superclasses.get(o, ()):
                    t2 = (s, TYPE, c)
                    if t2 not in triples:
                        add(t2, work, not type_plain or c in class_hooked)
                if o in class_hooked:
                    self._class_rules(s, o, work)
            if p in prop_hooked:
                self._property_rules(s, p, o, work)

    def _add(self, t, work, process: bool) -> None:
        """Add a new triple. `process`: it needs the worklist (hooks, or not closed by construction)."""
        self.triples.add(t)
        s, p, o = t
        if p in self._index_props:
            self._out[p][s].add(o)
            self._in[p][o].add(s)
        if p in _SCHEMA_PREDICATES or (p == TYPE and o in _SCHEMA_CLASSES):
            self.schema_dirty = True
        if self._equal and (s in self._equal or o in self._equal or p in self._equal):
            self._replicate(t, work)
        if process:
            work.append(t)

    def _add_full(self, t, work) -> None:
        if t not in self.triples and not self.literal[t[0]]:
            self._add(t, work, True)

    # -- rules that join two data triples ---------------------------------------------------------

    def _property_rules(self, s, p, o, work) -> None:
        triples, literal = self.triples, self.literal
        if p in self._transitive:
            for z in list(self._out[p].get(o, ())):
                self._add_full((s, p, z), work)
            for x in list(self._in[p].get(s, ())):
                self._add_full((x, p, o), work)
        if p in self._functional and not literal[o]:
            for y in list(self._out[p].get(s, ())):
                if y != o and not literal[y]:
                    self._add_full((o, SAMEAS, y), work)
        if p in self._inverse_functional:
            for x in list(self._in[p].get(o, ())):
                if x != s:
                    self._add_full((s, SAMEAS, x), work)
        for r in self._has_value_by_pair.get((p, o), ()):           # cls-hv2
            self._add_full((s, TYPE, r), work)
        for r, y in self._some_values_by_prop.get(p, ()):           # cls-svf1/2
            if y == THING or (o, TYPE, y) in triples or (literal[o] and self._datatype_of(o) == y):
                self._add_full((s, TYPE, r), work)
        if not literal[o]:
            for r, y in self._all_values_by_prop.get(p, ()):        # cls-avf
                if (s, TYPE, r) in triples:
                    self._add_full((o, TYPE, y), work)
        for chain_prop, chain, position in self._chains_by_prop.get(p, ()):  # prp-spo2
            self._chain_rule(s, o, chain_prop, chain, position, work)
        if p == SAMEAS and s != o and not literal[s] and not literal[o]:
            if self._union(s, o):
                self._pending_same = True

    def _class_rules(self, x, c, work) -> None:
        triples = self.triples
        for p, value in self._has_value_by_restriction.get(c, ()):   # cls-hv1
            self._add_full((x, p, value), work)
        for p, y in self._all_values_by_restriction.get(c, ()):      # cls-avf
            for v in list(self._out[p].get(x, ())):
                if not self.literal[v]:
                    self._add_full((v, TYPE, y), work)
        for r, p in self._some_values_by_filler.get(c, ()):          # cls-svf1
            for u in list(self._in[p].get(x, ())):
                self._add_full((u, TYPE, r), work)
        for cls, members in self._intersections_by_member.get(c, ()):  # cls-int1
            if all((x, TYPE, m) in triples for m in members):
                self._add_full((x, TYPE, cls), work)

    def _chain_rule(self, s, o, chain_prop, chain, position, work) -> None:
        starts = {s}
        for q in reversed(chain[:position]):
            starts = {x for y in starts for x in self._in[q].get(y, ())}
            if not starts:
                return
        ends = {o}
        for q in chain[position + 1:]:
            ends = {z for y in ends for z in self._out[q].get(y, ())}
            if not ends:
                return
        for u in starts:
            for z in ends:
                self._add_full((u, chain_prop, z), work)

    def _datatype_of(self, i) -> int | None:
        return self.ids.get(self.terms[i].datatype)

    # -- owl:sameAs ------------------------------------------------------------------------------

    def _find(self, x):
        parent = self._parent
        root = parent.setdefault(x, x)
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def _union(self, a, b) -> bool:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return False
        self._parent[ra] = rb
        return True

    def _replicate_equals(self) -> None:
        """Rebuild the equality classes, then copy every triple along them (eq-sym, eq-trans, eq-rep-*)."""
        members = defaultdict(set)
        for x in list(self._parent):
            members[self._find(x)].add(x)
        self._equal = {}
        for group in members.values():
            for x in group:
                self._equal[x] = group
        self._pending_same = False
        work: list = []
        for group in members.values():
            for x in group:
                for y in group:
                    if x != y:
                        self._add_full((x, SAMEAS, y), work)
        for t in list(self.triples):
            s, p, o = t
            if s in self._equal or o in self._equal or p in self._equal:
                self._replicate(t, work)
        self._drain(work)

    def _replicate(self, t, work) -> None:
        s, p, o = t
        equal = self._equal
        for s2 in equal.get(s, (s,)):
            for p2 in equal.get(p, (p,)):
                for o2 in equal.get(o, (o,)):
                    t2 = (s2, p2, o2)
                    if t2 not in self.triples and not self.literal[s2]:
                        self.triples.add(t2)
                        if p2 in self._index_props:
                            self._out[p2][s2].add(o2)
                            self._in[p2][o2].add(s2)
                        if p2 in _SCHEMA_PREDICATES or (p2 == TYPE and o2 in _SCHEMA_CLASSES):
                            self.schema_dirty = True
                        work.append(t2)

    # -- the schema ------------------------------------------------------------------------------

    def _compile_schema(self) -> None:
        triples = self.triples
        rdfs = self.profile == "rdfs"
        by_pred: dict[int, list[tuple[int, int]]] = defaultdict(list)
        typed: dict[int, set[int]] = defaultdict(set)
        for s, p, o in triples:
            if p in _SCHEMA_PREDICATES:
                if not rdfs or p in _RDFS_PREDICATES:
                    by_pred[p].append((s, o))
            elif p == TYPE and o in _SCHEMA_CLASSES and not rdfs:
                typed[o].add(s)
        first = dict(by_pred[FIRST])
        rest = dict(by_pred[REST])

        def items(head):
            out, seen = [], set()
            while head != NIL and head in first and head not in seen:
                seen.add(head)
                out.append(first[head])
                head = rest.get(head, NIL)
            return out

        declared_classes = typed[CLASS]
        on_property = defaultdict(set)
        for r, p in by_pred[ON_PROPERTY]:
            on_property[r].add(p)

        # Property hierarchy (scm-spo, scm-eqp1/2).
        prop_up = defaultdict(set)
        for p1, p2 in by_pred[SUBPROP]:
            prop_up[p1].add(p2)
        for p1, p2 in by_pred[EQPROP]:
            prop_up[p1].add(p2)
            prop_up[p2].add(p1)
        prop_sup = _transitive_closure(prop_up)

        # owlrl makes declared properties and classes subsumed by themselves (scm-op, scm-dp, scm-cls,
        # with owl:Thing and owl:Nothing declared by cls-thing and cls-nothing).
        declared_properties = typed[OBJECT_PROPERTY] | typed[DATATYPE_PROPERTY] | typed[RDF_PROPERTY]
        reflexive_classes = declared_classes | {THING, NOTHING}

        def subproperty(p1, p2):  # "p1 rdfs:subPropertyOf p2" is in owlrl's closure
            return p2 in prop_sup.get(p1, ()) or (p1 == p2 and p1 in declared_properties)

        # Class hierarchy, with the subsumptions between restrictions, to a fixpoint.
        class_up = defaultdict(set)
        for c1, c2 in by_pred[SUBCLASS]:
            class_up[c1].add(c2)
        for c1, c2 in by_pred[EQCLASS]:
            class_up[c1].add(c2)
            class_up[c2].add(c1)
        for c in declared_classes:
            class_up[c].add(THING)                                     # scm-cls
        for c, head in by_pred[INTERSECTION]:
            for m in items(head):
                class_up[c].add(m)                                     # scm-int
        for c, head in by_pred[UNION]:
            for m in items(head):
                class_up[m].add(c)                                     # scm-uni
        has_value = by_pred[HAS_VALUE]
        some_values = by_pred[SOME_VALUES]
        all_values = by_pred[ALL_VALUES]
        while True:
            class_sup = _transitive_closure(class_up)

            def subclass(c1, c2):
                return c2 in class_sup.get(c1, ()) or (c1 == c2 and c1 in reflexive_classes)

            new = set()
            for c1, i1 in has_value:                                   # scm-hv
                for c2, i2 in has_value:
                    if i1 == i2 and any(subproperty(p1, p2) for p1 in on_property[c1] for p2 in on_property[c2]):
                        new.add((c1, c2))
            for restrictions, flip in ((some_values, False), (all_values, True)):
                for c1, y1 in restrictions:
                    for c2, y2 in restrictions:
                        if on_property[c1] & on_property[c2] and subclass(y1, y2):
                            new.add((c1, c2))                          # scm-svf1, scm-avf1
                        if y1 == y2 and any(
                            subproperty(p1, p2) for p1 in on_property[c1] for p2 in on_property[c2]
                        ):
                            new.add((c2, c1) if flip else (c1, c2))    # scm-svf2, scm-avf2
            new = {(a, b) for a, b in new if a != b and b not in class_up[a]}
            if not new:
                break
            for a, b in new:
                class_up[a].add(b)

        # Domains and ranges (scm-dom1/2, scm-rng1/2).
        def closed_classes(direct: dict[int, set[int]]) -> dict[int, set[int]]:
            out = {}
            for p in set(direct) | set(prop_sup):
                found = set(direct.get(p, ()))
                for q in prop_sup.get(p, ()):
                    found |= direct.get(q, set())
                for c in list(found):
                    found |= class_sup.get(c, set())
                if found:
                    out[p] = found
            return out

        domain_direct, range_direct = defaultdict(set), defaultdict(set)
        for p, c in by_pred[DOMAIN]:
            domain_direct[p].add(c)
        for p, c in by_pred[RANGE]:
            range_direct[p].add(c)
        domains = closed_classes(domain_direct)
        ranges = closed_classes(range_direct)

        # The derived schema triples go in directly: the compiled tables already account for them.
        # (RDFS has the transitive subclass and subproperty rules only: rdfs5, rdfs11.)
        derived = []
        for c, sups in class_sup.items():
            for d in sups:
                if d != c:
                    derived.append((c, SUBCLASS, d))
                    if c in class_sup.get(d, ()) and not rdfs:
                        derived.append((c, EQCLASS, d))
        for p, sups in prop_sup.items():
            for q in sups:
                if q != p:
                    derived.append((p, SUBPROP, q))
                    if p in prop_sup.get(q, ()) and not rdfs:
                        derived.append((p, EQPROP, q))
        if not rdfs:
            for p, cs in domains.items():
                derived.extend((p, DOMAIN, c) for c in cs)
            for p, cs in ranges.items():
                derived.extend((p, RANGE, c) for c in cs)
        triples.update(derived)

        inverse = defaultdict(set)
        for p1, p2 in by_pred[INVERSE]:
            inverse[p1].add(p2)
            inverse[p2].add(p1)

        self._class_sup, self._prop_sup = class_sup, prop_sup
        self._domains, self._ranges, self._inverse = domains, ranges, inverse
        self._symmetric = typed[SYMMETRIC]
        self._transitive = typed[TRANSITIVE]
        self._functional = typed[FUNCTIONAL]
        self._inverse_functional = typed[INVFUNCTIONAL]
        self._superclasses = {c: frozenset(sups - {c}) for c, sups in class_sup.items()}

        # Restrictions and chains, indexed for the worklist.
        self._has_value_by_pair = defaultdict(list)
        self._has_value_by_restriction = defaultdict(list)
        for r, v in has_value:
            for p in on_property[r]:
                self._has_value_by_pair[(p, v)].append(r)
                self._has_value_by_restriction[r].append((p, v))
        self._some_values_by_prop = defaultdict(list)
        self._some_values_by_filler = defaultdict(list)
        for r, y in some_values:
            for p in on_property[r]:
                self._some_values_by_prop[p].append((r, y))
                self._some_values_by_filler[y].append((r, p))
        self._all_values_by_prop = defaultdict(list)
        self._all_values_by_restriction = defaultdict(list)
        for r, y in all_values:
            for p in on_property[r]:
                self._all_values_by_prop[p].append((r, y))
                self._all_values_by_restriction[r].append((p, y))
        self._intersections_by_member = defaultdict(list)
        for c, head in by_pred[INTERSECTION]:
            members = items(head)
            for m in members:
                self._intersections_by_member[m].append((c, members))
        self._chains_by_prop = defaultdict(list)
        for p, head in by_pred[CHAIN]:
            chain = items(head)
            for position, q in enumerate(chain):
                self._chains_by_prop[q].append((p, chain, position))
        for c, head in by_pred[ONE_OF]:                                 # cls-oo
            for y in items(head):
                if not self.literal[y]:
                    triples.add((y, TYPE, c))

        self._class_hooks = (
            set(self._has_value_by_restriction) | set(self._all_values_by_restriction)
            | set(self._some_values_by_filler) | set(self._intersections_by_member)
        )
        self._prop_hooks = (
            set(self._transitive) | self._functional | self._inverse_functional
            | {p for p, _ in self._has_value_by_pair} | set(self._some_values_by_prop)
            | set(self._all_values_by_prop) | set(self._chains_by_prop) | ({SAMEAS} if not rdfs else set())
        )
        self._index_props = (
            set(self._transitive) | self._functional | self._inverse_functional
            | set(self._some_values_by_prop) | set(self._all_values_by_prop) | set(self._chains_by_prop)
        )
        self._out = {p: defaultdict(set) for p in self._index_props}
        self._in = {p: defaultdict(set) for p in self._index_props}
        if self._index_props:
            for s, p, o in triples:
                if p in self._index_props:
                    self._out[p][s].add(o)
                    self._in[p][o].add(s)
        self._parent = getattr(self, "_parent", {})
        self._equal = getattr(self, "_equal", {})
        self._props = {}
        self._type_plain = True
        self._type_plain = not (self._compile_property(TYPE).copies
                                or self._props[TYPE].subject_types or self._props[TYPE].object_types)
        self.schema_dirty = False

    def _compile_property(self, p) -> _Property:
        states = {(p, False)}
        stack = [(p, False)]
        while stack:
            q, rev = stack.pop()
            nexts = [(q2, rev) for q2 in self._prop_sup.get(q, ())]
            nexts += [(r, not rev) for r in self._inverse.get(q, ())]
            if q in self._symmetric:
                nexts.append((q, not rev))
            for state in nexts:
                if state not in states:
                    states.add(state)
                    stack.append(state)
        subject_types, object_types = set(), set()
        for q, rev in states:
            d, r = self._domains.get(q, ()), self._ranges.get(q, ())
            if rev:
                subject_types.update(r)
                object_types.update(d)
            else:
                subject_types.update(d)
                object_types.update(r)
        for types in (subject_types, object_types):
            for c in list(types):
                types.update(self._class_sup.get(c, ()))
        info = _Property(
            tuple(sorted(states - {(p, False)})), tuple(sorted(subject_types)), tuple(sorted(object_types))
        )
        self._props[p] = info
        return info


def _transitive_closure(edges: dict[int, set[int]]) -> dict[int, set[int]]:
    """For each node, every node reachable by one or more edges."""
    out: dict[int, set[int]] = {}
    for start in list(edges):
        seen: set[int] = set()
        stack = list(edges[start])
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            stack.extend(edges.get(n, ()))
        out[start] = seen
    return out
