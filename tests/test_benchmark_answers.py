"""The benchmark compares what users get (server/scale/benchmark.py, server/scale/workload.py): every saved
query through our server's /queries/NAME with its parameters, against the exact text our server runs for
it sent to Oxigraph server (loaded with the same build, union default graph). The comparison must fail
when the answers differ, and when both are empty where the curated graph's answer is not (the old
benchmark's trailing VALUES block made both servers answer 0 rows to label-search and events-in-year,
and 0 = 0 passed)."""

from __future__ import annotations

import subprocess

import pytest

from server.build import build_isolated
from server.scale.benchmark import OXIGRAPH, answers_from, compare_answers, curated_answers
from server.scale.workload import answer_size, saved_requests
from tests.helpers import start_oxigraph, stop_process


@pytest.fixture(scope="module")
def oxigraph_query(project, tmp_path_factory):
    """Oxigraph server's query endpoint over the curated build, as `tskg bench` starts it."""
    if not OXIGRAPH.exists():
        pytest.skip(f"{OXIGRAPH} not found: pip install oxigraph (in the test extra)")
    location = tmp_path_factory.mktemp("oxigraph-bench")
    dataset = build_isolated(project).dataset_path
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(dataset)], check=True,
                   capture_output=True, timeout=300)
    process, base = start_oxigraph("serve-read-only", location, "--union-default-graph")
    yield base + "/query"
    stop_process(process)


@pytest.fixture(scope="module")
def curated(project):
    return curated_answers(project, saved_requests(project))


def test_every_saved_query_gets_the_same_answer_from_both_servers(live_server, oxigraph_query, project, curated):
    queries = saved_requests(project)
    ours = answers_from(live_server.url + "/sparql", queries, saved=True)
    theirs = answers_from(oxigraph_query, queries, saved=False)
    assert compare_answers(ours, theirs, curated) == []
    assert set(ours) == {q.name for q in queries} == set(curated)
    # The two the old benchmark got wrong now measure something, with parameters as users give them.
    for name in ("label-search", "events-in-year"):
        assert answer_size(ours[name]) == answer_size(curated[name]) > 0, name
    assert next(q for q in queries if q.name == "label-search").path == "/queries/label-search?text=Thaci"


def test_a_different_answer_fails_the_comparison(live_server, oxigraph_query, project, curated):
    """Oxigraph is sent the text for another person than ours: the comparison names the query."""
    ours = answers_from(live_server.url + "/sparql", saved_requests(project, only=("actor-offices",)), saved=True)
    other = saved_requests(project, {"actor-offices": {"person": "https://w3id.org/tskg/id/aleksandar-vucic"}},
                           only=("actor-offices",))
    theirs = answers_from(oxigraph_query, other, saved=False)
    failures = compare_answers(ours, theirs, curated)
    assert len(failures) == 1 and failures[0].startswith("actor-offices: the answers differ"), failures


def test_both_empty_fails_where_the_curated_answer_is_not(live_server, oxigraph_query, project, curated):
    """Both servers asked for a text no label has: they agree on nothing, which the curated graph's
    answer to the query as measured (Thaci) shows to be no measurement."""
    nothing = saved_requests(project, {"label-search": {"text": "no-label-has-this-text"}}, only=("label-search",))
    ours = answers_from(live_server.url + "/sparql", nothing, saved=True)
    theirs = answers_from(oxigraph_query, nothing, saved=False)
    assert ours == theirs and answer_size(ours["label-search"]) == 0
    failures = compare_answers(ours, theirs, curated)
    assert len(failures) == 1 and "both servers answer nothing" in failures[0], failures
    assert compare_answers(ours, theirs, {}) == []  # where the curated answer is empty too, empty is right


def test_an_error_fails_the_comparison(live_server, oxigraph_query, project, curated):
    queries = saved_requests(project, only=("retractions",))
    ours = answers_from(live_server.url + "/sparql", queries, saved=True)
    theirs = answers_from(oxigraph_query, [type(q)(q.name, q.params, q.text + " }", q.accept) for q in queries],
                          saved=False)
    failures = compare_answers(ours, theirs, curated)
    assert len(failures) == 1 and "Oxigraph: HTTP 400" in failures[0], failures
