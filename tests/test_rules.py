"""The fast reasoner (server.rules) against the reference, owlrl (server.reasoning.owlrl_inferred).

What is compared: owlrl's inferred triples minus the ones server.rules leaves out on purpose
(server.rules.out_of_scope: reflexive owl:sameAs/subClassOf/equivalentClass/subPropertyOf/
equivalentProperty, owl:Nothing rdfs:subClassOf C, the constant axioms for owl:Thing, owl:Nothing,
annotation properties and XSD datatypes, owlrl's error messages). The rest must be equal, triple for
triple, and the fast reasoner must emit nothing that owlrl does not.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from server.reasoning import owlrl_inferred, undo_owlrl_datatypes
from server.rules import OWL, RDF, RDFS, UnsupportedConstruct, inferred_triples, out_of_scope
from server.terms import rdflib_graph, to_oxigraph
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
    reference = {
        (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in owlrl_inferred(rdflib_graph(triples))
    }
    in_scope = {t for t in reference if not out_of_scope(*t)}
    ours = {tuple(t) for t in inferred_triples(triples)}
    return in_scope, ours, reference - in_scope


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
    assert not any(out_of_scope(*t) for t in ours)

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
    import owlrl
    import rdflib
    from pyshacl.inference import CustomRDFSSemantics

    triples = parse_turtle(CONSTRUCTS.encode(), "constructs.ttl")
    if project.graph_files:
        triples += [t for path in project.ontology_files + project.graph_files for t in parse_turtle_file(path)]
    graph = rdflib_graph(triples)
    closure = rdflib.Graph()
    for t in graph:
        closure.add(t)
    try:
        owlrl.DeductiveClosure(CustomRDFSSemantics).expand(closure)
    finally:
        undo_owlrl_datatypes()  # owlrl's leftovers would break later tests' gMonthDay dates
    reference = {
        (to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))
        for s, p, o in closure
        if (s, p, o) not in graph and not isinstance(s, rdflib.Literal)
    }
    ours = {tuple(t) for t in inferred_triples(triples, profile="rdfs")}
    assert ours == reference, f"missing:\n{_show(reference - ours)}\nextra:\n{_show(ours - reference)}"
