"""`tskg serve` as a user runs it: gunicorn in a subprocess on a free port, queried over HTTP.

What is checked, beyond answering: one-line errors for a taken port and bad data; slow and idle clients
cannot take what answers queries; one pool of query processes serves every request; a reload and a stop
after a cold start are clean (no worker dies by a signal); a worker that cannot start ends the server
instead of being restarted forever; Ctrl-C and SIGTERM stop everything quietly and leave nothing behind.
"""

from __future__ import annotations

import resource
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import ONTOLOGY_HEADER
from helpers import Serve, alive, descendants, free_port, tskg
from server.namespaces import GRAPH_ASSERTED

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def served(app):
    """The real project under gunicorn (the `app` fixture has built it, so the build is cached)."""
    server = Serve("--query-workers", "3", "--timeout", "5")
    ready = server.wait_ready(600)
    yield server, ready
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
    r = server.get("/sparql", params={"query": SLOW, "timeout": "30"}, timeout=60)
    assert r.status_code == 503 and "5 s time limit" in r.text
    assert time.monotonic() - started < 15


def test_serve_refuses_a_taken_port_in_one_line(served):
    server, _ = served
    result = tskg("serve", "--port", str(server.port), timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"port {server.port}" in result.stderr and "already in use" in result.stderr


def test_slow_and_idle_clients_do_not_starve_the_server(served):
    """64 connections that never finish their request head and 16 that never finish their body: simple
    queries are still answered at once, and the server closes all 80 (heads within 5 s, bodies 408)."""
    server, _ = served
    heads, bodies = [], []
    try:
        for _ in range(64):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            conn.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
            heads.append(conn)
        for _ in range(16):
            conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            conn.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Content-Length: 100\r\n\r\nASK")
            bodies.append(conn)
        for _ in range(6):
            started = time.monotonic()
            r = server.get("/sparql", params={"query": "ASK {}"}, timeout=10)
            assert r.status_code == 200 and time.monotonic() - started < 1.0
        deadline = time.monotonic() + 20
        answers = []
        for conn in heads + bodies:
            conn.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                answers.append(conn.recv(200))
            except socket.timeout:
                answers.append(None)
        assert None not in answers, f"{answers.count(None)} of 80 connections were never closed"
        assert all(a == b"" for a in answers[:64])
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers[64:])
    finally:
        for conn in heads + bodies:
            conn.close()


def test_one_pool_serves_every_request(served):
    """With 3 query processes, 2 of them busy on long queries: a simple query answers at once."""
    server, _ = served
    threads = [threading.Thread(target=lambda: server.get("/sparql", params={"query": SLOW}, timeout=60))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    for _ in range(3):
        started = time.monotonic()
        r = server.get("/sparql", params={"query": "ASK {}"}, timeout=10)
        assert r.status_code == 200 and time.monotonic() - started < 1.0
    for thread in threads:
        thread.join(60)


def test_raw_garbage_gets_an_answer_or_a_close(served):
    server, _ = served
    for raw in (b"\x00\xff\xfe garbage\r\n\r\n", b"GET /sparql?query=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            conn.sendall(raw)
            data = conn.recv(200)
        assert data == b"" or data.startswith(b"HTTP/1."), raw[:40]
        if data:
            status = int(data.split()[1])
            assert status < 500 or status == 503, (raw[:40], data)


def test_serve_stops_cleanly_leaving_no_query_process(app):
    server = Serve("--workers", "2", "--query-workers", "1")
    server.wait_ready(600)

    def query_processes():
        return [p for p in descendants(server.process.pid)
                if "process_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]

    deadline = time.monotonic() + 60  # "ready" is said by the first worker; the second may still start
    while len(query_processes()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(query_processes()) == 2, "two web workers with one query process each"
    family = descendants(server.process.pid)
    assert server.stop() == 0
    deadline = time.monotonic() + 10
    while alive(family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(family), "processes left behind"


def crashes(lines: list[str]) -> list[str]:
    return [line for line in lines if "SIGSEGV" in line or "SIGABRT" in line or "was sent SIG" in line
            or "Traceback" in line or "Segmentation" in line]


def test_reload_and_stop_after_a_cold_start_are_clean(tmp_path):
    """A cold start builds (in a child process) and serves; a reload replaces the worker, which answers;
    SIGTERM ends it all. No worker dies by a signal, no traceback."""
    root = tiny_project(tmp_path, GOOD_DATA)
    server = Serve("--query-workers", "1", root=root, env={"TSKG_CACHE": str(tmp_path / "cache")})
    server.wait_ready(300)
    assert "cached build" not in "".join(server.stdout)
    first_worker = descendants(server.process.pid)
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while alive(first_worker) and time.monotonic() < deadline:  # the new worker is up, the old one gone
        time.sleep(0.2)
    assert not alive(first_worker)
    r = server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert server.stop() == 0
    assert crashes(server.stderr) == [], "".join(server.stderr)[-2000:]
    assert sum("Booting worker" in line for line in server.stderr) == 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_stop_is_quiet_and_leaves_nothing(sig, app):
    server = Serve("--query-workers", "2")
    server.wait_ready(600)
    family = descendants(server.process.pid)
    started = time.monotonic()
    if sig == signal.SIGINT:
        import os

        os.killpg(server.process.pid, sig)  # a terminal's Ctrl-C reaches the whole process group
    code = server.stop(sig)
    seconds = time.monotonic() - started
    assert code == 0
    assert seconds < 5, f"took {seconds:.1f} s to stop"
    time.sleep(0.3)
    assert not alive(family)
    assert crashes(server.stderr) == [] and "KeyboardInterrupt" not in "".join(server.stderr)


def test_a_worker_that_cannot_start_ends_the_server(tmp_path):
    """Under an address-space limit the query processes cannot reserve their 256 MiB stack, so the web
    worker cannot start: the server says so and exits 3, instead of booting workers again and again."""
    root = tiny_project(tmp_path, GOOD_DATA)
    assert tskg("export", "--format", "nt", root=root, env={"TSKG_CACHE": str(tmp_path / "cache")}).returncode == 0

    def little_memory():
        resource.setrlimit(resource.RLIMIT_AS, (550 << 20, 550 << 20))

    server = Serve("--query-workers", "1", root=root, env={"TSKG_CACHE": str(tmp_path / "cache")},
                   preexec_fn=little_memory)
    try:
        code = server.process.wait(120)
    finally:
        server.stop()
    time.sleep(0.3)
    err = "".join(server.stderr)
    assert code == 3, err[-2000:]
    assert sum("Booting worker" in line for line in server.stderr) == 1, err[-2000:]
    assert "256 MiB stack" in err and err.count("tskg serve: error: the web worker could not start") == 1


def test_a_store_that_cannot_open_here_is_reported_and_kept(tmp_path):
    """Too few file descriptors to open RocksDB: one clear line, exit 3, and the cache entry (whose files
    are whole) is left where it is, not moved aside as damaged."""
    root = tiny_project(tmp_path, GOOD_DATA)
    cache = tmp_path / "cache"
    assert tskg("export", "--format", "nt", root=root, env={"TSKG_CACHE": str(cache)}).returncode == 0
    entries = sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))

    def few_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))

    server = Serve("--query-workers", "1", root=root, env={"TSKG_CACHE": str(cache)}, preexec_fn=few_files)
    code = server.process.wait(120)
    server.stop()
    time.sleep(0.3)
    err = "".join(server.stderr)
    assert code == 3 and "does not open" in err and "ulimit -n" in err and "Traceback" not in err, err
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == entries
    assert not (cache / ".damaged").exists()


# --- bad data ---------------------------------------------------------------------------------------------

TINY_ONTOLOGY = ONTOLOGY_HEADER + """@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
tsk:State a owl:Class ; rdfs:label "State"@en ; rdfs:comment "A state."@en .
"""
TINY_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix tsk: <https://w3id.org/tskg/ontology#> .
tsk:StateShape a sh:NodeShape ; sh:targetClass tsk:State ;
  sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ; sh:minCount 1 ] .
