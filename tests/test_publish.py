"""`tskg publish` against a real Oxigraph server started by the tests, and against a tiny
local HTTP server that records what it is sent (credentials, methods, bodies, errors).

After publishing, the Oxigraph server must answer queries exactly as our own build's store
does (with the union of the graphs as default graph, as our endpoint has it), and a second
publish must leave the same state, not twice the triples.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from helpers import OXIGRAPH, free_port, start_oxigraph, stop_process
from server.namespaces import GRAPHS
from test_export import ALL_GRAPHS, assert_isomorphic, real, tskg  # noqa: F401 (real is a fixture)

GENID = "https://w3id.org/tskg/.well-known/genid/"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server on loopback, default graph = union of the named graphs."""
    if not OXIGRAPH.exists():
        pytest.skip("the oxigraph command is not installed (pip install oxigraph; it is in the [test] extra)")
    process, base = start_oxigraph("serve", tmp_path_factory.mktemp("oxigraph") / "data", "--union-default-graph")
    yield base
    stop_process(process)


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


def written(real) -> list[str]:
    """The graphs the build wrote something into (the derived graph only when a rule derived anything)."""
    return [GRAPHS[n] for n in GRAPHS if real.build.counts.get(n)]


def expected_requests(real, *, leave_out=()) -> list[tuple[str, str]]:
    """A PUT for each graph written, then a DELETE for each graph left out or empty (none goes stale)."""
    puts = [g for g in written(real) if g not in leave_out]
    return [("PUT", g) for g in puts] + [("DELETE", g) for g in GRAPHS.values() if g not in puts]


def test_each_graph_arrives_whole(real, oxigraph):
    """Fetched back with the Graph Store Protocol, each graph is our store's graph, with the
    blank nodes shared between graphs as Skolem IRIs and the others still blank nodes."""
    assert publish(real, f"{oxigraph}/store").returncode == 0
    store = real.build.open_store()
    ours = {g: list(store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in written(real)}
    shared = shared_blank_labels(ours)
    for graph in written(real):
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
    """Answers every request with `status` (and `message` as its body), keeping what it got. With `scheme`
    ("basic" or "digest") and `users` (name → password) it first wants credentials, as a store does: a
    request without valid ones gets 401 and that scheme's challenge (Digest checked by RFC 7616's sums,
    computed here with hashlib)."""

    def __init__(self, status: int = 204, message: str = "", scheme: str | None = None, users: dict | None = None):
        self.requests: list[dict] = []
        self.status, self.message = status, message
        self.scheme, self.users = scheme, users or {}
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.url = f"http://127.0.0.1:{self.server_port}/gsp"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def writes(self) -> list[dict]:
        """The requests that carried or removed data (the HEAD probes left out)."""
        return [r for r in self.requests if r["method"] != "HEAD"]


REALM, NONCE = "test", "4e0ce5e3a1d9"


def digest_valid(header: str, method: str, users: dict) -> bool:
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[len("Digest "):]))
    password = users.get(fields.get("username"))
    if password is None or fields.get("nonce") != NONCE or fields.get("realm") != REALM:
        return False
    md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731
    ha1, ha2 = md5(f"{fields['username']}:{REALM}:{password}"), md5(f"{method}:{fields['uri']}")
    expected = md5(f"{ha1}:{NONCE}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}")
    return fields.get("response") == expected


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
        status, payload = self.server.status, self.server.message.encode()
        challenge = 'Basic realm="test"' if status == 401 else None
        if self.server.scheme and not self._authorized():
            status, payload = 401, b""
            challenge = (f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm="MD5"'
                         if self.server.scheme == "digest" else 'Basic realm="test"')
        self.send_response(status)
        if challenge:
            self.send_header("WWW-Authenticate", challenge)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization") or ""
        if self.server.scheme == "basic":
            return any(header == basic(user, password) for user, password in self.server.users.items())
        return header.startswith("Digest ") and digest_valid(header, self.command, self.server.users)

    do_PUT = do_DELETE = do_POST = do_GET = do_HEAD = _record

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def running(server: "Recorder"):
    """A Recorder, shut down when the block ends."""
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


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


def test_puts_each_graph_with_basic_auth_and_turtle(real):
    with running(Recorder(scheme="basic", users={"alice": "s3cret:with colon"})) as recorder:
        done = publish(real, recorder.url, "--user", "alice", "--password", "s3cret:with colon")
    assert done.returncode == 0, done.stderr.decode()
    assert [(r["method"], graph_param(r)) for r in recorder.writes()] == expected_requests(real)
    # the credentials went only where the store asked for them: a HEAD without, its challenge, then Basic
    assert [(r["method"], "Authorization" in r["headers"]) for r in recorder.requests[:2]] == [("HEAD", False), ("HEAD", True)]
    quads = {g: real.quads([g]) for g in written(real)}
    shared = shared_blank_labels(quads)
    for request in [r for r in recorder.writes() if r["method"] == "PUT"]:
        headers = request["headers"]
        assert headers["Authorization"] == basic("alice", "s3cret:with colon")
        assert headers["Content-Type"] == "text/turtle"
        assert int(headers["Content-Length"]) == len(request["body"])
        assert (len(request["body"]) > 0) == bool(quads[graph_param(request)])
        assert urllib.parse.urlsplit(request["path"]).path == "/gsp"
        graph = graph_param(request)
        sent = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                for t in ox.parse(request["body"], format=ox.RdfFormat.TURTLE)]
        # What is sent is the build's data as parsed: datatypes such as xsd:nonNegativeInteger kept.
        assert_isomorphic(sent, skolemized(quads[graph], shared), f"the body sent for {graph}")


