"""server.checks.shacl_screen: which focus nodes pySHACL must see. Every node it lets through must be one
pySHACL reports nothing for (tests/test_shacl_differential.py checks the whole on random cases); here each
modelled component on its own, against pySHACL itself: the nodes the screen sends on are exactly the nodes
pySHACL reports, and a component it does not model sends every focus node on."""

from __future__ import annotations

import logging

import pyoxigraph as ox
import pytest
import rdflib

from server.checks.shacl_reference import pyshacl_results
from server.checks.shacl_screen import screen
from server.checks.shacl_targets import TargetStore
from server.reasoning.fast import inferred_triples
from server.checks.gate import project_files
from server.sources.files import load_sources

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
EX = "http://example.org/"


def sent_on(shapes_text: str, data_text: str) -> set[str]:
    """The focus nodes the screen sends to pySHACL, as N-Triples text."""
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    triples = [q.triple for q in ox.parse(PREFIXES + data_text, format=ox.RdfFormat.TURTLE)]
    found = screen(shapes, triples, TargetStore(triples))
    return {node.n3() for nodes in found.candidates.values() for node in nodes}


def reported(shapes_text: str, data_text: str) -> set[str]:
    """The focus nodes pySHACL reports, as N-Triples text."""
    logging.getLogger("pyshacl").setLevel(logging.ERROR)
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    data = rdflib.Graph()
    for t in ox.parse(PREFIXES + data_text, format=ox.RdfFormat.TURTLE):
        data.add(tuple(_rdflib(term) for term in t.triple))
    return {result.focus for result, _ in pyshacl_results(data, shapes, None, inference="none")}


def _rdflib(term):
    from server.terms import to_rdflib
    return to_rdflib(term)


DATA = """
ex:a a ex:C ; ex:p "one"@en ; ex:q ex:x ; ex:d "2019"^^xsd:gYear ; ex:n 5 ; ex:s "abc" .
ex:b a ex:C ; ex:p "one"@en, "two"@en ; ex:q ex:y ; ex:d "20x3"^^xsd:gYear ; ex:n 0 ; ex:s "xyz" .
ex:c a ex:Sub ; ex:q "text" ; ex:d "2019-10"^^xsd:gYearMonth ; ex:p "uno"@es ; ex:n 2 .
ex:Sub rdfs:subClassOf ex:C .
ex:x a ex:Thing .
ex:y a ex:SubThing .
ex:SubThing rdfs:subClassOf ex:Thing .
"""

