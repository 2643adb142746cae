"""`tskg query`: ad-hoc queries, query files and saved queries against the built graph, run as a
user runs them (a subprocess of `python -m server`), through the same engine as the server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.commands.query import _display_width, render_table

REPO_ROOT = Path(__file__).resolve().parent.parent
TSKR = "https://w3id.org/tskg/id/"


def tskg(*args: str, stdin: str | None = None, columns: int | None = None) -> subprocess.CompletedProcess:
    """`tskg query ARGS`; `columns` sets $COLUMNS, the width the table must fit off a terminal."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "server", "--root", str(REPO_ROOT), "query", *args],
        input=stdin, capture_output=True, text=True, timeout=300, cwd=REPO_ROOT, env=env,
    )


@pytest.fixture(scope="module", autouse=True)
def built():
    """Build once (cached on the sources), so each command below only opens the store."""
    from server.build import build
    from server.project import Project

    build(Project.locate(REPO_ROOT))


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tskg query: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_saved_query_as_a_terminal_table():
    result = tskg("--saved", "retractions")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["statement", "statementLabel"]
    assert set(lines[1]) <= {"-", " "}
    # IRIs shortened with the project's prefixes; the words quoted in the article; one row, counted.
    assert "tskr:statement-vucic-accuses-turkey-ottoman-empire" in lines[2]
    assert "dreaming of restoring the Ottoman Empire" in lines[2] and "--10-08" in lines[2]
    assert lines[-1] == "(1 row)"


def test_saved_query_with_a_parameter_as_csv():
    result = tskg("--saved", "actor-offices", "--param", "person=tskr:aleksandar-vucic", "--format", "csv")
    assert result.returncode == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["office"] for row in table] == [TSKR + "office-president-of-serbia"]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_parameters_are_not_result_columns(fmt):
    """The saved query projects $_person_iri and $_year_xsd_gYear (grlc's spelling), but those are the values
    given, not results."""
    for name, param in (("actor-offices", "person=tskr:aleksandar-vucic"), ("events-in-year", "year=2019")):
        result = tskg("--saved", name, "--param", param, "--format", fmt)
        assert result.returncode == 0, result.stderr
        if fmt == "json":
            data = json.loads(result.stdout)
            columns = data["head"]["vars"]
            assert all(not key.startswith("_") for b in data["results"]["bindings"] for key in b)
        else:
            columns = result.stdout.splitlines()[0].replace("\t", " ").replace(",", " ").split()
        assert columns and not [c for c in columns if c.lstrip("?").startswith("_")], columns
        assert ("office" if name == "actor-offices" else "event") in [c.lstrip("?") for c in columns]