"""
GOOD_DATA = ('<https://w3id.org/tskg/id/serbia> a <https://w3id.org/tskg/ontology#State> ;\n'
             '  <http://www.w3.org/2000/01/rdf-schema#label> "Serbia"@en .\n')


def tiny_project(root: Path, data: str) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "graph").mkdir()
    (root / "ontology" / "tsk.ttl").write_text(TINY_ONTOLOGY)
    (root / "ontology" / "shapes.ttl").write_text(TINY_SHAPES)
    (root / "graph" / "data.ttl").write_text(data)
    return root


def test_serve_nonconforming_data_prints_the_summary_and_exits_1(tmp_path):
    root = tiny_project(tmp_path, "<https://w3id.org/tskg/id/atlantis> a <https://w3id.org/tskg/ontology#State> .\n")
    result = tskg("serve", "--port", str(free_port()), root=root, timeout=300)
    assert result.returncode == 1
    assert "does not conform" in result.stderr and "atlantis" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_turtle_error_is_one_line_exit_2(tmp_path):
    root = tiny_project(tmp_path, "<https://w3id.org/tskg/id/x> a \n")
    result = tskg("serve", "--port", str(free_port()), root=root, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "data.ttl" in result.stderr


def test_serve_small_project_end_to_end(tmp_path):
    """A project of our own: served, then its one labelled state is found, with its inferred type."""
    root = tiny_project(tmp_path, GOOD_DATA)
    server = Serve("--workers", "1", "--query-workers", "1", root=root)
    try:
        server.wait_ready(300)
        r = server.get("/sparql", params={
            "query": "SELECT ?l WHERE { ?s a <https://w3id.org/tskg/ontology#State> ; "
                     "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"})
        assert r.status_code == 200
        assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == ["Serbia"]
        inferred = server.get("/sparql", params={
            "query": "ASK { GRAPH <https://w3id.org/tskg/graph/inferred> "
                     "{ <https://w3id.org/tskg/id/serbia> a <http://www.w3.org/2002/07/owl#Thing> } }"})
        assert inferred.json()["boolean"] is True
    finally:
        assert server.stop() == 0


def test_base_url_names_the_public_address(tmp_path):
    root = tiny_project(tmp_path, GOOD_DATA)
    server = Serve("--query-workers", "1", "--base-url", "https://tskg.example.org/", root=root)
    try:
        server.wait_ready(300)
        description = server.get("/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"}).text
        assert "<https://tskg.example.org/sparql>" in description and "evil.example" not in description
        assert server.get("/openapi.json").json()["servers"] == [{"url": "https://tskg.example.org"}]
    finally:
        server.stop()
    bad = tskg("serve", "--port", str(free_port()), "--base-url", "ftp://x", root=root, timeout=60)
    assert bad.returncode == 2 and "--base-url" in bad.stderr


def test_a_long_query_by_get_is_answered(served):
    """gunicorn's default request line (4,094 bytes) refused GET queries of a few KB; the bounded maximum
    is taken, 8,190 bytes."""
    server, _ = served
    query = "ASK { " + " ".join(f"OPTIONAL {{ ?s{i} a tsk:State }}" for i in range(150)) + " }"
    assert 4_200 < len(requests.Request("GET", server.url + "/sparql", params={"query": query}).prepare().url) < 8_000
    r = server.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text[:200]
