"""`tskg serve` as a user runs it: gunicorn in a subprocess on a free port, queried over HTTP; one-line
errors for a taken port and bad data; no query process left behind after it stops."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import ONTOLOGY_HEADER, REPO_ROOT
from server.namespaces import GRAPH_ASSERTED

TSKG = Path(sys.executable).parent / "tskg"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


class Serve:
    """`tskg serve` in a subprocess; its stdout lines are collected by a thread."""

    def __init__(self, *args: str, root: Path = REPO_ROOT):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(TSKG), "--root", str(root), "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_ready(self, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise AssertionError(f"tskg serve exited {self.process.returncode}: {self.process.stderr.read()}")
                continue
            if line.startswith("tskg serve:"):
                return line
        raise AssertionError("tskg serve did not say it was ready")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture(scope="module")
def served(app):
    """The real project under gunicorn (the `app` fixture has built it, so the build is cached)."""
    server = Serve("--workers", "2", "--query-workers", "1", "--timeout", "5")
    ready = server.wait_ready(600)
    yield server, ready
    if server.process.poll() is None:
        server.stop()


def test_serve_prints_the_url_and_answers(served, app):
    server, ready = served
    url = f"http://127.0.0.1:{server.port}/"
    assert url in ready and f"{url}sparql" in ready
    sw = SPARQLWrapper(url + "sparql")
    sw.setQuery(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s ?p ?o }} }}")
    sw.setReturnFormat(JSON)
    n = int(sw.query().convert()["results"]["bindings"][0]["n"]["value"])
    assert n == app.extensions["tskg.engine"].stats()[GRAPH_ASSERTED]["triples"] > 0


def test_serve_timeout_option_applies(served):
    server, _ = served
    started = time.monotonic()
    r = requests.get(f"http://127.0.0.1:{server.port}/sparql", timeout=60, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "timeout": "30"})
    assert r.status_code == 503 and "5 s time limit" in r.text
    assert time.monotonic() - started < 8


def test_serve_refuses_a_taken_port_in_one_line(served):
    server, _ = served
    result = subprocess.run([str(TSKG), "serve", "--port", str(server.port)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"port {server.port}" in result.stderr and "already in use" in result.stderr


def test_serve_stops_cleanly_leaving_no_query_process(served):
    server, _ = served
    family = descendants(server.process.pid)
    workers = [p for p in family if "_worker_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
    assert len(workers) == 2, "two gunicorn workers with one query process each"
    assert server.stop() == 0
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{p}").exists() for p in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in family if Path(f"/proc/{p}").exists()], "processes left behind"


TINY_ONTOLOGY = ONTOLOGY_HEADER + """@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
tsk:State a owl:Class ; rdfs:label "State"@en ; rdfs:comment "A state."@en .
"""
TINY_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix tsk: <https://w3id.org/tskg/ontology#> .
tsk:StateShape a sh:NodeShape ; sh:targetClass tsk:State ;
  sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ; sh:minCount 1 ] .
"""


def tiny_project(root: Path, data: str) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    (root / "ontology" / "tsk.ttl").write_text(TINY_ONTOLOGY)
    (root / "ontology" / "shapes.ttl").write_text(TINY_SHAPES)
    (root / "graph" / "data.ttl").write_text(data)
    return root


def test_serve_nonconforming_data_prints_the_summary_and_exits_1(tmp_path):
    root = tiny_project(tmp_path, "<https://w3id.org/tskg/id/atlantis> a <https://w3id.org/tskg/ontology#State> .\n")
    result = subprocess.run([str(TSKG), "--root", str(root), "serve", "--port", str(free_port())],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "does not conform" in result.stderr and "atlantis" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_turtle_error_is_one_line_exit_2(tmp_path):
    root = tiny_project(tmp_path, "<https://w3id.org/tskg/id/x> a \n")
    result = subprocess.run([str(TSKG), "--root", str(root), "serve", "--port", str(free_port())],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "data.ttl" in result.stderr


def test_serve_small_project_end_to_end(tmp_path):
    """A project of our own: served, then its one labelled state is found, with its inferred type."""
    root = tiny_project(tmp_path, '<https://w3id.org/tskg/id/serbia> a <https://w3id.org/tskg/ontology#State> ;\n'
                                  '  <http://www.w3.org/2000/01/rdf-schema#label> "Serbia"@en .\n')
    server = Serve("--workers", "1", "--query-workers", "1", root=root)
    try:
        server.wait_ready(300)
        r = requests.get(f"http://127.0.0.1:{server.port}/sparql", timeout=30, params={
            "query": "SELECT ?l WHERE { ?s a <https://w3id.org/tskg/ontology#State> ; "
                     "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"})
        assert r.status_code == 200
        assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == ["Serbia"]
        inferred = requests.get(f"http://127.0.0.1:{server.port}/sparql", timeout=30, params={
            "query": "ASK { GRAPH <https://w3id.org/tskg/graph/inferred> "
                     "{ <https://w3id.org/tskg/id/serbia> a <http://www.w3.org/2002/07/owl#Thing> } }"})
        assert inferred.json()["boolean"] is True
    finally:
        assert server.stop() == 0
