"""`tskg validate` as a user and CI run it (the installed console script in a subprocess), on a small
project of our own (built in a temporary directory, passed with --root) whose invalid files have known
lines: exit codes, every report format, files checked alone, --strict, --output, every kind of bad input,
and the GitHub workflow running the same command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import REPO_ROOT
from validate_support import FORMATS, findings, no_traceback, tskg


# --- a small project of our own, with known lines ---------------------------------------------------

ONTOLOGY = """\
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/tskg/ontology> a owl:Ontology ;
    dcterms:title "A small test ontology"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:creator "tests" ;
    owl:versionIRI <https://w3id.org/tskg/ontology/0.0.1> ;
    vann:preferredNamespacePrefix "tsk" ;
    vann:preferredNamespaceUri "https://w3id.org/tskg/ontology#" .

tsk:Agent a owl:Class ; rdfs:label "agent"@en ; skos:definition "Someone who acts."@en .
tsk:Person a owl:Class ; rdfs:subClassOf tsk:Agent ; rdfs:label "person"@en ; skos:definition "A human."@en .
tsk:Event a owl:Class ; rdfs:label "event"@en ; skos:definition "Something that happened."@en .
tsk:Quote a owl:Class ; rdfs:label "quote"@en ; skos:definition "A sentence of the article."@en .
tsk:actor a owl:ObjectProperty ; rdfs:label "actor"@en ; skos:definition "Who acted."@en ;
    rdfs:domain tsk:Event ; rdfs:range tsk:Agent .
tsk:evidence a owl:ObjectProperty ; rdfs:label "evidence"@en ; skos:definition "The quote a fact rests on."@en ;
    tsk:domainNote "Open: any fact."@en ; rdfs:range tsk:Quote .
tsk:text a owl:DatatypeProperty ; rdfs:label "text"@en ; skos:definition "The words."@en ;
    rdfs:domain tsk:Quote ; rdfs:range xsd:string .
tsk:domainNote a owl:AnnotationProperty ; rdfs:label "domain note"@en ; skos:definition "Why there is no domain."@en .
"""

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tsksh: <https://w3id.org/tskg/shapes#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

tsksh:EventShape a sh:NodeShape ;
    sh:targetClass tsk:Event ;
    sh:property [ sh:path tsk:evidence ; sh:minCount 1 ; sh:class tsk:Quote ;
                  sh:message "An event needs evidence: a tsk:Quote" ] ;
    sh:property [ sh:path tsk:actor ; sh:class tsk:Agent ;
                  sh:message "The actor of an event is a tsk:Agent" ] .

tsksh:QuoteShape a sh:NodeShape ;
    sh:targetClass tsk:Quote ;
    sh:property [ sh:path tsk:text ; sh:datatype xsd:string ; sh:message "The text of a quote is a string" ] .

tsksh:AgentShape a sh:NodeShape ;
    sh:targetClass tsk:Agent ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:maxCount 1 ;
                  sh:message "An agent has exactly one rdfs:label" ] .
"""

SOURCE = """\
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskr: <https://w3id.org/tskg/id/> .

tskr:quote-s01 a tsk:Quote ;
    tsk:text "Alice acted." .
"""

DATA = """\
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

tskr:alice a tsk:Person ;
    rdfs:label "Alice"@en .

tskr:event-1 a tsk:Event ;
    tsk:actor tskr:alice ;
    tsk:evidence tskr:quote-s01 .
"""

# Three kinds of finding: a missing value (the focus node's line), a wrong value (the line of the
# offending triple) and a blank node focus (the bracket's line), plus an undeclared term.
INVALID = """\
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# no evidence
tskr:event-2 a tsk:Event ;
    tsk:actor tskr:bob .

tskr:bob a tsk:Person ;
    rdfs:label "Bob"@en .

tskr:quote-s02 a tsk:Quote ;
    tsk:text 42 .

tskr:event-4 a tsk:Event ; tsk:evidence tskr:quote-s01 ;
    tsk:actor [
        a tsk:Person ] .

tskr:event-5 a tsk:Event ; tsk:evidence tskr:quote-s01 ;
    tsk:actr tskr:bob .
"""
EVENTS = "https://w3id.org/tskg/id/event-"


