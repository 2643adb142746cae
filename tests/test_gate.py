"""The one gate (server.checks.gate): `tskg validate` and the build that `tskg serve` serves apply the same checks with
the same verdict, and each mistake is one finding that says what to do.

The cases copy the real project (ontology, shapes, graph/) into a temporary directory and add one file of
mistakes, so that what is checked is what a contributor's pull request would be.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from server.build import ValidationFailed, build
from server.checks.gate import ENGINES, check, project_files
from server.project import Project
from server.sources.files import SourceFile, load_sources

REPO_ROOT = Path(__file__).resolve().parent.parent
TSKG = Path(sys.executable).parent / "tskg"
HEAD = """@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskc: <https://w3id.org/tskg/concept/> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

"""
EVENT = """tskr:event-new a tsk:Event ;
    rdfs:label "A new event"@en ;
    tsk:eventType tskc:event-economic-cooperation ;
    tsk:participant tskr:turkey ;
    tsk:evidence tskr:quote-s01 ;
"""


def project_with(tmp_path: Path, name: str, text: str) -> Project:
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "ontology", root / "ontology")
    shutil.copytree(REPO_ROOT / "graph", root / "graph")
    (root / "graph" / name).write_text(HEAD + text, encoding="utf-8")
    return Project.locate(root)


def findings_in(project: Project, name: str, engine: str = "fast", sources=None) -> list:
    report = check(sources or load_sources(project_files(project)), engine=engine)
    return [r for r in report.results if r.file == f"graph/{name}" or r.triple_file == f"graph/{name}"]


def run(*args, timeout=300) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("TSKG_ROOT", None)
    return subprocess.run([str(TSKG), *args], capture_output=True, text=True, timeout=timeout, env=env)


# --- the same verdict -------------------------------------------------------------------------------

MISTAKES = {
    # what the build used to let through: an ill-typed literal, an undeclared tsk: property
    "ill-typed-year": EVENT + '    tsk:date "20x3"^^xsd:gYear .\n',
    "undeclared-property": EVENT + '    tsk:happenedIn tskr:kosovo .\n',
    # and what both always refused: a shape's violation
    "event-without-type": 'tskr:event-new a tsk:Event ;\n    rdfs:label "A new event"@en ;\n'
                          '    tsk:evidence tskr:quote-s01 .\n',
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_validate_and_the_build_refuse_the_same_file_at_the_same_line(tmp_path, mistake, monkeypatch):
    monkeypatch.setenv("TSKG_CACHE", str(tmp_path / "cache"))
    project = project_with(tmp_path, "new.ttl", MISTAKES[mistake])
    validated = run("--root", str(project.root), "validate", "--format", "json")
    assert validated.returncode == 1, validated.stdout[-2000:] + validated.stderr
    found = [(r["file"], r["line"], r["rule"]) for g in json.loads(validated.stdout)["focus_nodes"] for r in g["results"]]
    with pytest.raises(ValidationFailed) as refused:
        build(project)
    built = [(r.file, r.line, r.rule) for r in refused.value.report.violations]
    assert found == built and found and all(f == "graph/new.ttl" for f, _, _ in found)


def test_serve_refuses_what_validate_refuses_with_file_and_line(tmp_path):
    project = project_with(tmp_path, "new.ttl", MISTAKES["ill-typed-year"])
    env_cache = {"TSKG_CACHE": str(tmp_path / "cache")}
    with socket.socket() as probe:  # a port that is free now; the build refuses before anything listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([str(TSKG), "--root", str(project.root), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **env_cache}, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # it served: stop it and its workers
        os.killpg(process.pid, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    served = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert served.returncode == 1, served.stderr
    assert "graph/new.ttl:7: " in served.stderr and '"20x3" is not a valid xsd:gYear' in served.stderr
    assert "Traceback" not in served.stderr


def test_the_curated_graph_passes_the_gate_with_both_validators(project):
    sources = load_sources(project_files(project))
    reports = {engine: check(sources, engine=engine) for engine in ENGINES}
    assert all(r.conforms for r in reports.values()), [r.message for r in reports["pyshacl"].violations][:5]
    assert [vars(r) for r in reports["fast"].results] == [vars(r) for r in reports["pyshacl"].results]


# --- one finding per mistake ----------------------------------------------------------------------------

def test_an_ill_typed_literal_is_one_finding_that_shows_the_right_form(tmp_path):
    project = project_with(tmp_path, "new.ttl", EVENT + '    tsk:date "20x3"^^xsd:gYear .\n')
    [finding] = findings_in(project, "new.ttl")
    assert finding.rule == "chk:well-formed-literal" and finding.path == "tsk:date"
    assert finding.message == '"20x3" is not a valid xsd:gYear: write it like "2019"^^xsd:gYear'
    assert (finding.line, finding.triple_line) == (7, 12)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_literal_where_a_node_belongs_is_one_finding_on_the_subject(tmp_path, engine):
    project = project_with(tmp_path, "new.ttl", EVENT + '    tsk:actor "Turkey" .\n')
    [finding] = findings_in(project, "new.ttl", engine)
    assert finding.focus == "<https://w3id.org/tskg/id/event-new>"
    assert (finding.path, finding.rule, finding.triple_line) == ("tsk:actor", "tsk:EventShape/tsk:actor", 12)
    assert finding.value == '"Turkey"' and finding.message.endswith(
        "The value is text where a node belongs: write the node's IRI (such as tskr:turkey), not its name.")


@pytest.mark.parametrize("engine", ENGINES)
def test_citing_a_sentence_the_article_does_not_have_is_one_finding(tmp_path, engine):
    project = project_with(tmp_path, "new.ttl", EVENT.replace("tskr:quote-s01", "tskr:quote-s99") + "    .\n")
    [finding] = findings_in(project, "new.ttl", engine)
    assert finding.focus == "<https://w3id.org/tskg/id/quote-s99>" and finding.severity == "Violation"
    assert finding.message.startswith("No sentence 99 in the article: it has 50 sentences (tskr:quote-s01 … "
                                      "tskr:quote-s50; tskr:quote-s00 is the title).")
    assert (finding.file, finding.line) == ("graph/new.ttl", 11)


def test_citing_a_sentence_whose_quote_is_not_written_yet_says_how_to_add_it(tmp_path):
    project = project_with(tmp_path, "new.ttl", EVENT + "    .\n")
    source = project.graph_dir / "source.ttl"
    text = source.read_text(encoding="utf-8")
    without = re.sub(r"tskr:quote-s03 a tsk:Quote.*?\n\n", "", text, count=1, flags=re.S)
    assert without != text
    source.write_text(without, encoding="utf-8")
    found = [r for r in check(load_sources(project_files(project))).results
             if r.focus == "<https://w3id.org/tskg/id/quote-s03>"]
    assert [r.message for r in found] == [
        "Sentence 3 of the article has no quote in graph/ yet: add its tsk:Quote to graph/source.ttl "
        "(python -m server.sources.quotes prints it)."]


def test_alone_resolves_what_graph_describes_and_still_flags_what_it_does_not(tmp_path):
    project = project_with(tmp_path, "unused.ttl", "")
    new = tmp_path / "new.ttl"
    new.write_text(HEAD + EVENT.replace("tskr:turkey", "tskr:turkey, tskr:atlantis") + "    .\n", encoding="utf-8")
    done = run("--root", str(project.root), "validate", str(new), "--alone", "--format", "json")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert [(g["focus"], [r["rule"] for r in g["results"]]) for g in doc["focus_nodes"]] == [
        ("<https://w3id.org/tskg/id/atlantis>", ["tsk:DanglingReferenceShape/rdfs:label"])]
    assert doc["summary"]["not_shown"] == 0, "nodes only graph/ describes are not judged on their types alone"


def test_alone_still_judges_what_the_file_says_about_a_node_of_graph(tmp_path):
    """tskr:turkey is described in graph/actors.ttl; a file that gives it a second English label is wrong."""
    project = project_with(tmp_path, "unused.ttl", "")
    new = tmp_path / "new.ttl"
    new.write_text(HEAD + 'tskr:turkey rdfs:label "Türkiye"@en .\n', encoding="utf-8")
    sources = load_sources([*[f for f in project_files(project) if f.role != "data"], SourceFile(new, "new.ttl", "data"),
                            *[SourceFile(p, project.relative(p), "data" if p.name == "source.ttl" else "context")
                              for p in project.graph_files]])
    found = [r for r in check(sources, prefer=["new.ttl"]).results if r.file == "new.ttl"]
    assert [(r.focus, r.rule) for r in found] == [("<https://w3id.org/tskg/id/turkey>", "tsk:LabelShape/rdfs:label#2")]
