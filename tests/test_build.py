"""The build pipeline's own guarantees, on small projects made here."""

from __future__ import annotations

from server.build import build, parse_sources
from server.project import Project


def _project(tmp_path, files: dict[str, str]) -> Project:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "ontology").mkdir(exist_ok=True)
    return Project.locate(tmp_path)


def test_blank_node_labels_are_local_to_their_file(tmp_path):
    project = _project(tmp_path, {
        "graph/a.ttl": "@prefix ex: <http://ex/> .\n_:x ex:p 1 .\n",
        "graph/b.ttl": "@prefix ex: <http://ex/> .\n_:x ex:p 2 .\n",
    })
    data = parse_sources(project).data
    assert len(set(data.subjects())) == 2, "the same label in two files must name two blank nodes"


def test_a_second_build_of_unchanged_sources_is_served_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cache"))
    project = _project(tmp_path, {
        "ontology/o.ttl": "@prefix ex: <http://ex/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                          "ex:A rdfs:subClassOf ex:B .\n",
        "graph/d.ttl": "@prefix ex: <http://ex/> .\nex:x a ex:A .\n",
    })
    # validate=False: this small project has no ontology metadata, which the gate would refuse
    first = build(project, validate=False)
    second = build(project, validate=False)
    assert not first.cached and second.cached
    assert second.digest == first.digest and second.counts == first.counts
    # The inferred graph holds what OWL RL derives, kept apart from the asserted data.
    store = second.open_store()
    asked = "ASK { GRAPH <https://w3id.org/tskg/graph/inferred> { <http://ex/x> a <http://ex/B> } }"
    assert store.query(asked)
    (tmp_path / "graph" / "d.ttl").write_text("@prefix ex: <http://ex/> .\nex:y a ex:A .\n", encoding="utf-8")
    third = build(project, validate=False)
    assert not third.cached and third.digest != first.digest


def test_validation_after_reasoning_in_the_same_process_still_reads_gmonthday_dates(project):
    """owlrl leaves its own lexical converters in rdflib; its xsd:gMonthDay one rejects "--10-08",
    which made a validation after reasoning in one process flag every such date."""
    from server.reasoning import owlrl_inferred
    from server.checks.shacl_reference import shacl_validate

    owlrl_inferred(parse_sources(project).data)
    sources = parse_sources(project)  # literals made after owlrl ran
    report = shacl_validate(sources.data, sources.shapes, sources.ontology)
    assert report.conforms, [r.message for r in report.violations][:3]


def test_derivation_rules_fill_a_graph_of_their_own(tmp_path, monkeypatch):
    """A rule (a CONSTRUCT in server/build/derived/) runs over the union of the built graphs; what it
    derives lands in the derived graph of the store and of dataset.nq, counted, and apart from the others."""
    import pyoxigraph as ox

    from server.build import derive
    from server.namespaces import GRAPH_ASSERTED, GRAPH_DERIVED
    from test_serve import GOOD_DATA, tiny_project

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "10-named.rq").write_text(
        "# A state's name in capitals, from its label.\n"
        "CONSTRUCT { ?s tsk:shout ?loud } WHERE { ?s a tsk:State ; rdfs:label ?l BIND(UCASE(STR(?l)) AS ?loud) }")
    monkeypatch.setattr(derive, "RULES", rules)
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cache"))
    built = build(Project.locate(tiny_project(tmp_path / "p", GOOD_DATA)))
    assert built.counts["derived"] == 1
    quads = list(ox.parse(path=str(built.dataset_path), format=ox.RdfFormat.N_QUADS))
    derived = [q for q in quads if q.graph_name == ox.NamedNode(GRAPH_DERIVED)]
    assert [(q.subject.value, q.object.value) for q in derived] == [("https://w3id.org/tskg/id/serbia", "SERBIA")]
    assert not [q for q in quads if q.graph_name == ox.NamedNode(GRAPH_ASSERTED) and "shout" in q.predicate.value]
    store = ox.Store.read_only(str(built.store_path))
    assert ox.NamedNode(GRAPH_DERIVED) in set(store.named_graphs())
