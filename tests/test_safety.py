"""A hostile query neither fetches nor hangs the server.

Fetching: a local TCP listener stands in for a remote host; SERVICE, LOAD, FROM, FROM NAMED and the
protocol's graph parameters pointing at it must get a clear error while it sees no connection at all.
A control test shows that pyoxigraph, asked directly, does connect: the listener would notice.

Hanging: a cartesian product with a 1 s limit is stopped (its worker process killed) and answered with
503 within about 2 s, while a simple query sent meanwhile is answered at once.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from conftest import LiveServer

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Listener:
    """Accepts TCP connections on a free loopback port and records them."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, address = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections.append(address)
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture()
def listener():
    listening = Listener()
    yield listening
    listening.close()


def test_control_pyoxigraph_alone_does_fetch(listener):
    """Without our checks pyoxigraph runs SERVICE over HTTP: the listener sees that connection."""
    def run():
        try:
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
        except Exception:  # noqa: BLE001 - the listener hangs up; only the attempt matters
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert listener.connections, "pyoxigraph did not try to connect: this listener would prove nothing"


def hostile_requests(url: str) -> list[tuple[str, dict]]:
    x = url + "x"
    return [
        ("SERVICE", {"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}),
        ("service, lower case, SILENT", {"query": f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}"}),
        ("SERVICE with no spaces", {"query": f"SELECT*{{?x ?y ?z.SERVICE<{url}>{{?s ?p ?o}}}}"}),
        ("SERVICE in a subquery", {"query": f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}"}),
        ("SERVICE with a variable", {"query": f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"}),
        ("SERVICE spelt with a codepoint escape", {"query": f"SELECT * {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"}),
        ("LOAD", {"query": f"LOAD <{x}>"}),
        ("LOAD as an update", {"update": f"LOAD <{x}>"}),
        ("FROM", {"query": f"SELECT * FROM <{x}> WHERE {{ ?s ?p ?o }}"}),
        ("FROM NAMED", {"query": f"SELECT * FROM NAMED <{x}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        ("FROM with a prefixed name", {"query": f"PREFIX r: <{url}> SELECT * FROM r:x WHERE {{ ?s ?p ?o }}"}),
        ("FROM relative to BASE", {"query": f"BASE <{url}> SELECT * FROM <x> WHERE {{ ?s ?p ?o }}"}),
        ("default-graph-uri", {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": x}),
        ("named-graph-uri", {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": x}),
    ]


@pytest.mark.parametrize("index", range(len(hostile_requests("http://h/"))),
                         ids=[name for name, _ in hostile_requests("http://h/")])
def test_hostile_request_is_refused_without_a_connection(live_server, listener, index):
    name, params = hostile_requests(listener.url)[index]
    for send in (lambda: requests.get(live_server.url + "/sparql", params=params, timeout=30),
                 lambda: requests.post(live_server.url + "/sparql", data=params, timeout=30)):
        response = send()
        assert response.status_code in (400, 403), f"{name}: {response.status_code} {response.text}"
        assert len(response.text.strip().splitlines()) == 1
        assert any(word in response.text for word in ("SERVICE", "read-only", "not a graph of this store",
                                                      "only allowed inside a string"))
    time.sleep(0.3)
    assert listener.connections == [], f"{name}: the endpoint connected to the listener"


def test_service_in_strings_comments_and_names_is_not_refused(live_server):
    query = ('PREFIX svc: <urn:x:> SELECT ?service WHERE { # SERVICE <http://127.0.0.1:9/>\n'
             '  BIND("SERVICE <http://127.0.0.1:9/>" AS ?service) FILTER(?service != svc:SERVICE)\n'
             '  FILTER(?service != tsk:IntelligenceService) }')
    response = requests.get(live_server.url + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["service"]["value"].startswith("SERVICE")


def test_rdflib_engine_refuses_too(app, listener):
    """rdflib loads FROM graphs over HTTP by default; the measurement engine is guarded the same way."""
    from server.store import QueryError, rdflib_engine

    engine = rdflib_engine(app.extensions["tskg.build"])
    for query in (f"SELECT * FROM <{listener.url}x> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"):
        with pytest.raises(QueryError) as err:
            engine.run(query, "application/sparql-results+json")
        assert err.value.status == 403
    time.sleep(0.3)
    assert listener.connections == []


# --- timeouts -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_worker_server(app):
    """The same build with exactly two query workers, whatever the CPU count."""
    from server.web import create_app

    pooled = create_app({"TESTING": True, "QUERY_WORKERS": 2, "TSKG_BUILD": app.extensions["tskg.build"]})
    server = LiveServer(pooled).start()
    yield server
    server.stop()
    pooled.extensions["tskg.engine"].close()


def test_timeout_stops_the_query_while_others_are_served(two_worker_server):
    live_server = two_worker_server
    engine = live_server.app.extensions["tskg.engine"]
    assert engine.size == 2
    pids_before = engine.pool.pids
    outcome = {}

    def slow():
        started = time.monotonic()
        r = requests.get(live_server.url + "/sparql", params={"query": SLOW, "timeout": "1"}, timeout=30)
        outcome["slow"] = (r.status_code, r.text, time.monotonic() - started)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)  # the slow query is running in one worker now
    started = time.monotonic()
    quick = requests.get(live_server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    quick_seconds = time.monotonic() - started
    thread.join(30)

    status, text, seconds = outcome["slow"]
    assert status == 503 and "time limit" in text
    assert seconds < 2.5, f"the timeout answered after {seconds:.2f} s"
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert quick_seconds < 0.7, f"a simple query waited {quick_seconds:.2f} s behind the slow one"

    # the worker that ran the slow query is gone (no CPU left burning), and the pool is whole again
    deadline = time.monotonic() + 10
    while len(engine.pool.pids) < engine.size and time.monotonic() < deadline:
        time.sleep(0.05)
    pids_after = engine.pool.pids
    killed = pids_before - pids_after
    assert len(killed) == 1 and len(pids_after) == engine.size
    for pid in killed:
        assert not os.path.exists(f"/proc/{pid}"), "the stopped worker is still there"
    for _ in range(3):
        assert requests.get(live_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


@pytest.fixture(scope="module")
def one_second_server(app):
    """The same build with a configured limit of 1 s and a single query worker."""
    from server.web import create_app

    limited = create_app({"TESTING": True, "QUERY_TIMEOUT": 1, "QUERY_WORKERS": 1,
                          "TSKG_BUILD": app.extensions["tskg.build"]})
    server = LiveServer(limited).start()
    yield server
    server.stop()
    limited.extensions["tskg.engine"].close()


def test_configured_timeout_applies_and_cannot_be_raised(one_second_server):
    started = time.monotonic()
    r = requests.get(one_second_server.url + "/sparql", params={"query": SLOW, "timeout": "60"}, timeout=30)
    assert r.status_code == 503 and "1 s time limit" in r.text
    assert time.monotonic() - started < 2.5


def test_busy_pool_answers_503_instead_of_queueing_forever(one_second_server):
    results = []

    def slow():
        r = requests.get(one_second_server.url + "/sparql", params={"query": SLOW}, timeout=30)
        results.append((r.status_code, r.text))

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join(30)
    assert sorted(status for status, _ in results) == [503, 503]
    assert any("busy" in text for _, text in results) or all("time limit" in text for _, text in results)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the replacement worker comes up and serves again
        r = requests.get(one_second_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        if r.status_code == 200:
            break
        time.sleep(0.2)
    assert r.status_code == 200
