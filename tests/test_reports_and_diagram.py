"""Direct tests of two pure generators: the validation report renderers (server.checks.reports) on a
report made here, read back by the parsers their consumers use (JSON, XML, SARIF's shape, GitHub's
workflow-command syntax), and the class diagram (server.web.pages.diagram) on a small ontology, read
back as SVG."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from server.checks.reports import FORMATS, Outcome, render
from server.checks.results import Report, Result
from server.web.pages.diagram import class_diagram

VIOLATION = Result(severity="Violation", message='Tenure ends before it starts: "2010" < "2020"',
                   focus="<https://w3id.org/tskg/id/t1>", path="<https://w3id.org/tskg/ontology#endDate>",
                   value='"2010"^^<http://www.w3.org/2001/XMLSchema#gYear>', shape="_:b1", rule="TenureShape/endDate",
                   node_shape="TenureShape", file="graph/offices.ttl", line=12, column=3, triple_file="graph/offices.ttl",
                   triple_line=14, triple_column=5)
WARNING = Result(severity="Warning", message="No country given", focus="<https://w3id.org/tskg/id/acme>",
                 rule="CompanyShape/country", file="graph/economy.ttl", line=40)
NOWHERE = Result(severity="Violation", message="Undeclared term tsk:Persn", focus="<https://w3id.org/tskg/ontology#Persn>",
                 rule="undeclared-term", check="ontology")


def outcome(results, **kw) -> Outcome:
    report = Report(conforms=not any(r.severity == "Violation" for r in results), results=list(results),
                    files=["graph/offices.ttl", "graph/economy.ttl"], triples=123)
    return Outcome(report=report, seconds=0.5, **kw)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_finding(fmt):
    text = render(outcome([VIOLATION, WARNING, NOWHERE]), fmt)
    for r in (VIOLATION, WARNING, NOWHERE):
        assert r.message.split(":")[0] in text, (fmt, r.message)


def test_text_groups_by_focus_node_with_file_and_line():
    text = render(outcome([VIOLATION, WARNING]), "text")
    assert "graph/offices.ttl:12" in text and "graph/economy.ttl:40" in text
    assert text.index("graph/economy.ttl:40") < text.index("graph/offices.ttl:12")  # ordered by where written
    assert "does not conform: 1 violation, 1 warning on 2 focus nodes" in text.rstrip().splitlines()[-1]
    assert "\x1b[" not in text and "\x1b[" in render(outcome([VIOLATION]), "text", color=True)


def test_json_is_the_same_findings_for_programs():
    doc = json.loads(render(outcome([VIOLATION, WARNING]), "json"))
    assert doc["conforms"] is False and doc["summary"]["violations"] == 1 and doc["summary"]["warnings"] == 1
    found = {(r["severity"], r["file"], r["line"], r["message"]) for g in doc["focus_nodes"] for r in g["results"]}
    assert found == {("Violation", "graph/offices.ttl", 12, VIOLATION.message),
                     ("Warning", "graph/economy.ttl", 40, WARNING.message)}


def test_junit_fails_violations_and_passes_warnings():
    root = ET.fromstring(render(outcome([VIOLATION, WARNING]), "junit"))
    assert root.tag == "testsuites"
    cases = root.findall(".//testcase")
    assert len(cases) >= 2
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and "Tenure ends before it starts" in ET.tostring(failed[0], encoding="unicode")


def test_github_commands_point_at_the_offending_triple():
    lines = render(outcome([VIOLATION, WARNING]), "github").splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    assert re.match(r"::error file=graph/offices\.ttl,line=14,col=5,title=[^:]+::", error), error
    assert any(line.startswith("::warning file=graph/economy.ttl,line=40") for line in lines)
    strict = render(outcome([WARNING], strict=True), "github")
    assert strict.startswith("::error ")
    # workflow commands escape what would end the command early
    odd = Result(severity="Violation", message="50% done\nsecond line", focus="<x>", file="a,b.ttl", line=1)
    line = next(x for x in render(outcome([odd]), "github").splitlines() if x.startswith("::error"))
    assert "%25" in line and "%0A" in line and "a%2Cb.ttl" in line


def test_sarif_has_rules_results_and_locations():
    doc = json.loads(render(outcome([VIOLATION, WARNING, NOWHERE]), "sarif"))
    assert doc["version"] == "2.1.0" and "sarif" in doc["$schema"]
    run = doc["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {"TenureShape/endDate", "CompanyShape/country", "undeclared-term"} <= rules
    levels = sorted(r["level"] for r in run["results"])
    assert levels == ["error", "error", "warning"]
    located = next(r for r in run["results"] if r["ruleId"] == "TenureShape/endDate")
    region = located["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == "graph/offices.ttl" and region["region"]["startLine"] == 14


TINY = """
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
tsk:Agent a owl:Class .
tsk:State a owl:Class ; rdfs:subClassOf tsk:Agent .
tsk:Person a owl:Class ; rdfs:subClassOf tsk:Agent .
tsk:Event a owl:Class .
tsk:actor a owl:ObjectProperty ; rdfs:domain tsk:Event ; rdfs:range [ owl:unionOf ( tsk:State tsk:Person ) ] .
"""


def diagram_of(text: str, href=None) -> ET.Element:
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]
    svg = class_diagram(triples, {"https://w3id.org/tskg/ontology#State": "State (a country)"}, href=href)
    return ET.fromstring(svg)


def test_the_diagram_draws_each_class_its_generalisations_and_properties():
    root = diagram_of(TINY, href=lambda iri: "/ontology#" + iri.rsplit("#", 1)[1])
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    for name in ("Agent", "State (a country)", "Person", "Event", "actor"):
        assert name in text, name
    svg = ET.tostring(root, encoding="unicode")
    assert svg.count("/ontology#") >= 4  # each class box links to its documentation
    assert svg.count("data-iri=") >= 4


def test_the_diagram_is_deterministic_and_needs_no_hand_layout():
    first = ET.tostring(diagram_of(TINY), encoding="unicode")
    assert first == ET.tostring(diagram_of(TINY), encoding="unicode")
    shuffled = "\n".join(reversed(TINY.strip().splitlines()[3:]))
    header = "\n".join(TINY.strip().splitlines()[:3])
    assert ET.tostring(diagram_of(header + "\n" + shuffled), encoding="unicode") == first
