"""A tiny run of the benchmark (server/benchmark.py), so that it cannot rot: real servers on loopback
(`tskg serve` and Oxigraph server), the saved queries over HTTP, the tables and the target verdicts.
The real runs are `tskg bench --sizes 10k,100k,1M` (see notes in the README's performance section)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from server.scale.benchmark import OXIGRAPH, Options, one_label_edited, run


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def tiny(bench_dir, project):
    if not OXIGRAPH.exists():
        pytest.skip(f"{OXIGRAPH} not installed (pip install oxigraph)")
    if not project.shapes_files or not project.queries_dir.is_dir():
        pytest.skip("the shapes or the saved queries are not written yet")
    options = Options(
        sizes=[1500], repeat=1, clients=2, workdir=bench_dir, reference_max=0,
        query_budget=0.2, min_reps=2, max_reps=2, load_budget=3.0, rounds=1, source=project,
    )
    results, report = run(options, say=lambda line: None)
    return results[0], report


def test_both_servers_answered_every_saved_query_alike(tiny, project):
    """The answers through /queries/NAME and Oxigraph's to the same bound text were compared
    (tests/test_benchmark_answers.py checks that a difference is caught), and every distinct request
    was answered."""
    measures, report = tiny
    assert len(measures.queries) == len(list(project.queries_dir.glob("*.rq")))
    for name, entry in measures.queries.items():
        assert entry["ours_errors"] == 0 and entry["oxigraph_errors"] == 0, name
        assert entry["rows"] is not None, name
    assert measures.failures == [] and "FAILED" not in report
    assert not measures.notes


def test_every_figure_was_measured(tiny):
    measures, _ = tiny
    for metric in ["cold", "cold_peak_rss", "cold_derive", "memory_ratio", "warm", "rebuild_one_file", "shacl_fast",
                   "reason_rules", "ours_pss", "oxigraph_pss", "ours_p50", "oxigraph_p50", "latency_ratio", "ours_qps",
                   "oxigraph_qps", "throughput_ratio", "oxigraph_load"]:
        value = measures.median(metric)
        assert value is not None and value > 0, metric
    assert measures.median("ours_errors") == 0 and measures.median("oxigraph_errors") == 0


def test_the_one_file_change_was_built_and_put_back(tiny, bench_dir):
    """The edited data was built (a second build in the cache, besides the cold one) and the generated
    file is as it was afterwards (so the next run reuses the data unchanged)."""
    workdir = bench_dir
    builds = list((workdir / "cache-1500-seed1").glob("*/build.json"))
    assert len(builds) == 2, builds
    assert not any(b"(edited) " in path.read_bytes() for path in (workdir / "data-1500-seed1" / "graph").rglob("*.ttl"))


def test_an_edited_file_is_put_back_however_the_block_ends(tmp_path):
    graph = tmp_path / "graph"
    graph.mkdir()
    (graph / "a.ttl").write_text('x:a rdfs:label "A" .\n')
    (graph / "b.ttl").write_text('x:b rdfs:label "B" .\n')
    with pytest.raises(KeyboardInterrupt):
        with one_label_edited(tmp_path) as path:
            assert path.name == "b.ttl" and path.read_text() == 'x:b rdfs:label "(edited) B" .\n'
            raise KeyboardInterrupt
    assert (graph / "b.ttl").read_text() == 'x:b rdfs:label "B" .\n'


def test_report_has_the_tables_and_the_verdicts(tiny):
    _, report = tiny
    assert report.startswith("Machine: ")
    assert "| measure | 1.5k |" in report
    assert "| latency p50 ratio ours/Oxigraph (geo. mean over queries) |" in report
    assert "| server memory ratio ours/Oxigraph (PSS) |" in report
    assert "| query (1.5k) | rows | ours p50 | Oxigraph p50 | ratio |" in report
    verdicts = report.split("Targets of issue 9 at scale:\n", 1)[1].splitlines()
    verdicts = [line for line in verdicts if line.startswith("- ")]
    # every saved query at 100k and 1M, cold build, one-file rebuild, memory ratio, build memory
    assert len(verdicts) == 6, verdicts
    assert all(line.endswith(("met", "×")) for line in verdicts), verdicts
    assert all("1.5k (the target is for " in line for line in verdicts), verdicts
    assert "| a change to one file: build and start, ours |" in report


@pytest.mark.parametrize("args, message", [
    (["--sizes", "ten"], "not a size"),
    (["--sizes", "1k", "--repeat", "0"], "at least 1"),
])
def test_bad_arguments_are_one_line_errors(args, message):
    done = subprocess.run([sys.executable, "-m", "server", "bench", *args], capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
