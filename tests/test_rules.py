"""The fast reasoner (server.reasoning.fast) against the reference, owlrl (server.reasoning.reference.owlrl_inferred), and
its RDFS profile against the RDFS closure pySHACL computes.

What is compared: owlrl's inferred triples minus the kinds server.reasoning.fast leaves out on purpose, listed in
tests/reasoner_reference.py (not in the code under test): reflexive owl:sameAs/subClassOf/
equivalentClass/subPropertyOf/equivalentProperty, owl:Nothing rdfs:subClassOf C, the constant axioms for
owl:Thing, owl:Nothing, annotation properties and XSD datatypes, owlrl's error messages. The rest must
be equal, triple for triple. Here: a graph that uses every construct, the curated graph, the cases the
random comparison (tests/test_reasoner_differential.py) and issue 13 found, and one named test for each
point where server.reasoning.fast and owlrl differ on purpose (server/rules.py's docstring says why).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from reasoner_reference import OWL, RDF, RDFS, XSD, as_tuples, left_out_of_owl_rl, owlrl_closure, pyshacl_rdfs_closure
from server.reasoning.fast import UnsupportedConstruct, inferred_triples
from server.sources.turtle import parse_turtle, parse_turtle_file

# A small ontology and data set that uses every construct the reasoner implements, written so that
# the constructs interact (inverse of a symmetric property, chain over a transitive property,
# owl:sameAs derived from a functional property, a schema triple derived from data, ...).
CONSTRUCTS = """
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <http://example.org/> .

tsk:Agent a owl:Class ; rdfs:subClassOf prov:Agent, foaf:Agent .
tsk:Person a owl:Class ; rdfs:subClassOf tsk:Agent ; owl:equivalentClass ex:Human .
tsk:State a owl:Class ; rdfs:subClassOf tsk:Agent .
tsk:Organisation a owl:Class ; rdfs:subClassOf tsk:Agent .
tsk:Party a owl:Class ; rdfs:subClassOf tsk:Organisation .
tsk:Event a owl:Class .
tsk:Statement a owl:Class ; rdfs:subClassOf tsk:Event .
tsk:Retraction a owl:Class ; rdfs:subClassOf tsk:Statement .
tsk:Place a owl:Class .
tsk:actor a owl:ObjectProperty ; rdfs:domain tsk:Event ; rdfs:range tsk:Agent .
tsk:speaker a owl:ObjectProperty ; rdfs:subPropertyOf tsk:actor ; rdfs:domain tsk:Statement .
tsk:retracts a owl:ObjectProperty ; owl:inverseOf tsk:retractedBy ; rdfs:domain tsk:Retraction ; rdfs:range tsk:Statement .
tsk:memberOf a owl:ObjectProperty ; rdfs:range tsk:Organisation ; owl:inverseOf tsk:hasMember .
tsk:hasMember a owl:ObjectProperty .
tsk:partOf a owl:ObjectProperty, owl:TransitiveProperty .
tsk:locatedIn a owl:ObjectProperty, owl:TransitiveProperty ; rdfs:range tsk:Place .
tsk:borders a owl:ObjectProperty, owl:SymmetricProperty ; rdfs:domain tsk:State .
tsk:name a owl:DatatypeProperty ; owl:equivalentProperty foaf:name ; rdfs:range xsd:string .
tsk:evidence a owl:ObjectProperty ; rdfs:subPropertyOf prov:wasDerivedFrom .
tsk:nationality a owl:ObjectProperty, owl:FunctionalProperty ; rdfs:range tsk:State .
tsk:Leader a owl:Class ; owl:equivalentClass [ a owl:Restriction ; owl:onProperty tsk:leads ; owl:someValuesFrom tsk:Party ] .
tsk:SerbianThing owl:equivalentClass [ a owl:Restriction ; owl:onProperty tsk:nationality ; owl:hasValue tskr:serbia ] .
tsk:SerbianPerson owl:equivalentClass [ owl:intersectionOf ( tsk:Person tsk:SerbianThing ) ] .
tsk:Actorish owl:unionOf ( tsk:Person tsk:State ) .
tsk:worksFor owl:propertyChainAxiom ( tsk:memberOf tsk:partOf ) .
tsk:PartyOnly a owl:Restriction ; owl:onProperty tsk:memberOf ; owl:allValuesFrom tsk:Party .
tsk:knows a owl:SymmetricProperty ; owl:inverseOf tsk:knownBy .
tsk:SupportsKosovo a owl:Restriction ; owl:onProperty tsk:position ; owl:hasValue tskr:support .
tsk:Scale owl:oneOf ( tskr:low tskr:high ) .
ex:broaderClass rdfs:subPropertyOf rdfs:subClassOf .

