"""The SHACL shapes (ontology/shapes.ttl), run as the build runs them (server.checks.gate), with both validators:
the fast path (server.checks.shacl_fast) and pySHACL (the reference), which must give the same findings.

Each file in tests/fixtures/invalid/ holds one kind of mistake a contributor makes and names, in
its leading comments, the shape that must report it and the focus node it must be reported on:

    # expect-shape: tsk:TenureShape
    # expect-focus: tskr:bad-tenure

The fixtures are validated together with the real graph/source.ttl (the article's text, for the
quote checks, and its quotes, for tsk:evidence) and the real ontology, in one run per validator: a pySHACL
run costs seconds (RDFS inference over the ontology, one parse per SPARQL target), one per fixture would
cost minutes. To keep the fixtures from explaining each other's violations, each focus node is a node of
its own fixture that no other fixture mentions. The real graph/ must conform.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from server.build import parse_sources
from server.checks.gate import ENGINES, check, project_files
from server.namespaces import CONCEPT, DATA, ONTOLOGY
from server.terms import rdflib_graph
from server.sources.turtle import parse_turtle_file
from server.checks.shacl_reference import shacl_validate
from server.sources.files import SourceFile, load_sources

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "invalid"
FIXTURES = sorted(FIXTURES_DIR.glob("*.ttl"))
PREFIXES = {"tsk": ONTOLOGY, "tskc": CONCEPT, "tskr": DATA}
TSK = rdflib.Namespace(ONTOLOGY)


def expand(curie: str) -> str:
    prefix, _, local = curie.strip().partition(":")
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in {curie!r}")
    return PREFIXES[prefix] + local


def expectations(path: Path) -> tuple[str, str]:
    """The (shape IRI, focus IRI) named in the fixture's leading comments."""
    text = path.read_text(encoding="utf-8")
    shape = re.search(r"^#\s*expect-shape:\s*(\S+)", text, re.M)
    focus = re.search(r"^#\s*expect-focus:\s*(\S+)", text, re.M)
    assert shape and focus, f"{path.name}: needs '# expect-shape:' and '# expect-focus:' comment lines"
    return expand(shape.group(1)), expand(focus.group(1))


@pytest.fixture(scope="module")
def sources(project):
    return parse_sources(project)


@pytest.fixture(scope="module")
def source_graph(project) -> rdflib.Graph:
    path = project.graph_dir / "source.ttl"
    if not path.exists():
        pytest.skip("graph/source.ttl (the article and its quotes) is not written yet")
    return rdflib_graph(parse_turtle_file(path))


def owned_shapes(shapes: rdflib.Graph, shape: rdflib.URIRef) -> set[str]:
    """The shape and its property shapes, as the report writes them (N-Triples terms)."""
    return {shape.n3()} | {p.n3() for p in shapes.objects(shape, SH.property)}


def test_fixtures_exist():
    assert len(FIXTURES) >= 10, f"expected a fixture per kind of mistake in {FIXTURES_DIR}"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_names_a_real_shape(path, sources):
    shape, _ = expectations(path)
    assert (rdflib.URIRef(shape), RDF.type, SH.NodeShape) in sources.shapes, (
        f"{path.name}: {shape} is not a sh:NodeShape of ontology/shapes.ttl"
    )


@pytest.fixture(scope="module")
def fixtures_reports(project, source_graph) -> dict:
    """The gate over the ontology, the shapes, source.ttl and every fixture, once with each validator."""
    files = [f for f in project_files(project) if f.role != "data" or f.path.name == "source.ttl"]
    files += [SourceFile(p, f"tests/fixtures/invalid/{p.name}", "data") for p in FIXTURES]
    sources = load_sources(files)
    return {"sources": sources, **{engine: check(sources, engine=engine) for engine in ENGINES}}


def test_both_validators_give_the_same_findings(fixtures_reports):
    fast, reference = (fixtures_reports[e] for e in ENGINES)
    assert [vars(r) for r in fast.results] == [vars(r) for r in reference.results]
    assert len(fast.violations) >= len(FIXTURES)


def test_focus_nodes_belong_to_one_fixture():
    texts = {p: p.read_text(encoding="utf-8") for p in FIXTURES}
    for path in FIXTURES:
        _, focus = expectations(path)
        local = "tskr:" + focus[len(DATA):]
        body = re.sub(r"^#.*$", "", texts[path], flags=re.M)
        assert re.search(rf"{re.escape(local)}\b", body), f"{path.name}: the focus node {local} is not in the fixture"
        others = [o.name for o, t in texts.items() if o != path and re.search(rf"{re.escape(local)}\b", t)]
        assert not others, f"{path.name}: the focus node {local} also appears in {others}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_is_reported(path, engine, fixtures_reports):
    shape, focus = expectations(path)
    owned = owned_shapes(fixtures_reports["sources"].shapes, rdflib.URIRef(shape))
    focus_n3 = rdflib.URIRef(focus).n3()
    report = fixtures_reports[engine]
    hits = [r for r in report.violations if r.focus == focus_n3 and r.shape in owned]
    at_focus = "\n".join(f"  {r.severity} {r.shape}: {r.message}" for r in report.results if r.focus == focus_n3)
    assert hits, f"{path.name}: no violation of {shape} at {focus}; reported there:\n{at_focus or '  nothing'}"
    assert {r.file for r in hits} == {f"tests/fixtures/invalid/{path.name}"}


def test_real_graph_conforms(project, sources):
    if not project.graph_files:
        pytest.skip("graph/ is still empty: nothing to validate yet")
    report = shacl_validate(sources.data, sources.shapes, sources.ontology)
    violations = "\n".join(f"  {r.focus} {r.path or ''} {r.value or ''}: {r.message}" for r in report.violations)
    assert report.conforms, f"graph/ does not conform:\n{violations}"


def test_every_class_the_graph_uses_has_a_shape(project, sources):
    if not project.graph_files:
        pytest.skip("graph/ is still empty: nothing to check yet")
    used = {o for o in sources.data.objects(None, RDF.type) if isinstance(o, rdflib.URIRef) and str(o).startswith(ONTOLOGY)}
    targeted = set(sources.shapes.objects(None, SH.targetClass))
    missing = sorted(str(c) for c in used - targeted)
    assert used and not missing, f"classes used in graph/ with no shape targeting them: {missing}"


def test_every_shape_says_what_and_how_bad(sources):
    shapes = sources.shapes
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(node_shapes) >= 30
    for shape in node_shapes | property_shapes:
        messages = [m for m in shapes.objects(shape, SH.message) if getattr(m, "language", None) == "en"]
        assert messages, f"{shape.n3()} has no English sh:message"
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning), f"{shape.n3()} has no sh:severity"
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None, f"SPARQL constraint of a shape has no sh:message"


def test_shapes_target_declared_classes(sources):
    """A shape aimed at a tsk: class that the ontology does not declare would silently check nothing."""
    declared = set(sources.ontology.subjects(RDF.type, rdflib.OWL.Class))
    for cls in sources.shapes.objects(None, SH.targetClass):
        if str(cls).startswith(ONTOLOGY):
            assert cls in declared, f"a shape targets {cls}, which ontology/tskg.ttl does not declare"
