"""The ontology checks (server.checks.ontology) run over only the triples that can give them a row
(`relevant`): the same rows as over every triple, on the curated graph and on one with the mistakes they
look for, declarations in the data included."""

from __future__ import annotations

import pyoxigraph as ox

from server.checks.ontology import CHECK_PREFIXES, ONTOLOGY_CHECKS, relevant, run_ontology_checks
from server.sources.turtle import parse_turtle_file

MISTAKES = """
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <https://schema.org/> .

tskr:someone a tsk:Persn ; rdfs:label "A typo in a class"@en ; tsk:nationalty tskr:serbia .
tskr:other a tsk:Person ; tsk:undeclaredThing "x" ; tsk:holds tskr:tenure-x .
tsk:declaredInData a owl:ObjectProperty ; rdfs:label "declared in the data"@en ;
    rdfs:domain tsk:Person, tsk:State ; rdfs:subPropertyOf schema:knows .
tsk:ClassInData a owl:Class .
tskr:third a tsk:ClassInData ; tsk:declaredInData tskr:other .
tsk:inheritsItsDomain a owl:ObjectProperty ; rdfs:label "inherits its domain"@en ; rdfs:comment "x"@en ;
    rdfs:subPropertyOf <http://example.org/undeclared> .
<http://example.org/undeclared> rdfs:domain tsk:Person ; rdfs:range tsk:Person .
tskr:other tsk:sortKey "2019 01" .
"""


def rows_over_everything(triples) -> set:
    store = ox.Store()
    store.bulk_extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples)
    found = set()
    for check in ONTOLOGY_CHECKS:
        query = f"{CHECK_PREFIXES}SELECT DISTINCT ?this ?path ?value WHERE {{ {check.where} }}"
        for row in store.query(query):
            found.add((check.name, *(str(row[v]) if row[v] is not None else None for v in ("this", "path", "value"))))
    return found


def rows_of_the_checks(triples) -> set:
    return {(r.shape.rsplit("#", 1)[-1].rstrip(">"), *_terms(terms)) for r, terms in run_ontology_checks(triples)}


def _terms(terms: dict) -> tuple:
    from server.terms import to_oxigraph
    return tuple(str(to_oxigraph(terms[k])) if terms[k] is not None else None for k in ("focus", "path", "value"))


def test_the_same_rows_as_over_every_triple(project, tmp_path):
    triples = [t for path in project.ontology_files + project.graph_files for t in parse_turtle_file(path)]
    (tmp_path / "mistakes.ttl").write_text(MISTAKES)
    with_mistakes = triples + parse_turtle_file(tmp_path / "mistakes.ttl")
    for case in (triples, with_mistakes):
        assert rows_of_the_checks(case) == rows_over_everything(case)
    found = rows_over_everything(with_mistakes)
    names = {row[0] for row in found}
    assert {"declared-property", "declared-class", "single-domain", "term-definition", "derived-property"} <= names, names
    derived = {row for row in found if row[0] == "derived-property"}
    assert derived == {("derived-property", "<https://w3id.org/tskg/id/other>",
                        "<https://w3id.org/tskg/ontology#sortKey>", '"2019 01"')}, derived
    assert len(relevant(with_mistakes)) < len(with_mistakes) / 2


def test_every_property_the_rules_derive_is_declared_derived(project):
    """A derived rule that writes a tsk: property names it in the ontology with tsk:derivedBy and its own
    file, so that the ontology checks refuse it in graph/ (server.checks.ontology, derived-property)."""
    from server.build import build
    from server.build.derive import rules
    from server.namespaces import GRAPH_DERIVED, ONTOLOGY

    store = build(project).open_store()
    written = {q.predicate.value for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DERIVED))
               if q.predicate.value.startswith(ONTOLOGY)}
    declared = {}
    for row in store.query(f"SELECT ?p ?rule WHERE {{ ?p <{ONTOLOGY}derivedBy> ?rule }}", use_default_graph_as_union=True):
        declared[row["p"].value] = row["rule"].value
    assert written and written <= set(declared), written - set(declared)
    files = {f"server/build/derived/{rule.name}" for rule in rules()}
    assert set(declared.values()) <= files, set(declared.values()) - files
