"""Fuzzing (hypothesis) of the query text and of raw HTTP requests against `tskg serve` itself.

For every input: an answer with a status line (never a dead connection, never a hang), never a 5xx other
than 503, and no connection to the listener that every IRI in the inputs points at. The number of
examples is bounded for CI (TSKG_FUZZ_EXAMPLES, default 300 per test); raise it to fuzz longer.
"""

from __future__ import annotations

import os
import random
import socket
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import Listener, Serve

EXAMPLES = int(os.environ.get("TSKG_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

LISTENER = Listener()  # one for the module: every generated IRI points here


@pytest.fixture(scope="module")
def server(app):
    served = Serve("--query-workers", "2", "--timeout", "2")
    served.wait_ready(600)
    yield served
    served.stop()
    assert LISTENER.quiet_for(0.5) == [], f"connections reached the listener: {LISTENER.connections[:5]}"


TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",", "?s", "?p", "?o",
    "$x", "*", "SERVICE", "service", "SILENT", "FROM", "NAMED", "GRAPH", "OPTIONAL", "UNION", "MINUS", "FILTER",
    "EXISTS", "NOT", "BIND", "AS", "VALUES", "UNDEF", "LIMIT", "OFFSET", "ORDER", "BY", "GROUP", "HAVING",
    "COUNT(*)", "PREFIX", "BASE", ":", "ex:", "tsk:Person", "tskr:serbia", "rdfs:label", "a", "true", "!", "^",
    "|", "/", "+", "-", "<", ">", "=", "!=", "&&", "||", '"', "'", '"""', "#", "\n", "\\", "\\u0022", "\\u0027",
    "\\u0053ERVICE", '"\\u0022"', "'\\u0027'", '"str"', '"x"@en', '"1"^^xsd:integer', "1", "1.5", "1e9", "_:b",
    f"<{LISTENER.url}>", f"<{LISTENER.url}x>", f"PREFIX : <{LISTENER.url}>", "SERVICE:x", "trueSERVICE",
    "ex:a.b.SERVICE", "INSERT", "LOAD", "DELETE", "\x00", "\u00a0", "é",
]


def soup(seed: int) -> str:
    """1 to 40 tokens of the language (so that inputs get past the first checks) and a little free text,
    drawn evenly: hypothesis's own lists favour short ones and the first tokens of a list."""
    rng = random.Random(seed)
    pieces = [rng.choice(TOKENS) if rng.random() < 0.9 else "".join(chr(rng.randint(1, 0x2FF)) for _ in range(3))
              for _ in range(rng.randint(1, 40))]
    return rng.choice([" ", "", "\n"]).join(pieces) if rng.random() < 0.2 else " ".join(pieces)


query_text = st.one_of(st.integers(0, 2**32).map(soup),
                       st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=40).map(" ".join))


def send(server, raw: bytes, seconds: float = 20) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=seconds) as conn:
        conn.sendall(raw)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1."), f"no answer: {answer[:80]!r}"
    return int(answer.split(b" ", 2)[1])


@FUZZ
@given(text=query_text, how=st.sampled_from(["get", "form", "direct"]))
def test_query_text(server, text, how):
    if how == "get":
        raw = f"GET /sparql?query={quote(text, safe='')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    else:
        body = ("query=" + quote(text, safe="")).encode() if how == "form" else text.encode("utf-8", "surrogatepass")
        kind = "application/x-www-form-urlencoded" if how == "form" else "application/sparql-query"
        raw = (f"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {kind}\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    status = status_of(send(server, raw))
    assert status < 500 or status == 503, (status, text)


METHODS = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "BREW"]
PATHS = ["/sparql", "/queries", "/queries/actor-offices", "/queries/nope", "/id/aleksandar-vucic", "/id/",
         "/page/serbia", "/page/concept/", "/data/serbia.ttl", "/data/x.zip", "/", "/browse/Person", "/ontology",
         "/ontology.ttl", "/ontology/0.1.0", "/downloads/", "/downloads/tskg.nq", "/query", "/openapi.json",
         "/static/../server/cli.py", "/%2e%2e/etc/passwd", "/query/vocabulary.json", "/query/labels"]
MEDIA = ["*/*", "text/html", "application/json", "text/turtle", "application/sparql-results+json", "text/csv",
         "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
         "text/plain; charset=latin-1", "multipart/form-data; boundary=x", "nonsense", ""]
header_value = st.one_of(st.sampled_from(MEDIA), st.text(st.characters(min_codepoint=32, max_codepoint=126),
                                                         max_size=30))
params = st.dictionaries(
    st.sampled_from(["query", "format", "timeout", "default-graph-uri", "named-graph-uri", "update", "person",
                     "inferred", "x"]),
    st.one_of(query_text, st.sampled_from(["json", "ttl", "html", "-1", "0", "1e308", "nan", LISTENER.url]),
              st.text(max_size=10)), max_size=4)


@FUZZ
@given(method=st.sampled_from(METHODS), path=st.one_of(st.sampled_from(PATHS), st.text(max_size=20)),
       query=params, accept=header_value, content_type=header_value,
       body=st.one_of(st.binary(max_size=300), query_text.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       extra=st.lists(st.tuples(st.sampled_from(["X-Forwarded-For", "Host", "Transfer-Encoding", "Expect",
                                                "Range", "If-None-Match", "Origin", "Cookie"]), header_value),
                      max_size=3))
def test_raw_requests(server, method, path, query, accept, content_type, body, extra):
    target = quote(path if path.startswith("/") else "/" + path, safe="/%")
    if query:
        target += "?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    lines = [f"{method} {target} HTTP/1.1", "Host: x", "Connection: close"]
    if accept:
        lines.append(f"Accept: {accept}")
    if content_type and method != "GET":
        lines.append(f"Content-Type: {content_type}")
    if method not in ("GET", "HEAD"):
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in extra if name not in ("Host", "Transfer-Encoding")]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body if method not in ("GET", "HEAD") else b"")
    answer = send(server, raw)
    status = status_of(answer)
    assert status < 500 or status == 503, (status, raw[:300], answer[:300])
    assert b"def main(" not in answer, "a file outside the static folder was served (server/cli.py)"