def test_saved_query_as_json_and_tsv():
    result = tskg("-s", "events-in-year", "-p", "year=2019", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    events = {b["event"]["value"] for b in data["results"]["bindings"]}
    # 2019: the Serbia–Turkey defence cooperation agreement and Erdogan's inauguration, attended by Thaci
    assert {TSKR + "event-2019-serbia-turkey-sign-defence-cooperation-agreement",
            TSKR + "event-2019-thaci-attends-erdogan-inauguration"} <= events
    tsv = tskg("-s", "agreements", "--format", "tsv")
    assert tsv.returncode == 0, tsv.stderr
    header, *body = tsv.stdout.splitlines()
    assert header.split("\t")[:2] == ["?agreement", "?label"] and len(body) == 5


def test_ad_hoc_query_with_predeclared_prefixes():
    result = tskg("SELECT ?office WHERE { tskr:hashim-thaci tsk:holdsOffice ?office } ORDER BY ?office", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "office", TSKR + "office-president-of-kosovo", TSKR + "office-prime-minister-of-kosovo",
    ]


def test_query_from_a_file_and_stdin(tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("PREFIX tsk: <https://w3id.org/tskg/ontology#>\n"
                    "ASK { ?retraction tsk:retracts ?statement }\n", encoding="utf-8")
    result = tskg("-f", str(path))
    assert (result.returncode, result.stdout) == (0, "true\n")
    piped = tskg("-f", "-", "--format", "csv",
                 stdin="SELECT ?p WHERE { ?p tsk:nationality tskr:turkey ; a tsk:Person }")
    assert piped.returncode == 0, piped.stderr
    assert TSKR + "erdogan" in piped.stdout.splitlines()


def test_construct_as_table_and_json():
    result = tskg("--saved", "entity-graph", "--param", "entity=tskr:unsc-resolution-1244")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["subject", "predicate", "object"]
    assert "tskr:stance-serbia-deems-turkey-kosovo-military-agreement-illegal  tsk:legalBasis" in " ".join(
        result.stdout.split("\n"))
    jsonld = tskg("--saved", "entity-graph", "--format", "json")
    assert jsonld.returncode == 0 and json.loads(jsonld.stdout)


def test_list_of_saved_queries():
    result = tskg("--list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == sorted(p.stem for p in (REPO_ROOT / "queries").glob("*.rq"))
    offices = next(line for line in result.stdout.splitlines() if line.startswith("actor-offices "))
    assert f"person={TSKR}hashim-thaci" in offices


def test_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?x WHERE {\n  ?x ?p ?o .\n  ?x foo ?y .\n}\n", encoding="utf-8")  # foo: line 3
    message = one_line_error(tskg("-f", str(path)))
    assert f"{path}: SPARQL syntax error at line 3, column" in message
    message = one_line_error(tskg("SELECT ?x WHERE { ?x a nope:Thing }"))
    assert "line 1, column 24: unknown prefix nope:" in message and "PREFIX nope:" in message


def test_unknown_saved_query_lists_the_names():
    message = one_line_error(tskg("--saved", "timeline"))
    assert "no saved query 'timeline'" in message
    assert "timeline-turkey-serbia" in message and "timeline-turkey-kosovo" in message


@pytest.mark.parametrize("args, expected", [
    (["--saved", "actor-offices", "--param", "person=not an iri"], "parameter 'person': 'not an iri' is not an IRI"),
    (["--saved", "events-in-year", "--param", "year=2019-10-08"], "'2019-10-08' is not a valid xsd:gYear"),
    (["--saved", "events-in-year", "--param", "yr=2019"], "unknown parameter 'yr' for query 'events-in-year' (its parameters: year)"),
    (["--saved", "events-in-year", "--param", "2019"], "--param expects NAME=VALUE, got '2019'"),
    (["--saved", "agreements", "SELECT * {}"], "give one query"),
    (["-f", "/no/such/file.rq"], "/no/such/file.rq: no such file"),
    (["SERVICE <http://127.0.0.1:9/> { }"], "SERVICE is not allowed"),
])
def test_bad_input_gets_one_line(args, expected):
    message = one_line_error(tskg(*args))
    assert expected in message


def test_a_query_that_runs_too_long_is_stopped():
    started = time.monotonic()
    message = one_line_error(tskg("--timeout", "1", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"))
    assert "time limit" in message
    assert time.monotonic() - started < 60  # stopped, not run to its end (hours)


@pytest.mark.parametrize("name", ["actor-offices", "timeline-turkey-serbia", "agreements", "entity-graph"])
def test_the_table_fits_the_terminal_and_wide_shows_it_whole(name):
    fitted = tskg("--saved", name, columns=80)
    assert fitted.returncode == 0, fitted.stderr
    assert max(_display_width(line) for line in fitted.stdout.splitlines()) <= 80, fitted.stdout
    wide = tskg("--saved", name, "--wide", columns=80)
    csv_rows = list(csv.reader(io.StringIO(tskg("--saved", name, "--format", "csv").stdout)))[1:]
    values = {v for row in csv_rows for v in row if v and not v.startswith(("http", "_:"))}
    # every literal value is in the wide table whole, on one line; and in the fitted one, whole (records
    # wrap long values over lines) or cut with … and a note that says how to see it whole
    assert all(" ".join(v.split()) in wide.stdout for v in values)
    flat = " ".join(fitted.stdout.split())
    missing = [v for v in values if " ".join(v.split()) not in flat]
    if missing:
        assert "…" in fitted.stdout and "--wide or --format csv shows them whole" in fitted.stdout, missing
    assert len(fitted.stdout.splitlines()) >= 3


def test_language_tags_only_where_they_tell_cells_apart():
    labels = tskg("--saved", "actor-offices", "--wide")
    assert "President of Kosovo" in labels.stdout and "@en" not in labels.stdout
    mixed = tskg("SELECT ?l WHERE { VALUES ?l { 'Kosovo'@en 'Kosovo'@sr 'Serbia'@en 'Turkey' } }")
    lines = mixed.stdout.splitlines()
    assert {"Kosovo @en", "Kosovo @sr", "Serbia", "Turkey"} <= {line.strip() for line in lines}, lines


def test_render_table_clips_to_the_terminal_width():
    text = render_table(["a", "b"], [["x" * 50, "Vučić"]], width=30)
    lines = text.splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert "…" in lines[2] and lines[2].endswith("Vučić")
    assert render_table(["a"], [["one\nline"]]).splitlines()[2] == "one line"
