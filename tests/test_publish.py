"""`tskg publish` against a real Oxigraph server started by the tests, and against a tiny
local HTTP server that records what it is sent (credentials, methods, bodies, errors).

After publishing, the Oxigraph server must answer queries exactly as our own build's store
does (with the union of the graphs as default graph, as our endpoint has it), and a second
publish must leave the same state, not twice the triples.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from server.namespaces import GRAPHS
from test_export import ALL_GRAPHS, assert_isomorphic, real, tskg  # noqa: F401 (real is a fixture)

GENID = "https://w3id.org/tskg/.well-known/genid/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> Path | None:
    beside = Path(sys.executable).parent / "oxigraph"
    found = beside if beside.exists() else shutil.which("oxigraph")
    return Path(found) if found else None


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server on loopback, default graph = union of the named graphs."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph command is not installed (pip install oxigraph; it is in the [test] extra)")
    work = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = (work / "server.log").open("wb")
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(work / "data"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {(work / 'server.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("oxigraph serve did not listen within 60 s")
            time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def remote_select(base: str, query: str) -> list[dict]:
    response = requests.post(f"{base}/query", data=query.encode(), timeout=60,
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return response.json()["results"]["bindings"]


def local_select(store: ox.Store, query: str) -> list[dict]:
    results = store.query(query, use_default_graph_as_union=True)
    return json.loads(results.serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]


def unskolemized(term: dict) -> dict:
    """A Skolem IRI that publish made of one of our blank nodes, as that blank node again."""
    if term["type"] == "uri" and term["value"].startswith(GENID):
        return {"type": "bnode", "value": term["value"][len(GENID):]}
    return term


def rows(bindings: list[dict]) -> list[tuple]:
    """Solutions as sorted, comparable tuples (order of variables and solutions ignored)."""
    return sorted(tuple(sorted((var, tuple(sorted(unskolemized(term).items()))) for var, term in b.items()))
                  for b in bindings)


def publish(real, url: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return tskg(real.root, "publish", url, *args, env=real.env(**(env or {})))


QUERIES = {
    "triples per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "triples in the union": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "instances per class": "SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type",
    "labels": "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(isIRI(?s)) }",
    "people": """SELECT ?person ?name WHERE {
        ?person a <https://w3id.org/tskg/ontology#Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?name }""",
    # Joins across graphs: what was asserted about a node with what was inferred about it.
    "asserted-inferred joins": f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <{GRAPHS['asserted']}> {{ ?x ?p ?v }} GRAPH <{GRAPHS['inferred']}> {{ ?x ?q ?w }} }}""",
}

# The same join, for the nodes that are blank nodes in our store (Skolem IRIs over there).
BLANK_JOIN = f"""SELECT (COUNT(*) AS ?n) WHERE {{
    GRAPH <{GRAPHS['asserted']}> {{ ?x ?p ?v FILTER(isBlank(?x) || STRSTARTS(STR(?x), "{GENID}")) }}
    GRAPH <{GRAPHS['inferred']}> {{ ?x ?q ?w }} }}"""


def count(bindings: list[dict]) -> int:
    return int(bindings[0]["n"]["value"])


# --- against Oxigraph ---------------------------------------------------------------------------

def test_the_store_answers_like_our_own(real, oxigraph):
    done = publish(real, f"{oxigraph}/store")
    assert done.returncode == 0, done.stderr.decode()
    store = real.build.open_store()
    for name, query in QUERIES.items():
        ours, theirs = local_select(store, query), remote_select(oxigraph, query)
        assert ours, f"{name}: our store has no answer, the comparison would prove nothing"
        assert rows(theirs) == rows(ours), f"{name}: the store answers differently"
    assert count(local_select(store, QUERIES["asserted-inferred joins"])) > 0


def skolemized(quads, shared: set[str]) -> list[ox.Quad]:
    def term(t):
        return ox.NamedNode(GENID + t.value) if isinstance(t, ox.BlankNode) and t.value in shared else t
    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]


def shared_blank_labels(quads_by_graph: dict[str, list[ox.Quad]]) -> set[str]:
    labels = {g: {t.value for q in quads for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
              for g, quads in quads_by_graph.items()}
    graphs = list(labels)
    return {label for i, a in enumerate(graphs) for b in graphs[i + 1:] for label in labels[a] & labels[b]}


def test_each_graph_arrives_whole(real, oxigraph):
    """Fetched back with the Graph Store Protocol, each graph is our store's graph, with the
    blank nodes shared between graphs as Skolem IRIs and the others still blank nodes."""
    assert publish(real, f"{oxigraph}/store").returncode == 0
    store = real.build.open_store()
    ours = {g: list(store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in ALL_GRAPHS}
    shared = shared_blank_labels(ours)
    for graph in ALL_GRAPHS:
        response = requests.get(f"{oxigraph}/store", params={"graph": graph},
                                headers={"Accept": "application/n-triples"}, timeout=60)
        response.raise_for_status()
        theirs = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                  for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
        assert_isomorphic(theirs, skolemized(ours[graph], shared), f"graph {graph} in Oxigraph")


def test_publishing_again_replaces_and_never_duplicates(real, oxigraph):
    query = QUERIES["triples per graph"]
    assert publish(real, f"{oxigraph}/store").returncode == 0
    first = rows(remote_select(oxigraph, query))
    second_run = publish(real, f"{oxigraph}/store")
    assert second_run.returncode == 0, second_run.stderr.decode()
    assert rows(remote_select(oxigraph, query)) == first
    assert first == rows(local_select(real.build.open_store(), query))
    # Other graphs of the store are left alone.
    other = "http://example.org/someone-elses-graph"
    requests.put(f"{oxigraph}/store", params={"graph": other}, data=b"<http://example.org/s> <http://example.org/p> 1 .",
                 headers={"Content-Type": "text/turtle"}, timeout=30).raise_for_status()
    assert publish(real, f"{oxigraph}/store").returncode == 0
    assert count(remote_select(oxigraph, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{other}> {{ ?s ?p ?o }} }}")) == 1


def test_no_inferred_removes_the_inferred_graph(real, oxigraph):
    assert publish(real, f"{oxigraph}/store").returncode == 0
    done = publish(real, f"{oxigraph}/store", "--no-inferred")
    assert done.returncode == 0, done.stderr.decode()
    graphs = {b["g"]["value"] for b in remote_select(oxigraph, QUERIES["triples per graph"])}
    assert GRAPHS["inferred"] not in graphs and {GRAPHS["ontology"], GRAPHS["asserted"]} <= graphs
    assert "inferred: <https://w3id.org/tskg/graph/inferred> deleted" in done.stderr.decode()
    # Again: the graph is not there any more, which is fine.
    again = publish(real, f"{oxigraph}/store", "--no-inferred")
    assert again.returncode == 0 and "was not there" in again.stderr.decode()


def test_shared_blank_nodes_stay_joined_only_when_skolemized(real, oxigraph):
    store = real.build.open_store()
    ours = count(local_select(store, BLANK_JOIN))
    if ours == 0:
        pytest.skip("the data has no blank node that both the asserted and the inferred graph mention")
    assert publish(real, f"{oxigraph}/store").returncode == 0
    assert count(remote_select(oxigraph, BLANK_JOIN)) == ours
    # Sent as blank nodes, each PUT gets fresh ones: the joins are lost. This is why publish skolemizes.
    assert publish(real, f"{oxigraph}/store", "--keep-blank-nodes").returncode == 0
    assert count(remote_select(oxigraph, BLANK_JOIN)) == 0
    assert publish(real, f"{oxigraph}/store").returncode == 0


def test_the_stores_error_message_is_shown(real, oxigraph):
    """/query is not a Graph Store endpoint; Oxigraph says so, and publish passes that on."""
    url = f"{oxigraph}/query"
    answer = requests.put(url, params={"graph": GRAPHS["ontology"]}, data=b"", headers={"Content-Type": "text/turtle"}, timeout=30)
    assert answer.status_code >= 400 and answer.text.strip()
    done = publish(real, url)
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1, lines
    assert f"HTTP {answer.status_code}" in lines[0] and " ".join(answer.text.split()) in lines[0]


def test_connection_refused_is_one_line_and_exit_2(real):
    done = publish(real, f"http://127.0.0.1:{free_port()}/store")
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("tskg publish: error: ") and "connection refused" in lines[0], lines


@pytest.mark.parametrize("url", ["ftp://example.org/store", "localhost:7878/store", "http:///store"])
def test_a_url_that_is_not_http_is_refused_before_anything_is_sent(url):
    done = tskg(Path(__file__).resolve().parent.parent, "publish", url)
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "is not an http(s) URL" in lines[0], lines


# --- against a recording server ---------------------------------------------------------------

class Recorder(http.server.ThreadingHTTPServer):
    """Answers every request with `status` (and `message` as its body), keeping what it got."""

    def __init__(self, status: int = 204, message: str = ""):
        self.requests: list[dict] = []
        self.status, self.message = status, message
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.url = f"http://127.0.0.1:{self.server_port}/gsp"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        payload = self.server.message.encode()
        self.send_response(self.server.status)
        if self.server.status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_PUT = do_DELETE = do_POST = do_GET = _record

    def log_message(self, *args):
        pass


@pytest.fixture()
def recorder():
    server = Recorder()
    yield server
    server.shutdown()
    server.server_close()


def graph_param(request: dict) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    return query["graph"][0]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_puts_each_graph_with_basic_auth_and_turtle(real, recorder):
    done = publish(real, recorder.url, "--user", "alice", "--password", "s3cret:with colon")
    assert done.returncode == 0, done.stderr.decode()
    assert [(r["method"], graph_param(r)) for r in recorder.requests] == [("PUT", g) for g in ALL_GRAPHS]
    quads = {g: real.quads([g]) for g in ALL_GRAPHS}
    shared = shared_blank_labels(quads)
    for request in recorder.requests:
        headers = request["headers"]
        assert headers["Authorization"] == basic("alice", "s3cret:with colon")
        assert headers["Content-Type"] == "text/turtle"
        assert int(headers["Content-Length"]) == len(request["body"]) > 0
        assert urllib.parse.urlsplit(request["path"]).path == "/gsp"
        graph = graph_param(request)
        sent = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                for t in ox.parse(request["body"], format=ox.RdfFormat.TURTLE)]
        # What is sent is the build's data as parsed: datatypes such as xsd:nonNegativeInteger kept.
        assert_isomorphic(sent, skolemized(quads[graph], shared), f"the body sent for {graph}")


def test_credentials_from_the_environment(real, recorder):
    done = publish(real, recorder.url, env={"TSKG_PUBLISH_USER": "bob", "TSKG_PUBLISH_PASSWORD": "pw"})
    assert done.returncode == 0, done.stderr.decode()
    assert {r["headers"].get("Authorization") for r in recorder.requests} == {basic("bob", "pw")}


def test_credentials_in_the_url_are_sent_as_a_header_not_in_the_path(real, recorder):
    url = recorder.url.replace("http://", "http://carol:p%40ss@")
    assert publish(real, url).returncode == 0
    assert {r["headers"].get("Authorization") for r in recorder.requests} == {basic("carol", "p@ss")}
    assert all("carol" not in r["path"] for r in recorder.requests)


def test_no_credentials_no_authorization_header(real, recorder):
    assert publish(real, recorder.url).returncode == 0
    assert len(recorder.requests) == 4 and all("Authorization" not in r["headers"] for r in recorder.requests)


def test_no_inferred_sends_a_delete_for_the_inferred_graph(real, recorder):
    assert publish(real, recorder.url, "--no-inferred").returncode == 0
    assert [(r["method"], graph_param(r)) for r in recorder.requests] == [
        ("PUT", GRAPHS["ontology"]), ("PUT", GRAPHS["asserted"]), ("PUT", GRAPHS["derived"]), ("DELETE", GRAPHS["inferred"])]


def test_refused_credentials_show_the_servers_message(real):
    server = Recorder(status=401, message="wrong user or password for realm test")
    try:
        done = publish(real, server.url, "--user", "mallory", "--password", "guess")
    finally:
        server.shutdown()
        server.server_close()
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1, lines
    assert "HTTP 401" in lines[0] and "wrong user or password for realm test" in lines[0] and "--user" in lines[0]
    assert len(server.requests) == 1, "stops at the first refusal"


def test_a_server_error_stops_publishing_and_says_which_graph(real):
    server = Recorder(status=500, message="disk full")
    try:
        done = publish(real, server.url)
    finally:
        server.shutdown()
        server.server_close()
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1, lines
    assert "HTTP 500" in lines[0] and "disk full" in lines[0] and GRAPHS["ontology"] in lines[0]


def test_a_store_that_does_not_answer_times_out(real):
    with socket.socket() as silent:  # accepts connections (the kernel does) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        started = time.monotonic()
        done = publish(real, f"http://127.0.0.1:{silent.getsockname()[1]}/store", "--timeout", "1")
        elapsed = time.monotonic() - started
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "no answer within 1 s" in lines[0], lines
    assert elapsed < 60


def test_a_password_without_a_user_is_refused(real, recorder):
    done = publish(real, recorder.url, "--password", "x")
    assert done.returncode == 2 and "no user" in done.stderr.decode()
    assert recorder.requests == []
