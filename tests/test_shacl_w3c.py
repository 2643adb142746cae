"""The W3C SHACL test suite (../shared/w3c/shacl: core and SPARQL-based constraints, manifests in Turtle) run
against the fast path (server.checks.shacl_fast, without inference, as the suite is written) and the reference
(pySHACL, server.checks.shacl_reference.pyshacl_results).

Each test's report must have exactly the expected results: focus node, path, value, severity, source shape and
constraint component (blank nodes compared by what they are: the triples they head), and the expected
conformance; a test expecting a failure (sht:Failure) must make the validator refuse the shapes. A test that
needs a feature neither implements is skipped with the constraint component's name and the feature as the
reason (UNSUPPORTED). The fast path runs every test twice: in one process and split between two worker
processes. `test_counts` prints the figures the README gives.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from server.checks import shacl_fast as fastshacl
from server.reasoning import undo_owlrl_datatypes
from server.terms import to_rdflib
from server.checks.shacl_reference import path_text, pyshacl_results

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "w3c" / "shacl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
DASH = rdflib.Namespace("http://datashapes.org/dash#")

# Features of the suite that pySHACL 0.40.1 does not implement, and so neither does the fast path, which runs
# it: (constraint component, what it lacks, how to tell a test needs it).
UNSUPPORTED = [
    ("sh:SPARQLConstraintComponent", "the $shapesGraph pre-bound variable",
     lambda t: any("$shapesGraph" in q for q in t.queries)),
    ("sh:SPARQLConstraintComponent", "sh:prefixes declared through owl:imports",
     lambda t: any(f"{p}:" in q for p in t.imported_prefixes() for q in t.queries)),
    ("sh:SPARQLConstraintComponent", "$this pre-bound in a nested group (pySHACL binds it after the group)",
     lambda t: any(re.search(r"\{\s*FILTER\s*\(\s*bound\(\$this\)\s*\)\s*\}", q) for q in t.queries)),
    ("sh:UniqueLangConstraintComponent", 'sh:uniqueLang "1"^^xsd:boolean left inactive (pySHACL reads it as true)',
     lambda t: any(x.predicate.value == str(SH.uniqueLang) and x.object.value == "1" for x in t.shapes_triples)),
]


@dataclass
class W3CTest:
    name: str
    data: rdflib.Graph
    shapes: rdflib.Graph
    manifest: rdflib.Graph
    result: rdflib.term.Node
    data_triples: list[ox.Triple]    # as parsed
    shapes_triples: list[ox.Triple]

    @property
    def queries(self) -> list[str]:
        return [str(q) for p in (SH.select, SH.ask) for q in self.shapes.objects(None, p)]

    def imported_prefixes(self) -> set[str]:
        """Prefixes that an sh:prefixes node only has through the ontologies it imports."""
        g, out = self.shapes, set()
        for node in set(g.objects(None, SH.prefixes)):
            own = {str(g.value(d, SH.prefix)) for d in g.objects(node, SH.declare)}
            for imported in g.objects(node, rdflib.OWL.imports):
                out |= {str(g.value(d, SH.prefix)) for d in g.objects(imported, SH.declare)} - own
        return out

    def unsupported(self) -> str | None:
        for component, feature, needs in UNSUPPORTED:
            if needs(self):
                return f"{component}: {feature}"
        return None


class Loader:
    """Parses each file once (strictly, with pyoxigraph; blank nodes scoped per file), so that a test whose
    data, shapes and manifest are one file sees the same blank nodes in all three. The triples are kept as
    parsed too: rdflib rewrites some literals as it makes them ("none"^^xsd:boolean becomes "false"), and the
    fast path, like the gate, starts from the parsed triples."""

    def __init__(self):
        self.graphs: dict[Path, rdflib.Graph] = {}
        self.parsed: dict[Path, list[ox.Triple]] = {}

    def graph(self, path: Path) -> rdflib.Graph:
        if path not in self.graphs:
            number = len(self.graphs)

            def scoped(x):
                return ox.BlankNode(f"f{number}b{x.value}") if isinstance(x, ox.BlankNode) else x

            parsed = [ox.Triple(scoped(q.subject), q.predicate, scoped(q.object))
                      for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())]
            g = rdflib.Graph()
            for t in parsed:
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            self.graphs[path], self.parsed[path] = g, parsed
        return self.graphs[path]

    def tests(self, manifest: Path) -> list[W3CTest]:
        g = self.graph(manifest)
        out = []
        for included in g.objects(None, MF.include):
            out += self.tests(Path(str(included).removeprefix("file://")))
        for entries in g.objects(None, MF.entries):
            for entry in Collection(g, entries):
                if (entry, RDF.type, SHT.Validate) not in g:
                    continue
                action = g.value(entry, MF.action)
                data_file = Path(str(g.value(action, SHT.dataGraph)).removeprefix("file://"))
                shapes_file = Path(str(g.value(action, SHT.shapesGraph)).removeprefix("file://"))
                data, shapes = self.graph(data_file), self.graph(shapes_file)
                name = str(entry).removeprefix(SUITE.as_uri() + "/")
                out.append(W3CTest(name, data, shapes, g, g.value(entry, MF.result), self.parsed[data_file],
                                   self.parsed[shapes_file]))
        return out


def _tests() -> list:
    if not (SUITE / "manifest.ttl").exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SUITE} not found: the W3C SHACL suite lives in "
                                                                  "../shared beside the checkout"))]
    out = []
    for test in Loader().tests(SUITE / "manifest.ttl"):
        reason = test.unsupported()
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(test, id=test.name, marks=marks))
    return out


TESTS = _tests()


# --- comparing reports ---------------------------------------------------------------------------------

def _canonical(term, graph: rdflib.Graph, depth: int = 0) -> str:
    """A term as text; a blank node by the triples it heads (its identifier differs between files)."""
    if term is None:
        return ""
    if not isinstance(term, rdflib.BNode):
        return term.n3()
    if depth > 4:
        return "[...]"
    parts = sorted(f"{p.n3()} {_canonical(o, graph, depth + 1)}" for p, o in graph.predicate_objects(term))
    return "[" + hashlib.sha1("; ".join(parts).encode()).hexdigest()[:12] + "]"


def expected_results(test: W3CTest) -> tuple[bool, list[tuple]]:
    g, report = test.manifest, test.result
    union = test.manifest + test.data + test.shapes
    conforms = g.value(report, SH.conforms).value
    rows = []
    for r in g.objects(report, SH.result):
        rows.append((
            _canonical(g.value(r, SH.focusNode), union),
            path_text(g, g.value(r, SH.resultPath)) or "",
            _canonical(g.value(r, SH.value), union),
            _canonical(g.value(r, SH.resultSeverity), union),
            _canonical(g.value(r, SH.sourceShape), union),
            _canonical(g.value(r, SH.sourceConstraintComponent), union),
        ))
    return conforms, sorted(rows)


def actual_results(found, test: W3CTest) -> tuple[bool, list[tuple]]:
    union = test.data + test.shapes
    rows = []
    for result, terms in found:
        rows.append((
            _canonical(terms["focus"], union),
            result.path or "",
            _canonical(terms["value"], union) if terms["value"] is not None else "",
            _canonical(terms["severity"], union) if terms["severity"] is not None else SH.Violation.n3(),
            _canonical(terms["shape"], union),
            result.constraint or "",
        ))
    return not rows, sorted(rows)


def run_fast(test: W3CTest, workers: int):
    return fastshacl.findings(test.data_triples, test.shapes, [], workers=workers, parallel_from=0, rdfs=False)


def run_reference(test: W3CTest):
    try:
        return pyshacl_results(test.data, test.shapes, None, inference="none")
    finally:
        undo_owlrl_datatypes()


VALIDATORS = {
    "fast": lambda t: run_fast(t, workers=1),
    "fast-2-workers": lambda t: run_fast(t, workers=2),
    "pyshacl": run_reference,
}


@pytest.mark.parametrize("validator", list(VALIDATORS))
@pytest.mark.parametrize("test", TESTS)
def test_w3c(test: W3CTest, validator: str):
    logging.disable(logging.CRITICAL)  # pySHACL logs the shapes errors the failure tests expect
    try:
        if test.result == SHT.Failure:
            with pytest.raises(Exception):  # noqa: B017 - any refusal of the shapes is the expected failure
                VALIDATORS[validator](test)
            return
        found = VALIDATORS[validator](test)
    finally:
        logging.disable(logging.NOTSET)
    conforms, rows = actual_results(found, test)
    expected_conforms, expected = expected_results(test)
    assert rows == expected
    assert conforms == expected_conforms


def test_counts():
    """The figures of the README's validation section."""
    if not (SUITE / "manifest.ttl").exists():
        pytest.skip(f"{SUITE} not found")
    tests = [p.values[0] for p in TESTS]
    skipped = Counter(t.unsupported() for t in tests if t.unsupported())
    run = len(tests) - sum(skipped.values())
    print(f"\nW3C SHACL suite: {len(tests)} tests, {run} run (each must pass in the fast path, in two worker "
          f"processes, and in pySHACL), {sum(skipped.values())} skipped:")
    for reason, n in sorted(skipped.items()):
        print(f"  {n}  {reason}")
    assert len(tests) >= 115 and run >= len(tests) - 6, (len(tests), dict(skipped))