# (name, shapes, data, the focus nodes pySHACL reports: the screen must send on exactly these)
CASES = [
    ("minCount", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 2 ] .",
     DATA, {"a", "c"}),
    ("maxCount", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
     DATA, {"b"}),
    ("class through a subclass, a literal fails",
     "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:class ex:Thing ] .", DATA, {"c"}),
    # rdflib reads "20x3"^^xsd:gYear as a gYear (server.checks.literals refuses it before SHACL runs)
    ("datatype as rdflib reads it", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
                                    "sh:property [ sh:path ex:d ; sh:datatype xsd:gYear ] .", DATA, {"c"}),
    ("ill-typed integer", "ex:S a sh:NodeShape ; sh:targetNode ex:e ; "
                          "sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] .",
     DATA + 'ex:e ex:n "1.5"^^xsd:integer .', {"e"}),
    ("langString", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
                   "sh:property [ sh:path ex:s ; sh:datatype rdf:langString ] .", DATA, {"a", "b"}),
    ("nodeKind", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:nodeKind sh:IRI ] .",
     DATA, {"c"}),
    ("languageIn", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
                   "sh:property [ sh:path ex:p ; sh:languageIn ( \"en\" ) ] .", DATA, {"c"}),
    ("pattern", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:s ; sh:pattern \"^a\" ] .",
     DATA, {"b"}),
    ("hasValue", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:hasValue \"two\"@en ] .",
     DATA, {"a", "c"}),
    ("in", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; sh:in ( ex:x ex:y ) ] .",
     DATA, {"c"}),
    ("minInclusive", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
                     "sh:property [ sh:path ex:n ; sh:minInclusive 1 ] .", DATA, {"b"}),
    ("or of datatypes", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:d ; "
                        "sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:gYearMonth ] ) ] .",
     DATA + 'ex:d1 a ex:C ; ex:d "2019-10-08"^^xsd:date .', {"d1"}),
    ("and", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:and ( [ sh:path ex:p ; sh:minCount 1 ] "
            "[ sh:path ex:s ; sh:minCount 1 ] ) .", DATA, {"c"}),
    ("not", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not [ sh:path ex:s ; sh:minCount 1 ] .",
     DATA, {"a", "b"}),
    ("xone, a shape listed twice counts twice",
     "ex:T sh:path ex:s ; sh:minCount 1 . ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( ex:T ex:T ) .",
     DATA, {"a", "b", "c"}),
    ("xone", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( [ sh:path ex:s ; sh:minCount 1 ] "
             "[ sh:path ex:p ; sh:minCount 2 ] ) .", DATA + 'ex:f a ex:C ; ex:s "s" ; ex:p "1", "2" .', {"b", "c", "f"}),
    ("node: a warning of the other shape fails it",
     "ex:T a sh:NodeShape ; sh:severity sh:Warning ; sh:property [ sh:path ex:s ; sh:minCount 1 ] . "
     "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:T .", DATA, {"c"}),
    ("or: a shape of severity warning conforms",
     "ex:T a sh:NodeShape ; sh:severity sh:Warning ; sh:property [ sh:path ex:s ; sh:minCount 1 ] . "
     "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:or ( ex:T ) .", DATA, set()),
    ("qualified counts", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; "
                         "sh:qualifiedValueShape [ sh:class ex:SubThing ] ; sh:qualifiedMinCount 1 ] .",
     DATA, {"a", "c"}),
    ("inverse path", "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; "
                     "sh:property [ sh:path [ sh:inversePath ex:q ] ; sh:maxCount 0 ] .", DATA, {"x", "y"}),
    ("deactivated", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated true ; "
                    "sh:property [ sh:path ex:p ; sh:minCount 5 ] .", DATA, set()),
    ("literal focus nodes", "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:p ; sh:languageIn ( \"en\" ) .",
     DATA, {'"uno"@es'}),
    ("target nodes, a plain literal apart from a typed one",
     "ex:S a sh:NodeShape ; sh:targetNode \"abc\", ex:a ; sh:property [ sh:path [ sh:inversePath ex:s ] ; "
     "sh:minCount 1 ] .", DATA, {'"abc"', "a"}),
]


def _nodes(names: set[str]) -> set[str]:
    return {n if n.startswith('"') else f"<{EX}{n}>" for n in names}


@pytest.mark.parametrize("name, shapes, data, expected", CASES, ids=[c[0] for c in CASES])
def test_the_screen_sends_on_exactly_what_pyshacl_reports(name, shapes, data, expected):
    shapes = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n" + shapes
    assert reported(shapes, data) == _nodes(expected), "the expectation is pySHACL's own"
    assert sent_on(shapes, data) == _nodes(expected)


def test_a_property_shapes_own_property_shapes():
    """pySHACL reports the values (ex:y, "text"), which are not focus nodes of the targeted shape: the screen
    sends on the focus nodes whose values fail (ex:b, ex:c)."""
    shapes = ("@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
              "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:q ; "
              "sh:property [ sh:path rdf:type ; sh:hasValue ex:Thing ] ] .")
    assert reported(shapes, DATA) == {f"<{EX}y>", '"text"^^<http://www.w3.org/2001/XMLSchema#string>'}
    assert sent_on(shapes, DATA) == _nodes({"b", "c"})


NOT_MODELLED = [
    ("sh:sparql", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
                  "\"SELECT $this WHERE { FILTER(false) }\" ] ."),
    ("sh:closed", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ."),
    ("sh:equals", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:p ] ."),
    ("a sequence path", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
                        "sh:property [ sh:path ( ex:q rdf:type ) ; sh:minCount 0 ] ."),
    ("sh:uniqueLang", "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:uniqueLang true ] ."),
]


@pytest.mark.parametrize("name, shapes", NOT_MODELLED, ids=[c[0] for c in NOT_MODELLED])
def test_what_the_screen_does_not_model_goes_to_pyshacl(name, shapes):
    shapes = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n" + shapes
    assert sent_on(shapes, DATA) == _nodes({"a", "b", "c"})


def test_a_graph_that_conforms_needs_no_pyshacl_at_all(project):
    """The curated graph (ontology, data and RDFS closure): every shape is screened and no node is left."""
    sources = load_sources(project_files(project))
    triples = sources.triples["ontology"] + sources.triples["data"]
    triples += inferred_triples(triples, profile="rdfs")
    found = screen(sources.shapes, triples, TargetStore(triples))
    assert not found.kept and not found.candidates and not found.needed
