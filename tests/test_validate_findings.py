"""What `tskg validate` finds: the real project conforms, each fixture of tests/fixtures/invalid/
(`# expect-shape:` / `# expect-focus:` header lines) fails with the expected shape, focus node, file and
line in every report format, and SHACL-SPARQL constraints are parsed once with the same results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import REPO_ROOT
from server.namespaces import PREFIXES

from validate_support import FIXTURES, FORMATS, findings, no_traceback, tskg


# --- the real project -----------------------------------------------------------------------------

def test_the_project_conforms():
    graph_files = sorted((REPO_ROOT / "graph").glob("*.ttl"))
    shapes = sorted((REPO_ROOT / "ontology").glob("*shapes*.ttl"))
    if not graph_files or not shapes:
        pytest.skip("graph/*.ttl or ontology/*shapes*.ttl not written yet: nothing to validate")
    proc = tskg("validate", "--format", "json")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["conforms"] is True and doc["summary"]["violations"] == 0
    expected = {f"graph/{p.name}" for p in graph_files} | {f"ontology/{p.name}" for p in shapes}
    assert expected <= set(doc["files"])
    total = sum(len(list(ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))) for p in
                sorted((REPO_ROOT / "graph").glob("*.ttl")) + sorted((REPO_ROOT / "ontology").glob("*.ttl")))
    assert doc["summary"]["triples"] == total
    print(f"validate on the curated graph: {doc['summary']['seconds']} s {doc['summary']['timings']}")
    assert "tskg validate: conforms" in proc.stderr


# --- the fixtures of tests/fixtures/invalid --------------------------------------------------------

def _fixtures() -> list:
    files = sorted(FIXTURES.glob("*.ttl")) if FIXTURES.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{FIXTURES} has no .ttl fixtures yet"))]
    return [pytest.param(p, id=p.stem) for p in files]


def _expectations(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    expect = dict(re.findall(r"^#\s*expect-(shape|focus):\s*(\S+)", text, re.M))
    assert {"shape", "focus"} <= set(expect), f"{path.name} lacks # expect-shape: / # expect-focus: lines"
    prefixes = dict(PREFIXES)
    prefixes.update(re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", text, re.I))
    return {"shape": expect["shape"], "focus": expect["focus"], "prefixes": prefixes, "lines": text.splitlines()}


def _expand(name: str, prefixes: dict) -> str:
    if name.startswith("<"):
        return name
    prefix, _, local = name.partition(":")
    return f"<{prefixes[prefix]}{local}>"


def _shape_matches(expected: str, finding: dict, prefixes: dict) -> bool:
    """`# expect-shape:` names a node shape, a property shape, or our rule name for one."""
    names = {finding.get("rule"), finding.get("node_shape"), finding.get("shape")}
    if finding.get("rule") and "/" in finding["rule"]:
        names.add(finding["rule"].split("/")[0])
    names.discard(None)
    candidates = {expected}
    try:
        candidates.add(_expand(expected, prefixes))
    except KeyError:
        pass
    text = (finding.get("message") or "") + "\n" + (finding.get("detail") or "")
    return bool(candidates & names) or any(re.search(rf"{re.escape(c)}(\W|$)", text) for c in candidates)


@pytest.fixture(scope="module")
def fixture_reports() -> dict:
    """`tskg validate tests/fixtures/invalid --format F` once per format (each run takes seconds)."""
    reports = {}
    for fmt in FORMATS:
        proc = tskg("validate", FIXTURES.relative_to(REPO_ROOT).as_posix(), "--format", fmt)
        no_traceback(proc)
        assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr
        reports[fmt] = proc.stdout
    return reports


@pytest.mark.parametrize("fixture", _fixtures())
def test_invalid_fixture_alone(fixture):
    """A fixture validated on its own, as a contributor's new file would be."""
    _check_fixture(fixture, "json", None)


@pytest.mark.parametrize("fixture", _fixtures())
@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_fixture_in_every_format(fixture, fmt, fixture_reports):
    _check_fixture(fixture, fmt, fixture_reports[fmt])