@pytest.fixture()
def small(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    (root / "ontology" / "tskg.ttl").write_text(ONTOLOGY)
    (root / "ontology" / "shapes.ttl").write_text(SHAPES)
    (root / "graph" / "source.ttl").write_text(SOURCE)
    (root / "graph" / "data.ttl").write_text(DATA)
    (root / "new.ttl").write_text(INVALID)
    return root


def test_small_project_conforms(small):
    proc = tskg("--root", str(small), "validate")
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"✓ conforms: 0 violations, 0 warnings; 4 files, \d+ triples; \d+\.\d\d s", proc.stdout)
    # JUnit: one passing test per file
    root = ET.fromstring(tskg("--root", str(small), "validate", "--format", "junit").stdout)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "0", "0")
    assert {s.get("name"): [c.get("name") for c in s.iter("testcase")] for s in root.iter("testsuite")} == {
        f: ["conforms"] for f in ("ontology/tskg.ttl", "ontology/shapes.ttl", "graph/data.ttl", "graph/source.ttl")}


EXPECTED = [
    # (focus, rule, focus line, line the report points at)
    (f"<{EVENTS}2>", "tsksh:EventShape/tsk:evidence", 6, 6),
    ("<https://w3id.org/tskg/id/quote-s02>", "tsksh:QuoteShape/tsk:text", 12, 13),
    (None, "tsksh:AgentShape/rdfs:label", 16, 16),           # the blank node: its bracket
    (f"<{EVENTS}5>", "chk:declared-property", 19, 20),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_small_project_invalid_file_in_every_format(small, fmt):
    proc = tskg("--root", str(small), "validate", "new.ttl", "--format", fmt, cwd=small)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = [f for f in findings(fmt, proc.stdout) if f["severity"] == "Violation"]
    assert len(found) == len(EXPECTED), found
    for focus, rule, focus_line, line in EXPECTED:
        hits = [f for f in found if f["rule"] == rule]
        assert len(hits) == 1, (rule, found)
        hit = hits[0]
        assert hit["file"] == "new.ttl"
        assert hit["line"] == line, (rule, hit)
        if hit["focus_line"] is not None and fmt != "text":
            assert hit["focus_line"] == focus_line, (rule, hit)
        if fmt == "text":
            assert hit["focus_line"] == focus_line
        if fmt in ("json", "sarif") and focus is not None:
            assert hit["focus"] == focus
    if fmt == "json":
        doc = json.loads(proc.stdout)
        blank = [g for g in doc["focus_nodes"] if g["focus"].startswith("_:")]
        assert [g["focus_label"] for g in blank] == ["tskr:event-4 tsk:actor []"]
        assert doc["summary"]["violations"] == 4 and doc["summary"]["focus_nodes"] == 4
        assert [g["line"] for g in doc["focus_nodes"]] == [6, 12, 16, 19]  # grouped, in file order
    if fmt == "sarif":
        doc = json.loads(proc.stdout)
        rules = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
        assert {rule for _, rule, _, _ in EXPECTED} <= rules
        assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
                   for r in doc["runs"][0]["results"])
    if fmt == "junit":
        root = ET.fromstring(proc.stdout)
        assert root.get("failures") == "4" and root.get("errors") == "0"
        assert [s.get("name") for s in root.iter("testsuite")] == ["new.ttl"]  # the file asked about
    if fmt == "github":
        assert proc.stdout.count("::error ") == 4
        assert "title=tsksh%3AEventShape/tsk%3Aevidence" in proc.stdout
    assert ("tskg validate: " if fmt != "text" else "✗ ") + "does not conform: 4 violations" in (
        proc.stderr if fmt != "text" else proc.stdout)


def test_given_files_are_checked_with_the_graph_and_reported_alone(small):
    # event-9 refers to tskr:alice, whom graph/data.ttl describes
    (small / "new2.ttl").write_text(
        "@prefix tsk: <https://w3id.org/tskg/ontology#> .\n@prefix tskr: <https://w3id.org/tskg/id/> .\n"
        "tskr:event-9 a tsk:Event ;\n    tsk:actor tskr:alice ;\n    tsk:evidence tskr:quote-s01 .\n")
    proc = tskg("--root", str(small), "validate", "new2.ttl", "--format", "json", cwd=small)
    assert proc.returncode == 0, proc.stdout
    doc = json.loads(proc.stdout)
    assert doc["files"] == ["ontology/tskg.ttl", "ontology/shapes.ttl", "new2.ttl", "graph/data.ttl", "graph/source.ttl"]
    assert doc["reported_files"] == ["new2.ttl"]
    # --alone: with the article and, of graph/data.ttl, only alice's type and label: she resolves
    proc = tskg("--root", str(small), "validate", "new2.ttl", "--alone", "--format", "json", cwd=small)
    assert proc.returncode == 0, proc.stdout
    doc = json.loads(proc.stdout)
    assert doc["files"] == ["ontology/tskg.ttl", "ontology/shapes.ttl", "new2.ttl", "graph/data.ttl", "graph/source.ttl"]
    assert doc["focus_nodes"] == [] and doc["summary"]["not_shown"] == 0
    # a problem elsewhere in graph/ is counted, not shown, unless --all
    (small / "graph" / "bad.ttl").write_text(INVALID)
    proc = tskg("--root", str(small), "validate", "new2.ttl", "--format", "json", cwd=small)
    assert proc.returncode == 0, proc.stdout
    doc = json.loads(proc.stdout)
    assert doc["focus_nodes"] == [] and doc["summary"]["not_shown"] == 4
    assert "4 more in the files they were checked with: --all shows them" in proc.stderr
    proc = tskg("--root", str(small), "validate", "new2.ttl", "--all", "--format", "json", cwd=small)
    assert proc.returncode == 1
    assert {g["file"] for g in json.loads(proc.stdout)["focus_nodes"]} == {"graph/bad.ttl"}


