"""The synthetic data generator: deterministic by seed, the size asked for, quotes that match their
article's text, and data that conforms to the project's shapes."""

from __future__ import annotations

import filecmp
import json

import pyoxigraph as ox
import pytest

from server.scale.generate import MARKER, generate, parse_size
from server.project import Project
from server.sources.turtle import parse_turtle_file


def _graph_triples(directory) -> list[ox.Triple]:
    project = Project.locate(directory)
    return [t for path in project.graph_files for t in parse_turtle_file(path)]


@pytest.fixture(scope="module")
def small(tmp_path_factory, project):
    out = tmp_path_factory.mktemp("gen") / "small"
    return generate(out, 5000, seed=7, source=project)


def test_size_and_layout(small, project):
    triples = _graph_triples(small.directory)
    assert len(triples) == small.triples == sum(small.files.values())
    assert 5000 <= small.triples < 5000 + 1500          # stops after the article that reaches the size
    generated = Project.locate(small.directory)
    assert [p.name for p in generated.ontology_files] == [p.name for p in project.ontology_files]
    assert json.loads((small.directory / MARKER).read_text())["seed"] == 7
    kinds = {t.object.value.rsplit("#", 1)[-1] for t in triples if t.predicate.value.endswith("#type")}
    for kind in ["State", "Person", "PoliticalParty", "Office", "Tenure", "Membership", "Agreement", "Event",
                 "Statement", "Stance", "Claim", "EconomicStake", "Quote", "SourceDocument"]:
        assert kind in kinds, kind


def test_deterministic_by_seed(small, tmp_path, project):
    again = generate(tmp_path / "again", 5000, seed=7, source=project)
    other = generate(tmp_path / "other", 5000, seed=8, source=project)
    names = sorted(small.files)
    match, mismatch, errors = filecmp.cmpfiles(small.directory / "graph", again.directory / "graph", names, shallow=False)
    assert match == names and not mismatch and not errors
    _, mismatch, _ = filecmp.cmpfiles(small.directory / "graph", other.directory / "graph", names, shallow=False)
    assert mismatch


def test_quotes_point_into_their_article(small):
    store = ox.Store()
    store.extend(ox.Quad(*t) for t in _graph_triples(small.directory))
    rows = list(store.query("""
        PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX schema: <https://schema.org/>
        SELECT ?text ?exact ?start ?end WHERE {
          ?q oa:hasSource ?doc ; oa:hasSelector ?t, ?p .
          ?doc schema:text ?text . ?t oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
        }"""))
    assert len(rows) > 100
    for row in rows:
        text = row["text"].value
        assert text[int(row["start"].value):int(row["end"].value)] == row["exact"].value


def test_conforms_to_the_shapes(small, project):
    if not project.shapes_files:
        pytest.skip("ontology/shapes.ttl is not written yet")
    from server.build import parse_sources
    from server.checks.shacl_reference import shacl_validate

    sources = parse_sources(Project.locate(small.directory))
    report = shacl_validate(sources.data, sources.shapes, sources.ontology)
    assert report.conforms, [vars(r) for r in report.violations[:5]]


def test_refuses_a_directory_it_did_not_write(tmp_path, project):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        generate(tmp_path, 100, seed=1, source=project)
    with pytest.raises(ValueError, match="project itself"):
        generate(project.root, 100, seed=1, source=project)


def test_a_generation_stopped_halfway_can_be_run_again(tmp_path, project, monkeypatch):
    """Stopped in the middle (Ctrl-C), the directory says it is unfinished, and the next run may overwrite
    it: a benchmark stopped while generating does not refuse to start again."""
    from server.scale import generate as module

    def interrupted(self, number):
        raise KeyboardInterrupt

    out = tmp_path / "halfway"
    with monkeypatch.context() as patch:
        patch.setattr(module.Generator, "article", interrupted)
        with pytest.raises(KeyboardInterrupt):
            generate(out, 5000, seed=3, source=project)
    assert json.loads((out / MARKER).read_text())["unfinished"] is True
    done = generate(out, 5000, seed=3, source=project)
    assert "unfinished" not in json.loads((out / MARKER).read_text()) and done.triples >= 5000


@pytest.mark.parametrize("text, value", [("2500", 2500), ("10k", 10_000), ("1M", 1_000_000), ("1.5m", 1_500_000)])
def test_parse_size(text, value):
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "ten", "-5", "0", "1G"])
def test_parse_size_refuses(text):
    with pytest.raises(ValueError):
        parse_size(text)


def test_the_curated_graph_is_kept_as_it_is(small, project):
    for path in project.graph_files:
        assert (small.directory / "graph" / path.name).read_bytes() == path.read_bytes(), path.name
    generated = [p.name for p in Project.locate(small.directory).graph_files if p.name not in small.files
                 or p.name.startswith("synthetic-")]
    assert generated and all(name.startswith("synthetic-") for name in generated)


def test_shaped_like_the_curated_graph(tmp_path, project):
    """Dates at every precision the curated graph uses, periods, tenures attested in a year, statements
    of the week of writing and their retractions, stances on agreements; and generated facts about the
    curated states and people, so that the saved queries' defaults have answers at scale."""
    made = generate(tmp_path / "shape", 40_000, seed=3, source=project)
    store = ox.Store()
    store.extend(ox.Quad(*t) for path in Project.locate(made.directory).graph_files
                 if path.name.startswith("synthetic-") for t in parse_turtle_file(path))
    tsk, xsd = "https://w3id.org/tskg/ontology#", "http://www.w3.org/2001/XMLSchema#"
    datatypes = {row[0].value for row in store.query(
        f"SELECT DISTINCT ?dt WHERE {{ ?e a <{tsk}Event> ; <{tsk}date> ?d BIND(DATATYPE(?d) AS ?dt) }}")}
    assert {xsd + "date", xsd + "gYearMonth", xsd + "gYear"} <= datatypes
    for ask in [
        f"ASK {{ ?s a <{tsk}Statement> ; <{tsk}date> ?d FILTER(DATATYPE(?d) = <{xsd}gMonthDay>) }}",
        f"ASK {{ ?r a <{tsk}Retraction> ; <{tsk}date> ?d FILTER(DATATYPE(?d) = <{xsd}gMonthDay>) }}",
        f"ASK {{ ?e a <{tsk}Event> ; <{tsk}during> ?p FILTER NOT EXISTS {{ ?e <{tsk}date> ?d }} }}",
        f"ASK {{ ?t a <{tsk}Tenure> ; <{tsk}attestedDate> ?d }}",
        f"ASK {{ ?t a <{tsk}Tenure> ; <{tsk}during> ?p }}",
        f"ASK {{ ?s a <{tsk}Stance> ; <{tsk}stanceOn> ?a . ?a a <{tsk}Agreement> }}",
        f"ASK {{ ?t <{tsk}holder> <https://w3id.org/tskg/id/hashim-thaci> }}",
        f"ASK {{ ?a <{tsk}party> <https://w3id.org/tskg/id/turkey>, <https://w3id.org/tskg/id/serbia> }}",
        f"ASK {{ ?a <{tsk}party> <https://w3id.org/tskg/id/turkey>, <https://w3id.org/tskg/id/kosovo> }}",
    ]:
        assert store.query(ask), ask
