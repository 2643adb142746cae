"""The serving measurement (server/scale/serving.py): its distinct queries defeat every cache and keep
their answers, and a tiny run of it, so that it cannot rot. The real run is
`python -m server.scale.serving` (see the README's performance section)."""

from __future__ import annotations

import json

import requests

from server.scale import serving, workload


def test_distinct_queries_miss_every_cache_and_keep_their_answers(live_server, project):
    """Each renamed query reaches a query process (nothing answered it before), and gives the same rows
    as the query as written, column names aside."""
    pool = live_server.app.extensions["tskg.engine"].pool
    first = workload.fresh_nonces()
    for query in serving.queries_for(project, ("actor-offices", "labels-50", "construct-people", "ask-state")):
        plain = requests.get(live_server.url + "/sparql", params={"query": query.text},
                             headers={"Accept": query.accept}, timeout=30)
        assert plain.status_code == 200
        for nonce in (first, first + 1, first + (1 << 19)):
            before = pool.asked
            text = workload.distinct_text(query.text, nonce)
            assert text != query.text
            r = requests.get(live_server.url + "/sparql", params={"query": text}, headers={"Accept": query.accept},
                             timeout=30)
            assert r.status_code == 200 and pool.asked == before + 1, (query.name, nonce)
            assert serving.answer_rows(r.content, query.accept) == serving.answer_rows(plain.content, query.accept)
            if query.accept == workload.SELECT_JSON and "results" in plain.json():
                suffix = "_" + workload.base36(nonce)
                assert r.json()["head"]["vars"] == [v + suffix for v in plain.json()["head"]["vars"]]


def test_a_tiny_run_measures_both_servers_alike(tmp_path, project):
    options = serving.Options(root=project.root, rounds=2, blocks=1, seconds=0.3, clients=2,
                              workdir=tmp_path, only=("retractions", "ask-state", "construct-people", "labels-50"))
    results = serving.measure_serving(options, say=lambda line: None)
    assert not results.notes  # the two servers gave the same number of rows for every query
    for mode in ("repeated", "distinct"):
        assert set(results.queries[mode]) == set(options.only)
        for name, entry in results.queries[mode].items():
            assert entry["ours_n"] == entry["oxigraph_n"] == 2, (mode, name)
            assert entry["ratio"] > 0
    for key in ("repeated/1", "repeated/2", "distinct/1", "distinct/2"):
        figures = results.throughput[key]
        assert figures["ours_qps"] > 0 and figures["oxigraph_qps"] > 0
        assert figures["ours_errors"] == figures["oxigraph_errors"] == 0
    assert set(results.breakdown) == {"ask-state", "labels-50"}
    assert all(len(stages) == len(serving.STAGES) for stages in results.breakdown.values())
    text = serving.report(results)
    assert "| query | rows | ours p50 | Oxigraph p50 | ratio | ours p99 | Oxigraph p99 |" in text
    assert "| sum of the stages |" in text and "| CPU per request, Oxigraph (all its processes) |" in text
    assert all(results.cpu[n]["ours"] > 0 and results.cpu[n]["oxigraph"] >= 0 for n in results.breakdown)  # in clock ticks
    verdicts = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(verdicts) == 3 and all(line.endswith(("met", "missed")) for line in verdicts), verdicts
    json.dumps(vars(results), default=str)
