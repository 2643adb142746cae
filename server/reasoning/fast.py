"""Fast OWL RL reasoning: the closure owlrl computes, in one pass over the data.

owlrl (`server.reasoning.reference.owlrl_inferred`) stays the reference. It applies every OWL 2 RL rule to every
triple, over and over, until a whole round adds nothing: about 0.4-1 ms per input triple. Here the
schema is closed first and compiled, so that each data triple is looked at once:

1. The schema (TBox) is small. Its closure is computed directly: subclass and subproperty hierarchies,
   equivalences, domains and ranges (scm-cls, scm-sco, scm-eqc1/2, scm-op, scm-dp, scm-spo, scm-eqp1/2,
   scm-dom1/2, scm-rng1/2, scm-int, scm-uni, scm-hv, scm-svf1/2, scm-avf1/2).
2. Every property p is compiled into what one triple `s p o` implies at once: the triples it is copied
   to along superproperties, equivalent properties, inverses and symmetry (prp-spo1, prp-eqp1/2,
   prp-inv1/2, prp-symp, closed under each other), and the classes its subject and its object belong to
   (prp-dom, prp-rng, cax-sco, cax-eqc1/2). Every class is compiled into its superclasses (cax-sco).
3. A worklist takes each triple once. Rules that join two data triples use indexes kept only for the
   properties and classes involved: prp-trp, prp-spo2 (property chains), prp-fp, prp-ifp, cls-hv1/2,
   cls-svf1/2, cls-avf, cls-int1, cls-oo, and owl:sameAs (eq-sym, eq-trans, eq-rep-s/p/o) by union-find.
   A schema triple derived from data (rare) sends the loop back to step 1.

Terms are interned to ints, so the sets and indexes hold int tuples. Like the rules (and owlrl), the
closure is over generalized triples: a literal can be the subject of a derived triple (the inverse of a
property with a literal value, the type a range gives a literal, `"7" rdf:type xsd:integer` for each
literal, dt-type2), and such triples take part in the joins. Only valid RDF triples are returned.

Scope: what is compared with owlrl (tests/test_reasoner_differential.py, tests/test_rules.py; the list
of what is left out is written in tests/reasoner_reference.py) and what is left out on purpose.

  Left out, because owlrl emits them for every graph or for every term and they say nothing about the data:
  - reflexive triples: `x owl:sameAs x` for every term (eq-ref), `C rdfs:subClassOf C` and
    `C owl:equivalentClass C` (scm-cls), `P rdfs:subPropertyOf P` and `P owl:equivalentProperty P`
    (scm-op, scm-dp). They are kept inside the closure where owlrl has them (scm-svf1 and its kin join
    on them), only not returned; eq-ref is not computed at all (nothing joins on it unless owl:sameAs
    itself is given a domain, range or superproperty, which this reasoner does not follow);
  - `owl:Nothing rdfs:subClassOf C` for every class (scm-cls), kept inside, not returned;
  - constant axioms: `owl:Thing`/`owl:Nothing a owl:Class` (cls-thing, cls-nothing; kept inside), the
    annotation properties `a owl:AnnotationProperty` (prp-ap), the XSD datatypes `a rdfs:Datatype` and
    their `owl:disjointWith` (dt-type1, dt-diff);
  - owlrl's error messages for inconsistencies (cax-dw, prp-irp, prp-asyp, eq-diff1, ...): checking
    the data is the SHACL shapes' job;
  - triples with a literal subject (generalized RDF, which owlrl's caller drops too).
  Kept and compared exactly: everything else, including `C rdfs:subClassOf owl:Thing` for each declared
  owl:Class, `P rdfs:domain owl:Thing` that follows from it, `x a owl:Thing` for their instances, and
  `x owl:sameAs "literal"` (prp-fp on a property with a literal value and a resource value).
  Not implemented: owl:hasKey, owl:maxCardinality, owl:maxQualifiedCardinality (they derive owl:sameAs
  from counting); `UnsupportedConstruct` is raised when the input uses them.

Where owlrl and the OWL 2 RL rules (W3C OWL 2 Profiles, section 4.3) disagree, this module follows
owlrl, so that owlrl stays an exact reference, except where owlrl's triple is wrong. Each difference has
a named test in tests/test_rules.py:
  - Cycles make no reflexive subsumption. The rules' scm-sco derives `C rdfs:subClassOf C` from
    `C ⊑ D ⊑ C` (and scm-spo `P ⊑ P` from a subproperty cycle); owlrl skips c1 = c3 there, so two
    restrictions on the same property with such a class as filler are not made subclasses of each
    other (scm-svf1, scm-avf1; scm-hv, scm-svf2, scm-avf2 for properties), and an individual typed
    with one is not typed with the other. Followed, so that owlrl stays an exact reference: in both, a
    declaration (owl:Class, owl:ObjectProperty) makes the class or property reflexive and the
    restrictions join; only an undeclared class or property in a cycle differs.
  - Literal types (dt-type2) come from the literal's datatype IRI and its XSD supertypes, as in owlrl:
    `"7"^^xsd:integer` is an xsd:decimal but not an xsd:byte (the rules type by value space, so it would
    be both). Language-tagged strings get no type (owlrl sees them through rdflib without a datatype;
    the rules would make them rdf:PlainLiteral). Followed: typing by value would parse every literal.
  - Not followed: owlrl types an xsd:NMTOKEN literal as an xsd:Name; XSD derives NMTOKEN from
    xsd:token, and "1a" is an NMTOKEN and no Name. Here NMTOKEN's supertypes are token,
    normalizedString and string.
  - Not followed: an IRI asserted to be of a datatype (`x a xsd:integer`, which OWL 2 does not allow):
    owlrl adds the datatype's supertypes (`x a xsd:decimal`) for the asserted triple only, and makes
    the terms of an asserted owl:sameAs with such an IRI or with a literal rdfs:Datatypes themselves
    (`x owl:sameAs "alpha"` gives `x a rdfs:Datatype`). Here such a type is a class like any other.

profile="rdfs" is the RDFS closure pySHACL computes for inference="rdfs" (see `Closure`), which
server.checks.shacl_fast adds to the data before validating with inference="none".
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
XSD = "http://www.w3.org/2001/XMLSchema#"

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
    RDFS + "ContainerMembershipProperty", RDFS + "member",
]
(TYPE, SUBCLASS, SUBPROP, DOMAIN, RANGE, EQCLASS, EQPROP, INVERSE, SAMEAS,
 CLASS, THING, NOTHING, SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVFUNCTIONAL,
 ON_PROPERTY, HAS_VALUE, SOME_VALUES, ALL_VALUES, INTERSECTION, UNION, ONE_OF, CHAIN,
 FIRST, REST, NIL, HAS_KEY, MAX_CARD, MAX_QCARD, OBJECT_PROPERTY, DATATYPE_PROPERTY,
 RDF_PROPERTY, RESOURCE, RDFS_CLASS, DATATYPE, LITERAL, CONTAINER_PROPERTY, MEMBER) = range(len(_VOCAB))

# Per profile: triples with these predicates, or typing a term with one of these classes, are schema:
# deriving a new one from data means the compiled schema is stale.
_SCHEMA_PREDICATES = {
    "owl-rl": frozenset({
        SUBCLASS, SUBPROP, DOMAIN, RANGE, EQCLASS, EQPROP, INVERSE, ON_PROPERTY, HAS_VALUE, SOME_VALUES,
        ALL_VALUES, INTERSECTION, UNION, ONE_OF, CHAIN, FIRST, REST, HAS_KEY, MAX_CARD, MAX_QCARD,
    }),
    "rdfs": frozenset({SUBCLASS, SUBPROP, DOMAIN, RANGE}),
}
_SCHEMA_CLASSES = {
    "owl-rl": frozenset({CLASS, SYMMETRIC, TRANSITIVE, FUNCTIONAL, INVFUNCTIONAL, OBJECT_PROPERTY,
                         DATATYPE_PROPERTY, RDF_PROPERTY}),
    "rdfs": frozenset({RDFS_CLASS, DATATYPE, CONTAINER_PROPERTY}),
}
PROFILES = ("owl-rl", "rdfs")
_UNSUPPORTED = {HAS_KEY: "owl:hasKey", MAX_CARD: "owl:maxCardinality", MAX_QCARD: "owl:maxQualifiedCardinality"}
_REFLEXIVE = frozenset({SAMEAS, SUBCLASS, EQCLASS, SUBPROP, EQPROP})  # left out of owl-rl's output when s == o

# dt-type2: the datatypes owlrl types literals with (its OWL_RL_Datatypes, without the ones no literal
# of pyoxigraph's carries), each with its supertypes in XSD 1.1's derivation tree.
_INTEGERS = ("integer", "decimal")
_XSD_SUPERTYPES = {
    "decimal": (), "integer": ("decimal",),
    "nonNegativeInteger": _INTEGERS, "nonPositiveInteger": _INTEGERS, "long": _INTEGERS,
    "int": ("long",) + _INTEGERS, "short": ("int", "long") + _INTEGERS, "byte": ("short", "int", "long") + _INTEGERS,
    "positiveInteger": ("nonNegativeInteger",) + _INTEGERS, "negativeInteger": ("nonPositiveInteger",) + _INTEGERS,
    "unsignedLong": ("nonNegativeInteger",) + _INTEGERS,
    "unsignedInt": ("unsignedLong", "nonNegativeInteger") + _INTEGERS,
    "unsignedShort": ("unsignedInt", "unsignedLong", "nonNegativeInteger") + _INTEGERS,
    "unsignedByte": ("unsignedShort", "unsignedInt", "unsignedLong", "nonNegativeInteger") + _INTEGERS,
    "float": (), "double": (), "boolean": (), "hexBinary": (), "base64Binary": (), "anyURI": (),
    "string": (), "normalizedString": ("string",), "token": ("normalizedString", "string"),
    "language": ("token", "normalizedString", "string"), "Name": ("token", "normalizedString", "string"),
    "NMTOKEN": ("token", "normalizedString", "string"),
    "NCName": ("Name", "token", "normalizedString", "string"),
    "dateTime": (), "dateTimeStamp": ("dateTime",), "time": (), "date": (),
}
_LITERAL_TYPES = {XSD + name: (XSD + name,) + tuple(XSD + s for s in sups) for name, sups in _XSD_SUPERTYPES.items()}
_LITERAL_TYPES.update({iri: (iri,) for iri in (RDFS + "Literal", RDF + "XMLLiteral", RDF + "HTML",
                                                 RDF + "PlainLiteral")})


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
        self.object_types = object_types    # classes of o


class Closure:
    """A closure over interned terms; see the module docstring.

    profile "owl-rl": the OWL RL rules above, as owlrl applies them. Profile "rdfs": what pySHACL's
    inference="rdfs" adds, which is owlrl's RDFS_Semantics without axiomatic triples: rdfs2, rdfs3,
    rdfs5, rdfs7, rdfs9, rdfs11 (no guards: a cycle makes `C rdfs:subClassOf C`), rdf1 for every
    triple of the closure (so `rdf:type a rdf:Property` whenever there is a type triple), rdfs6, rdfs8,
    rdfs10, rdfs12, rdfs13 on every type triple, and rdfs4a/b (`x a rdfs:Resource`) only for the terms of
    the input triples (owlrl applies it in its first pass only). Validating the data plus this closure
    with inference="none" checks the same graph, without owlrl's pass after pass over every triple."""

    def __init__(self, profile: str = "owl-rl"):
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}")
        self.profile = profile
        self.rdfs = profile == "rdfs"
        self.ids: dict = {}
        self.terms: list = []
        self.literal: list[bool] = []
        for iri in _VOCAB:
            self.intern(ox.NamedNode(iri))
        self.asserted: set[tuple[int, int, int]] = set()
        self.triples: set[tuple[int, int, int]] = set()
        self.constants: set[tuple[int, int, int]] = set()  # added whatever the input; not returned
        self.schema_dirty = True
        self.stats: dict[str, int] = {}
        self._schema_predicates = _SCHEMA_PREDICATES[profile]
        self._schema_classes = _SCHEMA_CLASSES[profile]

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
        if not self.rdfs:
            used = {t[1] for t in asserted}
            for p, name in _UNSUPPORTED.items():
                if p in used:
                    raise UnsupportedConstruct(f"{name} is not supported by the fast reasoner; use reasoner='owlrl'")
        self.triples = set(asserted)

    def inferred(self) -> list[ox.Triple]:
        """The derived triples, as pyoxigraph Triples (only valid RDF, no blank node predicates)."""
        terms, literal = self.terms, self.literal
        out = []
        # RDFS keeps its reflexive triples: pySHACL's graph has them (rdfs6, rdfs10).
        reflexive = set() if self.rdfs else _REFLEXIVE
        for t in self.triples - self.asserted:
            s, p, o = t
            if literal[s] or not isinstance(terms[p], ox.NamedNode) or t in self.constants:
                continue
            if (s == o and p in reflexive) or (p == SUBCLASS and s == NOTHING and not self.rdfs):
                continue
            out.append(ox.Triple(terms[s], terms[p], terms[o]))
        return out

    # -- the fixpoint ----------------------------------------------------------------------------

    def run(self) -> None:
        self._parent: dict[int, int] = {}
        self._equal: dict[int, set[int]] = {}
        self._pending_same = False
        self._typed_predicates: set[int] = set()
        self._add_constants()
        rounds = 0
        while True:
            rounds += 1
            self._compile_schema()
            self._drain(list(self.triples))
            while self._pending_same and not self.schema_dirty:
                self._replicate_equals()
            if not self.schema_dirty:
                break
        self.stats["rounds"] = rounds

    def _add_constants(self) -> None:
        """What holds before any rule runs. owl-rl: cls-thing, cls-nothing, and dt-type2 (each literal is
        of its datatype and of the datatype's supertypes). rdfs: rdfs4a/b for the input triples."""
        found = set()
        if self.rdfs:
            for s, _, o in self.asserted:
                found.add((s, TYPE, RESOURCE))
                found.add((o, TYPE, RESOURCE))
        else:
            found.update(((THING, TYPE, CLASS), (NOTHING, TYPE, CLASS)))
            types_of: dict = {}
            for i, term in enumerate(list(self.terms)):
                if self.literal[i] and not term.language:
                    datatype = term.datatype
                    if datatype not in types_of:
                        types = _LITERAL_TYPES.get(datatype.value, ())
                        types_of[datatype] = [self.intern(ox.NamedNode(d)) for d in types]
                    found.update((i, TYPE, d) for d in types_of[datatype])
        new = found - self.triples
        self.triples |= new
        if not self.rdfs:  # what RDFS adds here is part of the closure pySHACL validates
            self.constants = new

    def _drain(self, work: list) -> None:
        """Process every triple of `work` and of what it derives, each once."""
        triples = self.triples
        props = self._props
        compile_property = self._compile_property
        superclasses = self._superclasses
        class_hooked = self._class_hooks
        prop_hooked = self._prop_hooks
        type_plain = self._type_plain
        typed_predicates = self._typed_predicates
        rdf1 = self.rdfs
        add = self._add

        while work:
            t = work.pop()
            s, p, o = t
            if rdf1 and p not in typed_predicates:
                self._type_predicate(p, work)
            info = props.get(p)
            if info is None:
                info = compile_property(p)
            for q, rev in info.copies:                                 # prp-spo1, prp-eqp, prp-inv, prp-symp
                t2 = (o, q, s) if rev else (s, q, o)
                if t2 not in triples:
                    add(t2, work, q in prop_hooked or q == TYPE)
            for c in info.subject_types:                               # prp-dom
                t2 = (s, TYPE, c)
                if t2 not in triples:
                    add(t2, work, not type_plain or c in class_hooked)
            for c in info.object_types:                                # prp-rng
                t2 = (o, TYPE, c)
                if t2 not in triples:
                    add(t2, work, not type_plain or c in class_hooked)
            if p == TYPE:
                for c in superclasses.get(o, ()):                      # cax-sco, cax-eqc1/2
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
        if (p in self._schema_predicates and not (self.rdfs and s == o)) or (p == TYPE and o in self._schema_classes):
            self.schema_dirty = True  # (a reflexive subclass or subproperty triple changes nothing in RDFS)
        if self.rdfs and p not in self._typed_predicates:
            self._type_predicate(p, work)
        if process:
            work.append(t)

    def _add_full(self, t, work) -> None:
        if t not in self.triples:
            self._add(t, work, True)

    def _type_predicate(self, p, work) -> None:
        """rdf1: the predicate of any triple is an rdf:Property (RDFS only: owlrl's OWL RL has no rdf1)."""
        self._typed_predicates.add(p)
        self._add_full((p, TYPE, RDF_PROPERTY), work)

    # -- rules that join two data triples ---------------------------------------------------------

    def _property_rules(self, s, p, o, work) -> None:
        triples = self.triples
        if p in self._transitive:                                      # prp-trp
            for z in list(self._out[p].get(o, ())):
                self._add_full((s, p, z), work)
            for x in list(self._in[p].get(s, ())):
                self._add_full((x, p, o), work)
        if p in self._functional:                                      # prp-fp
            for y in list(self._out[p].get(s, ())):
                if y != o:
                    self._add_full((o, SAMEAS, y), work)
        if p in self._inverse_functional:                              # prp-ifp
            for x in list(self._in[p].get(o, ())):
                if x != s:
                    self._add_full((s, SAMEAS, x), work)
        for r in self._has_value_by_pair.get((p, o), ()):             # cls-hv2
            self._add_full((s, TYPE, r), work)
        for r, y in self._some_values_by_prop.get(p, ()):
            if y == THING or (o, TYPE, y) in triples:                  # cls-svf2, cls-svf1
                self._add_full((s, TYPE, r), work)
        for r, y in self._all_values_by_prop.get(p, ()):              # cls-avf
            if (s, TYPE, r) in triples:
                self._add_full((o, TYPE, y), work)
        for chain_prop, chain, position in self._chains_by_prop.get(p, ()):  # prp-spo2
            self._chain_rule(s, o, chain_prop, chain, position, work)
        if p == SAMEAS and s != o:                                     # eq-sym, eq-trans, eq-rep-*
            if self._union(s, o):
                self._pending_same = True

    def _class_rules(self, x, c, work) -> None:
        triples = self.triples
        for p, value in self._has_value_by_restriction.get(c, ()):   # cls-hv1
            self._add_full((x, p, value), work)
        for p, y in self._all_values_by_restriction.get(c, ()):      # cls-avf
            for v in list(self._out[p].get(x, ())):
                self._add_full((v, TYPE, y), work)
        for r, p in self._some_values_by_filler.get(c, ()):          # cls-svf1
            for u in list(self._in[p].get(x, ())):
                self._add_full((u, TYPE, r), work)
        for cls, members in self._intersections_by_member.get(c, ()):  # cls-int1
            if all((x, TYPE, m) in triples for m in members):
                self._add_full((x, TYPE, cls), work)
        if c == RDF_PROPERTY and self.rdfs:                            # rdfs6
            self._add_full((x, SUBPROP, x), work)

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
        """Rebuild the equality classes, then copy every triple along them (eq-rep-s/p/o; eq-sym and eq-trans
        are the copies of the owl:sameAs triples themselves).

        What the worklist derives afterwards needs no copying of its own: each term of the conclusion of
        an OWL RL rule there comes from one place in one premise, or from the schema, and the premises are
        copied already, so the copies follow by the same rule. The schema's conclusions are copied where
        they are made (_compile_schema): scm-cls gives C rdfs:subClassOf C, and the copy that replaces one
        of the two C follows from no premise."""
        members = defaultdict(set)
        for x in list(self._parent):
            members[self._find(x)].add(x)
        self._equal = {}
        for group in members.values():
            for x in group:
                self._equal[x] = group
        self._pending_same = False
        work: list = []
        for t in list(self.triples):
            s, p, o = t
            if s in self._equal or o in self._equal or p in self._equal:
                self._replicate(t, work)
        self._drain(work)

    def _replicate(self, t, work) -> None:
        s, p, o = t
        equal = self._equal
        triples = self.triples
        for s2 in equal.get(s, (s,)):
            for p2 in equal.get(p, (p,)):
                for o2 in equal.get(o, (o,)):
                    t2 = (s2, p2, o2)
                    if t2 not in triples:
                        self._add(t2, work, True)

    # -- the schema ------------------------------------------------------------------------------

    def _compile_schema(self) -> None:
        triples = self.triples
        rdfs = self.rdfs
        by_pred: dict[int, list[tuple[int, int]]] = defaultdict(list)
        typed: dict[int, set[int]] = defaultdict(set)
        for s, p, o in triples:
            if p in self._schema_predicates:
                by_pred[p].append((s, o))
            elif p == TYPE and o in self._schema_classes:
                typed[o].add(s)
        first = dict(by_pred[FIRST])
        rest = dict(by_pred[REST])

        def items(head):  # as rdflib's Graph.items, which owlrl uses: a node without rdf:first is skipped
            out, seen = [], set()
            while head is not None and head not in seen:
                seen.add(head)
                if head in first:
                    out.append(first[head])
                head = rest.get(head)
            return out

        on_property = defaultdict(set)
        for r, p in by_pred[ON_PROPERTY]:
            on_property[r].add(p)

        # Property hierarchy. owl-rl: scm-spo, scm-eqp1, scm-op, scm-dp; rdfs: rdfs5, rdfs12 (rdfs6 is in
        # the worklist: a reflexive subproperty changes nothing here).
        prop_up = _edges(by_pred[SUBPROP], () if rdfs else by_pred[EQPROP])
        if rdfs:
            for p in typed[CONTAINER_PROPERTY]:
                prop_up[p].add(MEMBER)
        else:
            for p in typed[OBJECT_PROPERTY] | typed[DATATYPE_PROPERTY] | typed[RDF_PROPERTY]:
                prop_up[p].add(p)
        close = _transitive_closure if rdfs else _owlrl_closure
        prop_sup = close(prop_up)

        def subproperty(p1, p2):  # "p1 rdfs:subPropertyOf p2" is in the closure
            return p2 in prop_sup.get(p1, ())

        # Class hierarchy, with the subsumptions between restrictions, to a fixpoint.
        # owl-rl: scm-sco, scm-eqc1, scm-cls, scm-int, scm-uni, scm-hv, scm-svf1/2, scm-avf1/2;
        # rdfs: rdfs11, rdfs8, rdfs10, rdfs13.
        class_up = _edges(by_pred[SUBCLASS], () if rdfs else by_pred[EQCLASS])
        if rdfs:
            for c in typed[RDFS_CLASS]:
                class_up[c].update((RESOURCE, c))
            for c in typed[DATATYPE]:
                class_up[c].add(LITERAL)
        else:
            for c in typed[CLASS]:
                class_up[c].update((c, THING))                         # scm-cls
                class_up[NOTHING].add(c)
            for c, head in by_pred[INTERSECTION]:
                for m in items(head):
                    class_up[c].add(m)                                 # scm-int
            for c, head in by_pred[UNION]:
                for m in items(head):
                    class_up[m].add(c)                                 # scm-uni
        has_value = by_pred[HAS_VALUE]
        some_values = by_pred[SOME_VALUES]
        all_values = by_pred[ALL_VALUES]
        while True:
            class_sup = close(class_up)

            def subclass(c1, c2):
                return c2 in class_sup.get(c1, ())

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
            new = {(a, b) for a, b in new if b not in class_up[a]}
            if not new:
                break
            for a, b in new:
                class_up[a].add(b)

        # Domains and ranges: what a triple's subject and object are (prp-dom, prp-rng), closed under the
        # hierarchies (owl-rl: scm-dom1/2, scm-rng1/2; in RDFS the same classes follow from rdfs7 and rdfs9).
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

        # The schema triples this closure holds (owl-rl: scm-eqc2 and scm-eqp2 too; rdfs has no such rule).
        derived = []
        for c, sups in class_sup.items():
            for d in sups:
                derived.append((c, SUBCLASS, d))
                if not rdfs and c in class_sup.get(d, ()):
                    derived.append((c, EQCLASS, d))
        for p, sups in prop_sup.items():
            for q in sups:
                derived.append((p, SUBPROP, q))
                if not rdfs and p != q and p in prop_sup.get(q, ()):
                    derived.append((p, EQPROP, q))
        if not rdfs:
            for p in typed[OBJECT_PROPERTY] | typed[DATATYPE_PROPERTY] | typed[RDF_PROPERTY]:
                derived.append((p, EQPROP, p))                         # scm-op, scm-dp
            for p, cs in domains.items():
                derived.extend((p, DOMAIN, c) for c in cs)
            for p, cs in ranges.items():
                derived.extend((p, RANGE, c) for c in cs)
        for c, head in by_pred[ONE_OF]:                                 # cls-oo
            derived.extend((y, TYPE, c) for y in items(head))

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

        self._class_hooks = (
            set(self._has_value_by_restriction) | set(self._all_values_by_restriction)
            | set(self._some_values_by_filler) | set(self._intersections_by_member)
            | ({RDF_PROPERTY} if rdfs else set())
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
        self._props = {}
        self._type_plain = True
        self._type_plain = not (self._compile_property(TYPE).copies
                                or self._props[TYPE].subject_types or self._props[TYPE].object_types)

        # The derived schema triples go in now; the tables above account for them, so they do not make
        # the schema stale, but what they are copied to along owl:sameAs may (_replicate_equals). The drain
        # after this takes them all.
        new = [t for t in dict.fromkeys(derived) if t not in triples]
        for t in new:
            self._add(t, [], False)
        self.schema_dirty = False
        if self._equal:
            for t in new:
                self._replicate(t, [])

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


def _edges(subsumptions, equivalences) -> defaultdict[int, set[int]]:
    """The direct edges of a hierarchy: a ⊑ b, and both ways for a ≡ b (scm-eqc1, scm-eqp1: owlrl skips
    a ≡ a there)."""
    up: defaultdict[int, set[int]] = defaultdict(set)
    for a, b in subsumptions:
        up[a].add(b)
    for a, b in equivalences:
        if a != b:
            up[a].add(b)
            up[b].add(a)
    return up


def _transitive_closure(edges: dict[int, set[int]]) -> dict[int, set[int]]:
    """For each node, every node reachable by one or more edges (itself too, on a cycle)."""
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


def _owlrl_closure(edges: dict[int, set[int]]) -> dict[int, set[int]]:
    """owlrl's scm-sco and scm-spo: the transitive closure, except that a node reaches itself only by a
    reflexive edge of its own, never by a cycle (owlrl skips c1 = c3; see the module docstring)."""
    irreflexive = {a: {b for b in bs if b != a} for a, bs in edges.items()}
    closed = _transitive_closure(irreflexive)
    return {a: (closed[a] - {a}) | ({a} if a in edges[a] else set()) for a in edges}