def test_output_file_is_written_whole_and_nothing_else(small):
    out = small / "reports" / "results.sarif"
    out.parent.mkdir()
    proc = tskg("--root", str(small), "validate", "new.ttl", "--format", "sarif", "--output", str(out), cwd=small)
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in out.parent.iterdir()) == ["results.sarif"]
    assert "does not conform" in proc.stderr and re.search(r"\d+\.\d\d s", proc.stderr)


def test_strict_makes_warnings_fail(small):
    # a property without a range (and no tsk:rangeNote): an ontology warning
    with open(small / "ontology" / "tskg.ttl", "a") as f:
        f.write('tsk:size a owl:DatatypeProperty ; rdfs:label "size"@en ; skos:definition "How many."@en ;\n'
                '    rdfs:domain tsk:Agent .\n')
    proc = tskg("--root", str(small), "validate", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["conforms"] is True and doc["summary"]["warnings"] == 1
    warning = doc["focus_nodes"][0]["results"][0]
    assert (warning["rule"], warning["file"], warning["line"]) == ("chk:property-range", "ontology/tskg.ttl", 28)
    proc = tskg("--root", str(small), "validate", "--strict")
    assert proc.returncode == 1
    assert "(--strict: warnings fail)" in proc.stdout


def test_ontology_metadata_checks(small):
    path = small / "ontology" / "tskg.ttl"
    path.write_text(path.read_text().replace('    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n', ""))
    proc = tskg("--root", str(small), "validate", "--format", "json")
    assert proc.returncode == 1
    [group] = json.loads(proc.stdout)["focus_nodes"]
    assert (group["focus"], group["file"], group["line"]) == ("<https://w3id.org/tskg/ontology>", "ontology/tskg.ttl", 9)
    assert [r["rule"] for r in group["results"]] == ["chk:ontology-metadata/dcterms:license"]


# --- syntax errors and bad input ----------------------------------------------------------------------

BROKEN = '@prefix tsk: <https://w3id.org/tskg/ontology#> .\n\ntsk:a tsk:b "unterminated ;\n    tsk:c tsk:d .\n'


def test_syntax_error_exit_2_with_file_line_column(small):
    (small / "broken.ttl").write_text(BROKEN)
    proc = tskg("--root", str(small), "validate", "broken.ttl", cwd=small)
    no_traceback(proc)
    assert proc.returncode == 2
    first = proc.stderr.splitlines()[0]
    assert re.match(r"^broken\.ttl:3:13: \S", first), proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("fmt", ["github", "sarif", "json", "junit"])
def test_syntax_error_reaches_every_format(small, fmt):
    (small / "broken.ttl").write_text(BROKEN)
    out = small / f"report.{fmt}"
    proc = tskg("--root", str(small), "validate", "broken.ttl", "--format", fmt, "--output", str(out), cwd=small)
    no_traceback(proc)
    assert proc.returncode == 2
    assert re.match(r"^broken\.ttl:3:13: ", proc.stderr)
    text = out.read_text()
    if fmt == "github":
        assert text.startswith("::error file=broken.ttl,line=3,col=13,title=turtle-syntax::")
    elif fmt == "sarif":
        [result] = json.loads(text)["runs"][0]["results"]
        assert result["ruleId"] == "turtle-syntax"
        assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 13}
    elif fmt == "json":
        doc = json.loads(text)
        assert doc["syntax_errors"] is True and doc["conforms"] is False
    else:
        assert ET.fromstring(text).get("errors") == "1"


def test_every_broken_file_is_reported_at_once(small):
    (small / "a.ttl").write_text("<a> <b> .\n")
    (small / "b.ttl").write_text("\n\n<a> <b> <c>\n")
    proc = tskg("--root", str(small), "validate", "a.ttl", "b.ttl", cwd=small)
    assert proc.returncode == 2
    assert [line.split(":")[0] for line in proc.stderr.splitlines()[:2]] == ["a.ttl", "b.ttl"]


