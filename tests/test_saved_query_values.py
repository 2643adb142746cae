"""A saved query given a value the graph does not have (an unknown IRI, a sentence number past the end)
says so, as a 400 with the message, in every format of /queries/NAME, on its HTML page, in `tskg query`,
and in front of another store; values that exist still answer."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from markupsafe import escape

from helpers import REPO_ROOT

def sentence_count(client) -> int:
    """How many sentences the article has, asked of the graph (not of the code under test)."""
    response = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(DISTINCT ?n) AS ?c) (MAX(?n) AS ?m) WHERE { ?q tsk:sentenceNumber ?n }",
        "format": "json"})
    row = response.get_json()["results"]["bindings"][0]
    return int(row["c"]["value"]), int(row["m"]["value"])


CASES = [
    ("actor-offices", {"person": "tskr:nobody"}, "parameter 'person': no such resource tskr:nobody in the graph"),
    ("entity-graph", {"entity": "https://example.org/elsewhere"}, "no such resource <https://example.org/elsewhere>"),
    ("sentence-facts", {"sentence": "999"}, "parameter 'sentence': no sentence 999"),
]


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "tsv"])
@pytest.mark.parametrize("name, params, message", CASES, ids=[c[0] for c in CASES])
def test_a_value_not_in_the_graph_is_a_400_with_the_message(client, name, params, message, fmt):
    if name == "entity-graph":
        fmt = {"json": "jsonld", "csv": "turtle", "xml": "rdfxml", "tsv": "ntriples"}[fmt]
    response = client.get(f"/queries/{name}", query_string={**params, "format": fmt})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert message in response.get_data(as_text=True)


def test_the_sentence_message_gives_the_range(client):
    count, last = sentence_count(client)
    text = client.get("/queries/sentence-facts", query_string={"sentence": "999", "format": "csv"}).get_data(as_text=True)
    assert f"no sentence 999 (the graph has {count} values of tsk:sentenceNumber, from 0 to {last})" in text


@pytest.mark.parametrize("name, params, message", CASES, ids=[c[0] for c in CASES])
def test_the_html_page_shows_the_message_on_the_form(client, name, params, message):
    response = client.get(f"/queries/{name}", query_string=params, headers={"Accept": "text/html"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<form" in page and str(escape(message)) in page


@pytest.mark.parametrize("name, params", [
    ("actor-offices", {"person": "tskr:aleksandar-vucic"}),
    ("sentence-facts", {"sentence": "2"}),
    ("sentence-facts", {"sentence": "0"}),
    ("events-in-year", {"year": "1800"}),  # matched by a FILTER: a year without events is an empty answer, not an error
    ("label-search", {"text": "no label has these words"}),
])
def test_values_that_exist_or_cannot_be_checked_still_answer(client, name, params):
    response = client.get(f"/queries/{name}", query_string={**params, "format": "json"})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_in_front_of_another_store(remote_live_server):
    import requests

    for name, params, message in CASES:
        response = requests.get(f"{remote_live_server.url}/queries/{name}", params=params, timeout=60)
        assert response.status_code == 400 and message in response.text, (name, response.text[:300])
    fine = requests.get(f"{remote_live_server.url}/queries/sentence-facts", params={"sentence": "2"}, timeout=60)
    assert fine.status_code == 200


@pytest.mark.parametrize("name, params, message", CASES, ids=[c[0] for c in CASES])
def test_tskg_query_says_it_in_one_line(name, params, message):
    args = [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]
    done = subprocess.run([sys.executable, "-m", "server", "--root", str(REPO_ROOT), "query", "-s", name, *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(r"tskg query: error: queries/.*\.rq: ", lines[0]) and message in lines[0], lines


def test_a_parameter_needs_no_projection(tmp_path):
    """Binding writes the term where the variable stands, so a saved query need not project its parameters."""
    from server.build import build
    from server.project import Project
    from server.store import embedded_engine
    from server.store.saved_queries import parse_query

    query = parse_query("#+ summary: s\n#+ description: d\nSELECT ?office WHERE { ?_person_iri tsk:holdsOffice ?office }\n",
                        tmp_path / "offices.rq")
    engine = embedded_engine(build(Project.locate(REPO_ROOT)), workers=1)
    try:
        bindings = query.bindings({"person": "tskr:hashim-thaci"})
        query.check_values(bindings, engine)
        rows = engine.select(query.query, bindings=bindings)
    finally:
        engine.close()
    assert {row["office"].value.rsplit("/", 1)[-1] for row in rows} == {
        "office-president-of-kosovo", "office-prime-minister-of-kosovo"}