def _check_fixture(fixture: Path, fmt: str, output: str | None) -> None:
    """The report names the expected shape and focus node, the fixture's file and the line where
    the focus node is written."""
    expect = _expectations(fixture)
    relative = fixture.relative_to(REPO_ROOT).as_posix()
    if output is None:
        proc = tskg("validate", relative, "--format", fmt)
        no_traceback(proc)
        assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr
        output = proc.stdout
    found = findings(fmt, output)
    assert found, output
    # every format names the fixture and a line in it
    in_fixture = [f for f in found if f["file"] == relative]
    assert in_fixture, f"no result located in {relative}: {found}"
    # the expected shape and focus node, located where the focus node is written
    focus_iri = _expand(expect["focus"], expect["prefixes"])
    names = rf"({re.escape(expect['focus'])}|{re.escape(focus_iri)})"
    focus_written = [n for n, line in enumerate(expect["lines"], 1) if re.match(rf"^\s*{names}(\s|$)", line)]
    if not focus_written:  # a node only referred to (a dangling reference): where it is first written
        focus_written = [n for n, line in enumerate(expect["lines"], 1)
                         if not line.lstrip().startswith("#") and re.search(rf"(^|\s){names}(\s|[;,.]|$)", line)]
    assert focus_written, f"the fixture never writes {expect['focus']}"
    matching = [f for f in in_fixture if f["severity"] == "Violation"]
    if fmt == "json":
        matching = [f for f in matching if f["focus"] == focus_iri and _shape_matches(expect["shape"], f, expect["prefixes"])]
        assert matching, f"no violation of {expect['shape']} on {expect['focus']}: {found}"
        assert {f["focus_line"] for f in matching} == {focus_written[0]}
    elif fmt == "sarif":
        matching = [f for f in matching if f["focus"] == focus_iri and _shape_matches(expect["shape"], f, expect["prefixes"])]
        assert matching and all(f["focus_line"] == focus_written[0] for f in matching), found
    elif fmt == "junit":
        matching = [f for f in matching if expect["focus"] in f["detail"] and _shape_matches(expect["shape"], f, expect["prefixes"])]
        assert matching and all(f["focus_line"] == focus_written[0] for f in matching), found
    elif fmt == "github":
        matching = [f for f in matching if expect["focus"] in f["message"] and _shape_matches(expect["shape"], f, expect["prefixes"])]
        assert matching, found
        # the annotation points at the offending triple or, where there is none, the focus node
        for f in matching:
            assert f["line"] >= focus_written[0]
    else:
        matching = [f for f in matching if f["focus_label"] == expect["focus"] and _shape_matches(expect["shape"], f, expect["prefixes"])]
        assert matching and all(f["focus_line"] == focus_written[0] for f in matching), output




# --- SHACL-SPARQL constraints are parsed once, with the same results -------------------------------------

def test_sparql_constraints_parsed_once_per_text(monkeypatch):
    import rdflib

    import server.checks.shacl_reference as validation

    data = rdflib.Graph().parse(data="""
        @prefix ex: <http://example.org/> .
        ex:a a ex:T ; ex:n 1 . ex:b a ex:T ; ex:n 2 . ex:c a ex:T ; ex:n 3 . ex:d a ex:T .""", format="turtle")
    shapes = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:T ;
          sh:sparql [ sh:message "n is not above 1" ;
            sh:select "SELECT $this ?value WHERE { $this <http://example.org/n> ?value FILTER(?value <= 1) }" ] ;
          sh:sparql [ sh:message "no n" ;
            sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://example.org/n> ?any } }" ] .""",
        format="turtle")
    parsed = []
    real_parse = validation.parseQuery
    monkeypatch.setattr(validation, "parseQuery", lambda text: parsed.append(text) or real_parse(text))

    def results():
        return sorted((r.focus, r.value, r.message) for r, _ in validation.pyshacl_results(data, shapes, None, "none"))

    cached = results()
    assert cached == [("<http://example.org/a>", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "n is not above 1"),
                      ("<http://example.org/d>", "<http://example.org/d>", "no n")]  # pySHACL: value = focus
    assert len(parsed) == 2  # four focus nodes, two constraints
    monkeypatch.setattr(validation, "sparql_parsed_once", __import__("contextlib").nullcontext)
    assert results() == cached  # rdflib parsing every time gives the same answer