def _one_line_error(proc, *fragments):
    no_traceback(proc)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tskg validate: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert proc.stdout == ""


def test_missing_path(small):
    _one_line_error(tskg("--root", str(small), "validate", "nothere.ttl", cwd=small), "nothere.ttl", "no such file")


def test_unknown_extension(small):
    (small / "data.nt").write_text("<a:a> <a:b> <a:c> .\n")
    _one_line_error(tskg("--root", str(small), "validate", "data.nt", cwd=small), "data.nt", "'.nt'", ".ttl")


def test_directory_without_turtle(small):
    (small / "empty-dir").mkdir()
    _one_line_error(tskg("--root", str(small), "validate", "empty-dir", cwd=small), "no .ttl files")


def test_unknown_format(small):
    _one_line_error(tskg("--root", str(small), "validate", "--format", "xml", cwd=small), "'xml'", "sarif")


def test_empty_file_is_valid_turtle(small):
    (small / "empty.ttl").write_bytes(b"")
    proc = tskg("--root", str(small), "validate", "empty.ttl", "--format", "json", cwd=small)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert "empty.ttl" in json.loads(proc.stdout)["files"]


def test_binary_file(small):
    (small / "image.ttl").write_bytes(bytes(range(256)) * 4)
    proc = tskg("--root", str(small), "validate", "image.ttl", cwd=small)
    no_traceback(proc)
    assert proc.returncode == 2
    assert re.match(r"^image\.ttl:\d+:\d+: binary data, not a Turtle text file", proc.stderr)


def test_file_over_the_size_limit_is_refused_fast_and_nothing_is_written(small):
    big = small / "big.ttl"
    line = b'<https://w3id.org/tskg/id/x> <https://w3id.org/tskg/ontology#text> "' + b"x" * 100 + b'" .\n'
    with open(big, "wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    assert big.stat().st_size > 50 * 1024 * 1024
    out = small / "report.json"
    proc = tskg("--root", str(small), "validate", "big.ttl", "--format", "json", "--output", str(out), cwd=small, timeout=60)
    _one_line_error(proc, "big.ttl", "MB", "limit", "--max-size")
    assert not out.exists()


def test_bom_and_crlf(small):
    text = INVALID.replace("\n", "\r\n")
    (small / "windows.ttl").write_bytes(b"\xef\xbb\xbf" + text.encode())
    proc = tskg("--root", str(small), "validate", "windows.ttl", "--format", "json", cwd=small)
    no_traceback(proc)
    assert proc.returncode == 1
    lines = {(r["rule"], r["line"], (r["triple"] or {}).get("line"))
             for g in json.loads(proc.stdout)["focus_nodes"] for r in g["results"]}
    assert ("tsksh:QuoteShape/tsk:text", 12, 13) in lines
    assert ("tsksh:EventShape/tsk:evidence", 6, None) in lines


def test_output_into_a_missing_directory_or_onto_a_source(small):
    _one_line_error(tskg("--root", str(small), "validate", "--output", str(small / "no" / "r.json"), cwd=small),
                    "does not exist")
    before = (small / "new.ttl").read_text()
    _one_line_error(tskg("--root", str(small), "validate", "new.ttl", "--output", "new.ttl", cwd=small),
                    "one of the files being validated")
    assert (small / "new.ttl").read_text() == before


def test_shapes_that_are_not_shacl(small):
    path = small / "ontology" / "shapes.ttl"
    path.write_text(path.read_text().replace("sh:minCount 1 ; sh:class", 'sh:minCount "one" ; sh:class'))
    _one_line_error(tskg("--root", str(small), "validate", cwd=small), "ontology/shapes.ttl", "not valid SHACL")


def test_python_dash_m_works_too(small):
    proc = subprocess.run([sys.executable, "-m", "server", "--root", str(small), "validate", "--format", "json"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["conforms"] is True


# --- the GitHub workflow runs the same command ---------------------------------------------------------

def test_github_workflow_runs_the_users_command():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "validate.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    [job] = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    runs = [s.get("run", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    [python] = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    assert str(python["with"]["python-version"]) == "3.11"
    assert "pip install -e ." in runs
    assert "tskg validate --format github" in runs
    assert any(r.startswith("tskg validate --format sarif --output results.sarif") for r in runs)
    [upload] = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["with"]["sarif_file"] == "results.sarif"
    # the script the workflow calls is the one pyproject.toml installs
    assert 'tskg = "server.cli:main"' in (REPO_ROOT / "pyproject.toml").read_text()