@pytest.fixture()
def basic_store():
    with running(Recorder(scheme="basic", users={"bob": "pw", "carol": "p@ss"})) as server:
        yield server


def test_credentials_from_the_environment(real, basic_store):
    done = publish(real, basic_store.url, env={"TSKG_PUBLISH_USER": "bob", "TSKG_PUBLISH_PASSWORD": "pw"})
    assert done.returncode == 0, done.stderr.decode()
    assert {r["headers"].get("Authorization") for r in basic_store.writes()} == {basic("bob", "pw")}


def test_credentials_in_the_url_are_sent_as_a_header_not_in_the_path(real, basic_store):
    url = basic_store.url.replace("http://", "http://carol:p%40ss@")
    assert publish(real, url).returncode == 0
    assert {r["headers"].get("Authorization") for r in basic_store.writes()} == {basic("carol", "p@ss")}
    assert all("carol" not in r["path"] for r in basic_store.requests)


def test_auth_basic_sends_it_at_once_to_a_store_that_never_challenges(real, recorder):
    assert publish(real, recorder.url, "--user", "dave", "--password", "pw", "--auth", "basic").returncode == 0
    assert [(r["method"], graph_param(r)) for r in recorder.writes()] == expected_requests(real)
    assert {r["headers"].get("Authorization") for r in recorder.requests} == {basic("dave", "pw")}


def test_digest_when_the_store_challenges_for_it(real):
    """Digest (RFC 7616) chosen by the store's challenge, or asked for with --auth digest; the password is
    never sent in clear, and the store checks every answer's sums."""
    for args in ((), ("--auth", "digest")):
        with running(Recorder(scheme="digest", users={"erin": "se:cret"})) as store:
            done = publish(real, store.url, "--user", "erin", *args, env={"TSKG_PUBLISH_PASSWORD": "se:cret"})
        assert done.returncode == 0, done.stderr.decode()
        assert [(r["method"], graph_param(r)) for r in store.writes()] == expected_requests(real)
        headers = [r["headers"].get("Authorization", "") for r in store.requests]
        assert all(h.startswith("Digest ") for h in headers[1:]) and headers[0] == ""
        assert not any("se:cret" in h or base64.b64encode(b"erin:se:cret").decode() in h for h in headers)
        assert all(len(r["body"]) > 0 for r in store.writes() if r["method"] == "PUT")


def test_wrong_digest_password_is_one_line_before_any_data(real):
    with running(Recorder(scheme="digest", users={"erin": "right"})) as store:
        done = publish(real, store.url, "--user", "erin", "--password", "wrong")
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "HTTP 401" in lines[0] and "'erin'" in lines[0], lines
    assert store.writes() == [], "no data sent with refused credentials"


def test_auth_digest_refuses_to_answer_a_basic_challenge(real, basic_store):
    done = publish(real, basic_store.url, "--user", "bob", "--password", "pw", "--auth", "digest")
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and "not Digest" in lines[0], lines
    assert all("Authorization" not in r["headers"] for r in basic_store.requests)


def test_no_credentials_no_authorization_header(real, recorder):
    assert publish(real, recorder.url).returncode == 0
    assert len(recorder.requests) == len(GRAPHS)
    assert all("Authorization" not in r["headers"] for r in recorder.requests)


def test_no_inferred_sends_a_delete_for_the_inferred_graph(real, recorder):
    assert publish(real, recorder.url, "--no-inferred").returncode == 0
    assert [(r["method"], graph_param(r)) for r in recorder.requests] == \
        expected_requests(real, leave_out=[GRAPHS["inferred"]])
    assert ("DELETE", GRAPHS["inferred"]) in expected_requests(real, leave_out=[GRAPHS["inferred"]])


def test_refused_credentials_show_the_servers_message(real):
    server = Recorder(status=401, message="wrong user or password for realm test")
    try:
        done = publish(real, server.url, "--user", "mallory", "--password", "guess")
    finally:
        server.shutdown()
        server.server_close()
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1, lines
    assert "HTTP 401" in lines[0] and "'mallory'" in lines[0] and "--user" in lines[0]
    assert server.writes() == [], "stops at the first refusal, before any data is sent"


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
