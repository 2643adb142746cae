"""A hostile request neither reaches another host, nor crashes, hangs or misleads the endpoint.

Reaching out: a local listener stands in for another host; every disguise of SERVICE, LOAD, FROM and the
protocol's graph parameters pointing at it gets a one-line 400 or 403, over GET, form POST and direct
POST, from the embedded store and in front of Oxigraph server, while the listener sees no connection.
Two controls show the listener would notice: pyoxigraph alone connects, and a query process asked to
run SERVICE directly (past the check) cannot (its network sandbox).

Crashing: nesting and chains up to the 100,000-character limit never kill a query process; one that
dies under a query (killed here) is answered 503 with Retry-After. Hanging: a cartesian product with a
1 s limit is stopped and answered 503 while a simple query sent meanwhile is answered at once.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from helpers import Listener, serve_app
from server.store import MAX_NESTING

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


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


def test_a_query_process_has_no_network_even_past_the_check(app, listener):
    """Defence in depth: a request sent straight to a query process (no check) runs SERVICE, and the
    sandbox leaves it no network: the query fails, the listener sees nothing."""
    engine = app.extensions["tskg.engine"]
    request = ("query", f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
               "application/sparql-results+json", 10, ("union",), None, {})
    with pytest.raises(Exception) as failed:
        engine.pool.ask(request, 10)
    assert "ermission denied" in str(failed.value)
    assert listener.quiet_for() == []


def hostile_requests(url: str) -> list[tuple[str, dict]]:
    x = url + "x"
    return [
        ("SERVICE", {"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"}),
        ("service, lower case, SILENT", {"query": f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}"}),
        ("SERVICE with no spaces", {"query": f"SELECT*{{?x ?y ?z.SERVICE<{url}>{{?s ?p ?o}}}}"}),
        ("SERVICE in a subquery", {"query": f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}"}),
        ("SERVICE in EXISTS", {"query": f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}"}),
        ("SERVICE with a variable", {"query": f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"}),
        ("SERVICE spelt with a codepoint escape", {"query": f"SELECT * {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"}),
        ("SERVICE after a string holding \\u0022",
         {"query": f'SELECT * WHERE {{ BIND("\\u0022" AS ?q) SERVICE <{url}x> {{ ?s ?p ?o }} BIND("x" AS ?y) }}'}),
        ("SERVICE after a string holding \\u0027",
         {"query": f"SELECT * WHERE {{ BIND('\\u0027' AS ?q) SERVICE <{url}x> {{ ?s ?p ?o }} BIND('x' AS ?y) }}"}),
        ("SILENT SERVICE after \\U00000022 in an ASK",
         {"query": f'ASK {{ BIND("\\U00000022" AS ?q) SERVICE SILENT <{url}x> {{ ?s ?p ?o }} BIND("x" AS ?y) }}'}),
        ("SERVICE on the empty prefix", {"query": f"PREFIX : <{url}> SELECT * {{ SERVICE:x {{ ?s ?p ?o }} }}"}),
        ("SERVICE glued to true", {"query": f"SELECT * {{ ?s ?p trueSERVICE<{url}>{{ }} }}"}),
        ("SERVICE after a two-dot name", {"query": f"PREFIX e: <http://e/> SELECT * {{ ?s ?p e:a.b.SERVICE<{url}>{{}} }}"}),
        ("SERVICE in mixed case", {"query": f"SELECT * {{ sErViCe <{url}> {{ ?s ?p ?o }} }}"}),
        ("LOAD", {"query": f"LOAD <{x}>"}),
        ("LOAD as an update", {"update": f"LOAD <{x}>"}),
        ("FROM", {"query": f"SELECT * FROM <{x}> WHERE {{ ?s ?p ?o }}"}),
        ("FROM NAMED", {"query": f"SELECT * FROM NAMED <{x}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        ("FROM with a prefixed name", {"query": f"PREFIX r: <{url}> SELECT * FROM r:x WHERE {{ ?s ?p ?o }}"}),
        ("FROM glued to a prefixed name", {"query": f"PREFIX r: <{url}> SELECT * FROMr:x WHERE {{ ?s ?p ?o }}"}),
        ("FROM relative to BASE", {"query": f"BASE <{url}> SELECT * FROM <x> WHERE {{ ?s ?p ?o }}"}),
        ("default-graph-uri", {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": x}),
        ("named-graph-uri", {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": x}),
    ]


NAMES = [name for name, _ in hostile_requests("http://h/")]


def send_three_ways(base: str, params: dict) -> list[requests.Response]:
    sparql = base + "/sparql"
    sent = [requests.get(sparql, params=params, timeout=30), requests.post(sparql, data=params, timeout=30)]
    if "query" in params:
        rest = {k: v for k, v in params.items() if k != "query"}
        sent.append(requests.post(sparql, params=rest, data=params["query"].encode(), timeout=30,
                                  headers={"Content-Type": "application/sparql-query"}))
    return sent


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_hostile_request_is_refused_without_a_connection(live_server, listener, index):
    name, params = hostile_requests(listener.url)[index]
    for response in send_three_ways(live_server.url, params):
        assert response.status_code in (400, 403), f"{name}: {response.status_code} {response.text}"
        assert len(response.text.strip().splitlines()) == 1
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert listener.quiet_for() == [], f"{name}: the endpoint connected to the listener"


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_hostile_request_is_refused_in_front_of_oxigraph(remote_live_server, listener, index):
    """Fronting Oxigraph server: nothing reaches the listener, from us or from the store behind us."""
    name, params = hostile_requests(listener.url)[index]
    for response in send_three_ways(remote_live_server.url, params):
        assert response.status_code in (400, 403), f"{name}: {response.status_code} {response.text}"
    assert listener.quiet_for() == [], f"{name}: a connection reached the listener"


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
    assert listener.quiet_for() == []


# --- inputs that used to kill a query process ------------------------------------------------------------

LIMIT = 100_000  # characters of query text, as documented in the README


def deep_and_long_queries() -> list[tuple[str, str]]:
    """(name, query) for nesting past the limit and chains up to the length limit: each used to kill the
    query process (5,000 '{', 10,000 '+1', 5,000 MINUS, ...)."""
    def fill(head: str, unit: str, tail: str) -> str:
        return head + unit * ((LIMIT - len(head) - len(tail)) // len(unit)) + tail

    return [
        ("nested braces", "SELECT * WHERE " + "{" * 30_000 + "}" * 30_000),
        ("nested parentheses", "SELECT * WHERE { FILTER(" + "(" * 30_000 + "1" + ")" * 30_000 + ") }"),
        ("a run of !", "SELECT * WHERE { FILTER(" + "!" * 50_000 + "true) }"),
        ("nested EXISTS", "SELECT * WHERE { " + "FILTER EXISTS {" * 4000 + "}" * 4000 + " }"),
        ("nested COALESCE", "SELECT * WHERE { BIND(" + "COALESCE(" * 5000 + "1" + ")" * 5000 + " AS ?x) }"),
        ("a chain of +", fill("SELECT * WHERE { FILTER(1", "+1", " > 0) }")),
        ("a chain of ||", fill("SELECT * WHERE { FILTER(true", "||true", ") }")),
        ("a chain of UNION", fill("SELECT * WHERE { {}", "UNION{}", " }")),
        ("a chain of MINUS", fill("SELECT * WHERE { ?s ?p ?o ", "MINUS{?s ?p ?o}", " }")),
        ("a chain of OPTIONAL", fill("SELECT * WHERE { ", "OPTIONAL{}", " }")),
        ("a chain of BIND", "SELECT * WHERE { " + "".join(f"BIND(1 AS ?v{i})" for i in range(5000)) + " }"),
        ("a chain of subqueries", "SELECT * WHERE " + "{SELECT * WHERE " * 99 + "{}" + "}" * 99),
    ]


QUERY_NAMES = [name for name, _ in deep_and_long_queries()]


@pytest.fixture(scope="module")
def one_process_server(app):
    """The same build with exactly one query process, so that any death shows as a new pid."""
    server = serve_app(QUERY_WORKERS=1, QUERY_TIMEOUT=5, TSKG_BUILD=app.extensions["tskg.build"])
    yield server
    server.stop()
    server.app.extensions["tskg.engine"].close()


def whole_pool(engine) -> set[int]:
    """The pids of the query processes once every one is up (a replacement may still be starting)."""
    deadline = time.monotonic() + 30
    while len(engine.pool.pids) < engine.size and time.monotonic() < deadline:
        time.sleep(0.05)
    return engine.pool.pids


@pytest.mark.parametrize("index", range(len(QUERY_NAMES)), ids=QUERY_NAMES)
def test_no_query_kills_the_query_process(one_process_server, index):
    name, query = deep_and_long_queries()[index]
    assert len(query) <= LIMIT
    engine = one_process_server.app.extensions["tskg.engine"]
    before = whole_pool(engine)
    response = requests.post(one_process_server.url + "/sparql", data={"query": query}, timeout=60)
    assert response.status_code in (200, 400, 503), f"{name}: {response.status_code} {response.text[:200]}"
    if response.status_code == 400:
        assert f"deeper than {MAX_NESTING} levels" in response.text
    if response.status_code == 503:
        assert "time limit" in response.text, f"{name}: {response.text}"  # stopped, not crashed
    else:
        assert engine.pool.pids == before, f"{name}: the query process died"


def test_a_query_process_that_dies_is_answered_503_with_retry_after(one_process_server):
    engine = one_process_server.app.extensions["tskg.engine"]
    victim = next(iter(whole_pool(engine)))
    outcome = {}

    def slow():
        outcome["r"] = requests.get(one_process_server.url + "/sparql", params={"query": SLOW}, timeout=30)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    os.kill(victim, signal.SIGKILL)  # as the kernel's OOM killer would
    thread.join(30)
    response = outcome["r"]
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert "stopped while running this query" in response.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ok = requests.get(one_process_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        if ok.status_code == 200:
            break
        time.sleep(0.2)
    assert ok.status_code == 200 and victim not in engine.pool.pids


# --- the protocol's edges ---------------------------------------------------------------------------------


def test_head_answers_like_get_without_a_body(live_server):
    for params in ({}, {"query": "ASK {}"}):
        head = requests.head(live_server.url + "/sparql", params=params, timeout=30)
        get = requests.get(live_server.url + "/sparql", params=params, timeout=30)
        assert head.status_code == get.status_code == 200
        assert head.headers["Content-Type"] == get.headers["Content-Type"] and head.content == b""


def test_update_in_the_url_of_any_post_is_refused(live_server):
    for headers, body in (({"Content-Type": "application/sparql-query"}, b"ASK {}"),
                          ({"Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK%20%7B%7D")):
        r = requests.post(live_server.url + "/sparql", params={"update": "INSERT DATA { <a> <b> <c> }"},
                          data=body, headers=headers, timeout=30)
        assert r.status_code == 403 and "read-only" in r.text


def test_the_host_header_does_not_reach_absolute_urls(live_server):
    """Absolute URLs come from the configured base (or the listening socket), never from Host."""
    evil = {"Host": "evil.example"}
    for path, accept in (("/sparql", "text/turtle"), ("/openapi.json", "application/json"),
                         ("/queries?format=json", "application/json")):
        r = requests.get(live_server.url + path, headers={**evil, "Accept": accept}, timeout=30)
        assert r.status_code == 200, path
        assert "evil.example" not in r.text, path
        assert f"127.0.0.1:{live_server.port}" in r.text, path


def test_error_bodies_are_not_sniffed(live_server):
    r = requests.get(live_server.url + "/sparql", params={"query": "<script>alert(1)</script>"}, timeout=30)
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# --- timeouts ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_process_server(app):
    """The same build with exactly two query processes, whatever the CPU count."""
    server = serve_app(QUERY_WORKERS=2, TSKG_BUILD=app.extensions["tskg.build"])
    yield server
    server.stop()
    server.app.extensions["tskg.engine"].close()


def test_timeout_stops_the_query_while_others_are_served(two_process_server):
    live_server = two_process_server
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
    time.sleep(0.3)  # the slow query is running in one process now
    quick = requests.get(live_server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    thread.join(30)

    status, text, seconds = outcome["slow"]
    assert status == 503 and "time limit" in text
    assert seconds < 5, f"the timeout answered after {seconds:.2f} s"
    assert quick.status_code == 200 and quick.json()["boolean"] is True

    # the process that ran the slow query is gone (no CPU left burning), and the pool is whole again
    deadline = time.monotonic() + 10
    while len(engine.pool.pids) < engine.size and time.monotonic() < deadline:
        time.sleep(0.05)
    pids_after = engine.pool.pids
    killed = pids_before - pids_after
    assert len(killed) == 1 and len(pids_after) == engine.size
    for pid in killed:
        assert not os.path.exists(f"/proc/{pid}"), "the stopped process is still there"
    for _ in range(3):
        assert requests.get(live_server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_configured_timeout_applies_and_cannot_be_raised(one_process_server):
    started = time.monotonic()
    r = requests.get(one_process_server.url + "/sparql", params={"query": SLOW, "timeout": "60"}, timeout=30)
    assert r.status_code == 503 and "5 s time limit" in r.text
    assert time.monotonic() - started < 10


def test_busy_pool_answers_503_instead_of_queueing_forever(app):
    server = serve_app(QUERY_WORKERS=1, QUERY_TIMEOUT=1, TSKG_BUILD=app.extensions["tskg.build"])
    results = []

    def slow():
        r = requests.get(server.url + "/sparql", params={"query": SLOW}, timeout=30)
        results.append((r.status_code, r.text, r.headers.get("Retry-After")))

    try:
        threads = [threading.Thread(target=slow) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.1)
        for t in threads:
            t.join(30)
        assert sorted(status for status, _, _ in results) == [503, 503]
        busy = [r for r in results if "busy" in r[1]]
        assert all(retry == "1" for _, _, retry in busy)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the replacement process comes up and serves again
            r = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
            if r.status_code == 200:
                break
            time.sleep(0.2)
        assert r.status_code == 200
    finally:
        server.stop()
        server.app.extensions["tskg.engine"].close()