tskr:vucic a tsk:Person ; tsk:name "Aleksandar Vucic" ; tsk:nationality tskr:serbia ; tsk:memberOf tskr:sns ;
   tsk:leads tskr:sns ; owl:sameAs ex:Q57372 .
tskr:sns a tsk:Party ; tsk:partOf tskr:coalition .
tskr:coalition tsk:partOf tskr:bigger .
tskr:serbia a tsk:State ; tsk:borders tskr:kosovo .
tskr:vucic-again tsk:nationality tskr:srbija ; owl:sameAs tskr:vucic .
tskr:prizren tsk:locatedIn tskr:kosovo-region . tskr:kosovo-region tsk:locatedIn tskr:balkans .
tskr:s1 a tsk:Statement ; tsk:speaker tskr:erdogan ; tsk:evidence tskr:quote-s5 .
tskr:r1 tsk:retracts tskr:s1 ; tsk:speaker tskr:erdogan .
tskr:x tsk:memberOf tskr:y ; a tsk:PartyOnly .
_:b1 tsk:speaker tskr:erdogan .
ex:Minister ex:broaderClass tsk:Person .
tskr:dacic a ex:Minister .
tskr:a tsk:knows tskr:b .
tskr:stance1 a tsk:SupportsKosovo .
"""


def _compare(triples: list[ox.Triple]) -> tuple[set, set, set]:
    """(owlrl's inferred triples in scope, ours, owlrl's left out)."""
    in_scope, left_out = owlrl_closure(triples)
    return in_scope, as_tuples(inferred_triples(triples)), left_out


def _show(triples) -> str:
    return "\n".join(sorted(str(ox.Triple(*t)) for t in triples)[:30])


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


TSK, TSKR = "https://w3id.org/tskg/ontology#", "https://w3id.org/tskg/id/"
A = _n(RDF + "type")


def test_constructs_equal_owlrl():
    triples = parse_turtle(CONSTRUCTS.encode(), "constructs.ttl")
    reference, ours, left_out = _compare(triples)
    assert ours == reference, f"missing:\n{_show(reference - ours)}\nextra:\n{_show(ours - reference)}"
    assert not any(left_out_of_owl_rl(*t) for t in ours)

    # And, not only relative to owlrl, the consequences each construct is there for:
    expected = [
        (TSKR + "sns", RDF + "type", TSK + "Agent"),                   # cax-sco, twice
        (TSKR + "vucic", RDF + "type", "http://example.org/Human"),    # cax-eqc
        (TSKR + "s1", TSK + "actor", TSKR + "erdogan"),                # prp-spo1
        (TSKR + "erdogan", RDF + "type", TSK + "Agent"),                # prp-rng
        (TSKR + "r1", RDF + "type", TSK + "Retraction"),               # prp-dom
        (TSKR + "s1", TSK + "retractedBy", TSKR + "r1"),               # prp-inv1
        (TSKR + "sns", TSK + "hasMember", TSKR + "vucic"),             # prp-inv2 direction
        (TSKR + "sns", TSK + "partOf", TSKR + "bigger"),               # prp-trp
        (TSKR + "kosovo", TSK + "borders", TSKR + "serbia"),           # prp-symp
        (TSKR + "b", TSK + "knownBy", TSKR + "a"),                     # symmetric + inverse
        (TSKR + "vucic", "http://xmlns.com/foaf/0.1/name", None),       # prp-eqp1
        (TSKR + "vucic", TSK + "worksFor", TSKR + "bigger"),           # prp-spo2 over prp-trp
        (TSKR + "serbia", OWL + "sameAs", TSKR + "srbija"),            # prp-fp through eq-rep-s
        ("http://example.org/Q57372", TSK + "memberOf", TSKR + "sns"),  # eq-rep-s
        (TSKR + "vucic", RDF + "type", TSK + "Leader"),                # cls-svf1
        (TSKR + "vucic", RDF + "type", TSK + "SerbianPerson"),         # cls-hv2, cls-int1
        (TSKR + "vucic", RDF + "type", TSK + "Actorish"),              # scm-uni
        (TSKR + "y", RDF + "type", TSK + "Party"),                     # cls-avf
        (TSKR + "stance1", TSK + "position", TSKR + "support"),        # cls-hv1
        (TSKR + "low", RDF + "type", TSK + "Scale"),                   # cls-oo
        (TSKR + "dacic", RDF + "type", TSK + "Agent"),                 # a schema triple derived from data
        (TSK + "Person", RDFS + "subClassOf", OWL + "Thing"),          # scm-cls (kept)
        (TSKR + "vucic", RDF + "type", OWL + "Thing"),                 # ... and what follows from it
    ]
    for s, p, o in expected:
        if o is None:
            assert any(t[0] == _n(s) and t[1] == _n(p) for t in ours), (s, p)
        else:
            assert (_n(s), _n(p), _n(o)) in ours, (s, p, o)

    # What is left out is only the documented kinds, and there is some of each.
    kinds = {
        "reflexive": lambda t: t[0] == t[2],
        "nothing": lambda t: t[0] == _n(OWL + "Nothing"),
        "constant": lambda t: t[1] == A and t[2] in (_n(RDFS + "Datatype"), _n(OWL + "AnnotationProperty"),
                                                     _n(OWL + "Class"))
        or t[1] == _n(OWL + "disjointWith"),
    }
    for name, test in kinds.items():
        assert any(test(t) for t in left_out), name
    assert all(any(test(t) for test in kinds.values()) for t in left_out)


def test_curated_graph_equals_owlrl(project):
    if not project.graph_files or not (project.ontology_dir / "tskg.ttl").exists():
        pytest.skip("the curated ontology and graph are not written yet")
    triples = [t for path in project.ontology_files + project.graph_files for t in parse_turtle_file(path)]
    reference, ours, _ = _compare(triples)
    assert len(reference) > 100
    assert ours == reference, f"missing:\n{_show(reference - ours)}\nextra:\n{_show(ours - reference)}"


def test_inferred_excludes_asserted_and_is_valid_rdf():
    triples = parse_turtle(CONSTRUCTS.encode(), "constructs.ttl")
    asserted = {tuple(t) for t in triples}
    for t in inferred_triples(triples):
        assert tuple(t) not in asserted
        assert not isinstance(t.subject, ox.Literal) and isinstance(t.predicate, ox.NamedNode)


@pytest.mark.parametrize("construct", ["owl:hasKey ( tsk:name )", "owl:maxCardinality 1"])
def test_unsupported_constructs_are_refused(construct):
    text = f"""@prefix owl: <{OWL}> . @prefix tsk: <{TSK}> .
    tsk:Person {construct} ."""
    with pytest.raises(UnsupportedConstruct, match="owl:"):
        inferred_triples(parse_turtle(text.encode(), "bad.ttl"))


def test_rdfs_profile_equals_pyshacls_rdfs_closure(project):
    """profile="rdfs" is what pySHACL adds for inference="rdfs" (owlrl's RDFS rules, no axioms), less the
    generalized triples about literals: server.checks.shacl_fast validates data + this closure instead."""
    triples = parse_turtle(CONSTRUCTS.encode(), "constructs.ttl")
    if project.graph_files:
        triples += [t for path in project.ontology_files + project.graph_files for t in parse_turtle_file(path)]
    reference = pyshacl_rdfs_closure(triples)
    ours = as_tuples(inferred_triples(triples, profile="rdfs"))
    assert ours == reference, f"missing:\n{_show(reference - ours)}\nextra:\n{_show(ours - reference)}"


# -- regression cases: inputs on which server.reasoning.fast and its reference differed -----------------------

PREFIXES = """@prefix : <http://example.org/r/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/r/"


def _term(text: str):
    """':x' or a full IRI as a NamedNode, '"v"' as a plain literal."""
    if text.startswith('"'):
        return ox.Literal(text.strip('"'))
    return _n(EX + text[1:] if text.startswith(":") else text)


# name: (profile, Turtle, (triple that must be inferred, or None), (triple that must not be, or None)).
# Each failed before this reference comparison was random (issue 13, tests/test_reasoner_differential.py).
REGRESSIONS = {
    # A literal subject takes part in the joins (generalized triples): "v" :p :x by the inverse, then
    # "v" :p :y by transitivity, then :y :q "v" by the inverse again.
    "inverse of a transitive property with a literal value": (
        "owl-rl", ':p a owl:TransitiveProperty . :q owl:inverseOf :p . :x :q "v" . :y :q :x .',
        (":y", ":q", '"v"'), None),
    # A cycle makes no reflexive subclass triple in owlrl, so scm-svf1 does not join the two restrictions.
    "scm-svf1 over a subclass cycle": (
        "owl-rl", ":A rdfs:subClassOf :B . :B rdfs:subClassOf :A ."
                  ":R1 owl:onProperty :p ; owl:someValuesFrom :A . :R2 owl:onProperty :p ; owl:someValuesFrom :A .",
        None, (":R1", RDFS + "subClassOf", ":R2")),
    # scm-uni makes :U rdfs:subClassOf :U; owl:sameAs copies it to :U rdfs:subClassOf :V.
    "owl:unionOf with itself as a member, owl:sameAs another class": (
        "owl-rl", ":U owl:unionOf ( :U :A ) . :V owl:sameAs :U .", (":U", RDFS + "subClassOf", ":V"), None),
    # A literal gets the type a range gives it ("7" a :C), and cls-svf1 joins on it.
    "someValuesFrom a class that a range gives a literal": (
        "owl-rl", ':p rdfs:range :C . :R owl:onProperty :p ; owl:someValuesFrom :C . :x :p "7"^^xsd:integer .',
        (":x", RDF + "type", ":R"), None),
    # The reflexive owl:Thing rdfs:subClassOf owl:Thing (cls-thing, scm-cls) is copied by an inverse.
    "an inverse of rdfs:subClassOf": (
        "owl-rl", ":sup owl:inverseOf rdfs:subClassOf .", (OWL + "Thing", ":sup", OWL + "Thing"), None),
    # dt-type2 types "alpha" as an xsd:string, and owl:sameAs copies that to :x.
    "owl:sameAs a literal": ("owl-rl", ':x owl:sameAs "alpha" .', (":x", RDF + "type", XSD + "string"), None),
    # prp-fp with a literal value and a resource value: :y owl:sameAs "v", then eq-rep-o.
    "functional property with a literal and a resource value": (
        "owl-rl", ':p a owl:FunctionalProperty . :x :p "v" . :x :p :y . :z :q :y .', (":z", ":q", '"v"'), None),
    # prp-ifp over the generalized triple "v" :p :x (the symmetric copy of :x :p "v").
    "inverse functional symmetric property with a literal value": (
        "owl-rl", ':p a owl:InverseFunctionalProperty, owl:SymmetricProperty . :x :p "v" . :y :p :x .',
        (":y", OWL + "sameAs", '"v"'), None),
    # owlrl reads lists with rdflib's Graph.items, which steps over a node without rdf:first.
    "owl:oneOf over a list node without rdf:first": (
        "owl-rl", ":C owl:oneOf _:l0 . _:l0 rdf:rest _:l1 . _:l1 rdf:first :i ; rdf:rest rdf:nil .",
        (":i", RDF + "type", ":C"), None),
    # :i3 is made an owl:Class after the owl:sameAs classes are built (by a domain reached through
    # owl:sameAs between properties): its C rdfs:subClassOf C (scm-cls) is copied to :b on one side only.
    "a term made a class after owl:sameAs joined it to another": (
        "owl-rl", ":p5 rdfs:subPropertyOf :p1 ; owl:inverseOf :p5 . :p4 rdfs:domain owl:Class ; owl:sameAs :p1 ."
                  ":i2 :p5 :i3 . :b owl:sameAs :i3 .", (":b", RDFS + "subClassOf", ":i3"), None),
    # rdf1 for the triples the closure adds: x a rdfs:Resource makes rdf:type an rdf:Property.
    "rdfs: a graph without rdf:type": ("rdfs", ":x :p :y .", (RDF + "type", RDF + "type", RDF + "Property"), None),
    # rdfs8 and rdfs10 add subclass triples: rdfs:subClassOf is an rdf:Property (rdf1) and its own
    # subproperty (rdfs6).
    "rdfs: an rdfs:Class": (
        "rdfs", ":C a rdfs:Class .", (RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "subClassOf"), None),
}


@pytest.mark.parametrize("name", REGRESSIONS)
def test_regressions_equal_the_reference(name):
    profile, body, present, absent = REGRESSIONS[name]
    triples = parse_turtle((PREFIXES + body).encode(), "case.ttl")
    reference = owlrl_closure(triples)[0] if profile == "owl-rl" else pyshacl_rdfs_closure(triples)
    ours = as_tuples(inferred_triples(triples, profile=profile))
    assert ours == reference, f"missing:\n{_show(reference - ours)}\nextra:\n{_show(ours - reference)}"
    if present:
        assert tuple(map(_term, present)) in ours
    if absent:
        assert tuple(map(_term, absent)) not in ours


# -- where server.reasoning.fast and owlrl differ on purpose (server/rules.py's docstring) ---------------------

def _ours_and_owlrl(body: str) -> tuple[set, set]:
    """(server.reasoning.fast' triples, owlrl's in scope, its mistakes included)."""
    triples = parse_turtle((PREFIXES + body).encode(), "case.ttl")
    return as_tuples(inferred_triples(triples)), owlrl_closure(triples, without_mistakes=False)[0]


def _t(s, p, o) -> tuple:
    return _term(s), _term(p), _term(o)


@pytest.mark.parametrize("declared", [False, True])
def test_a_cycle_makes_no_reflexive_subsumption_as_in_owlrl(declared):
    """Followed: owlrl. The OWL 2 RL rules scm-sco and scm-spo derive C ⊑ C from a cycle C ⊑ D ⊑ C (and
    P ⊑ P likewise); owlrl does not, so two restrictions with the same filler or the same property are
    joined (scm-svf1, scm-hv) only when the filler or property is declared, as owl:Class or
    owl:ObjectProperty makes it reflexive in both."""
    body = (":A rdfs:subClassOf :B . :B rdfs:subClassOf :A ."
            ":R1 owl:onProperty :p ; owl:someValuesFrom :A . :R2 owl:onProperty :p ; owl:someValuesFrom :A ."
            ":q rdfs:subPropertyOf :r . :r rdfs:subPropertyOf :q ."
            ":H1 owl:onProperty :q ; owl:hasValue :v . :H2 owl:onProperty :q ; owl:hasValue :v .")
    if declared:
        body += ":A a owl:Class . :q a owl:ObjectProperty ."
    ours, reference = _ours_and_owlrl(body)
    assert ours == reference
    for joined in (_t(":R1", RDFS + "subClassOf", ":R2"), _t(":H1", RDFS + "subClassOf", ":H2")):
        assert (joined in ours) is declared


def test_literal_types_follow_the_datatype_iri_as_in_owlrl():
    """Followed: owlrl. dt-type2 in the rules types a literal by value ("7"^^xsd:integer is in xsd:byte's
    value space); owlrl and server.reasoning.fast by its datatype IRI and XSD supertypes. A language-tagged string
    gets no type (the rules: rdf:PlainLiteral)."""
    body = (':x :p "7"^^xsd:integer . :y :p "alpha"@en .'
            ":Decimal owl:onProperty :p ; owl:someValuesFrom xsd:decimal ."
            ":Byte owl:onProperty :p ; owl:someValuesFrom xsd:byte ."
            ":Plain owl:onProperty :p ; owl:someValuesFrom rdf:PlainLiteral .")
    ours, reference = _ours_and_owlrl(body)
    assert ours == reference
    assert _t(":x", RDF + "type", ":Decimal") in ours
    assert _t(":x", RDF + "type", ":Byte") not in ours
    assert _t(":y", RDF + "type", ":Plain") not in ours


def test_an_nmtoken_is_no_name_unlike_owlrl():
    """Not followed: owlrl makes an xsd:NMTOKEN literal an xsd:Name; XSD derives NMTOKEN from xsd:token
    ("1a" is an NMTOKEN and no Name)."""
    body = (':x :p "1a"^^xsd:NMTOKEN .'
            ":Name owl:onProperty :p ; owl:someValuesFrom xsd:Name ."
            ":Token owl:onProperty :p ; owl:someValuesFrom xsd:token .")
    ours, reference = _ours_and_owlrl(body)
    wrong = _t(":x", RDF + "type", ":Name")
    assert wrong in reference and wrong not in ours
    assert ours == reference - {wrong}
    assert _t(":x", RDF + "type", ":Token") in ours


def test_an_iri_of_a_datatype_is_no_datatype_unlike_owlrl():
    """Not followed: for an IRI asserted to be of a datatype (which OWL 2 does not allow), owlrl adds the
    datatype's supertypes, and makes it and what is owl:sameAs it an rdfs:Datatype; so it does for
    `x owl:sameAs "a literal"` too. server.reasoning.fast treats such a type as a class like any other."""
    body = ':x a xsd:integer . :y owl:sameAs :x . :z owl:sameAs "alpha" .'
    ours, reference = _ours_and_owlrl(body)
    datatype = RDFS + "Datatype"
    wrong = {_t(":x", RDF + "type", XSD + "decimal"), _t(":y", RDF + "type", XSD + "decimal"),
             _t(":x", RDF + "type", datatype), _t(":y", RDF + "type", datatype), _t(":z", RDF + "type", datatype)}
    assert wrong <= reference and not wrong & ours
    assert ours == reference - wrong
    assert _t(":y", RDF + "type", XSD + "integer") in ours and _t(":z", RDF + "type", XSD + "string") in ours


def test_the_rdfs_closure_gives_the_fast_validation_pyshacls_focus_nodes():
    """End to end (issue 13): server.checks.shacl_fast validates data + profile "rdfs"; a shape on rdf:Property
    must see what pySHACL's inference="rdfs" makes properties: :p, and rdf:type and rdfs:subPropertyOf,
    which only the closure itself uses as predicates (rdf1 on rdfs4 and rdfs6)."""
    from server.checks.shacl_fast import validate as fast_validate
    from server.terms import rdflib_graph
    from server.checks.shacl_reference import shacl_validate

    shapes = rdflib_graph(parse_turtle(b"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        <http://example.org/r/NoProperty> a sh:NodeShape ; sh:targetClass rdf:Property ; sh:nodeKind sh:BlankNode .
        """, "shapes.ttl"))
    data = parse_turtle((PREFIXES + ":x :p :y .").encode(), "data.ttl")
    fast, reference = fast_validate(data, shapes, []), shacl_validate(rdflib_graph(data), shapes, rdflib_graph([]))
    focus = sorted(r.focus for r in reference.results)
    assert focus == sorted(f"<{iri}>" for iri in (EX + "p", RDF + "type", RDFS + "subPropertyOf"))
    assert sorted(r.focus for r in fast.results) == focus


# Each join rule has two sides: the worklist meets either premise first. Here each rule's second premise
# is derived (by a subproperty or a subclass), so that in some orders of the input it comes last.
ORDER = """
:q rdfs:subPropertyOf :p . :C rdfs:subClassOf :Y .
:AllY owl:onProperty :p ; owl:allValuesFrom :Z . :SomeY owl:onProperty :p ; owl:someValuesFrom :Y .
:u1 a :AllY ; :q :v1 .                      # cls-avf, its p-triple derived
:u2 :p :v2 . :u2 a :D . :D rdfs:subClassOf :AllY .   # cls-avf, its type derived
:u3 :q :v3 . :v3 a :Y .                     # cls-svf1, its p-triple derived
:u4 :p :v4 . :v4 a :C .                     # cls-svf1, its filler type derived
"""


def test_the_order_of_the_input_does_not_matter():
    """The order of the input decides the terms' ids, and so the order in which the worklist meets the
    triples: 24 orders, each equal to owlrl's closure."""
    import random

    triples = parse_turtle((PREFIXES + ORDER).encode(), "order.ttl")
    reference, _ = owlrl_closure(triples)
    assert {_t(":v1", RDF + "type", ":Z"), _t(":v2", RDF + "type", ":Z"), _t(":u3", RDF + "type", ":SomeY"),
            _t(":u4", RDF + "type", ":SomeY")} <= reference
    rng = random.Random(13)
    for _ in range(24):
        rng.shuffle(triples)
        ours = as_tuples(inferred_triples(triples))
        assert ours == reference, f"missing:\n{_show(reference - ours)}\nextra:\n{_show(ours - reference)}"
