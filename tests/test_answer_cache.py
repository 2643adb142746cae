"""Answers kept for the life of a build, and HTTP caching, on a real server over loopback.

Whether an answer came from the cache is told by counting the requests the query processes were sent
(`pool.asked`), never by timing. Expected bodies come from a first, uncached answer of the same server
or from the store opened directly."""

from __future__ import annotations

import time
from email.utils import format_datetime, parsedate_to_datetime
from datetime import timedelta

import pytest
import requests

from helpers import serve_app
from server.namespaces import DATA

STATES = "SELECT ?s WHERE { ?s a tsk:State } ORDER BY ?s"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def served(app):
    """The session's build, served by an app of its own (a fresh cache, one query process to count)."""
    server = serve_app(TSKG_BUILD=app.extensions["tskg.build"], QUERY_WORKERS=1)
    yield server
    server.stop()
    server.app.extensions["tskg.engine"].close()


def asked(server) -> int:
    return server.app.extensions["tskg.engine"].pool.asked


def sparql(server, query, method="GET", **headers):
    if method == "POST":
        return requests.post(server.url + "/sparql", data={"query": query}, headers=headers, timeout=30)
    return requests.request(method, server.url + "/sparql", params={"query": query}, headers=headers, timeout=30)


# --- answers kept ------------------------------------------------------------------------------------------


def test_a_repeated_query_is_not_run_again(served):
    before = asked(served)
    first = sparql(served, STATES, Accept=JSON)
    after_first = asked(served)
    assert first.status_code == 200 and after_first > before
    again = [sparql(served, STATES, Accept=JSON) for _ in range(3)]
    assert asked(served) == after_first
    assert all(r.status_code == 200 and r.content == first.content for r in again)
    assert again[0].headers["X-TSKG-Rows"] == first.headers["X-TSKG-Rows"] == str(len(first.json()["results"]["bindings"]))


def test_the_same_query_posted_is_answered_from_the_engines_cache(served):
    query = STATES + " LIMIT 3"
    first = sparql(served, query, "POST", Accept=JSON)
    before = asked(served)
    again = sparql(served, query, "POST", Accept=JSON)
    assert asked(served) == before and again.content == first.content


@pytest.mark.parametrize("change", ["format", "text", "accept"])
def test_another_format_or_text_is_another_answer(served, change):
    base = STATES + " LIMIT 4"
    sparql(served, base, Accept=JSON)
    before = asked(served)
    if change == "format":
        r = sparql(served, base, Accept="text/csv")
        assert r.headers["Content-Type"].startswith("text/csv")
    elif change == "text":
        r = sparql(served, base.replace("LIMIT 4", "LIMIT 2"), Accept=JSON)
        assert len(r.json()["results"]["bindings"]) == 2
    else:  # another Accept that negotiates the same format: the HTTP layer misses, the engine's cache answers
        r = sparql(served, base, Accept=JSON + ", */*;q=0.1")
        assert r.headers["Content-Type"].startswith(JSON)
    assert r.status_code == 200
    if change == "accept":
        assert asked(served) == before
    else:
        assert asked(served) > before


def test_saved_query_bindings_are_part_of_the_key(served):
    url = served.url + "/queries/actor-offices"
    thaci = requests.get(url, params={"format": "json"}, timeout=30)
    before = asked(served)
    assert requests.get(url, params={"format": "json"}, timeout=30).content == thaci.content
    assert asked(served) == before
    vucic = requests.get(url, params={"format": "json", "person": DATA + "aleksandar-vucic"}, timeout=30)
    assert asked(served) > before
    assert vucic.status_code == 200 and vucic.content != thaci.content


def test_pages_and_data_documents_are_kept(served):
    for path in ("/data/serbia.ttl", "/page/serbia"):
        first = requests.get(served.url + path, timeout=30)
        before = asked(served)
        again = requests.get(served.url + path, timeout=30)
        assert first.status_code == again.status_code == 200 and again.content == first.content
        assert asked(served) == before, path


def test_errors_are_not_kept(served):
    """A query the engine refuses (a type the parser finds, not the reader) is sent again each time."""
    broken = "SELECT ?s WHERE { ?s a tsk:State } GROUP BY ?x ORDER BY ?s"  # ?s not grouped: the engine refuses
    for _ in range(2):
        before = asked(served)
        assert sparql(served, broken).status_code == 400
        assert asked(served) > before


def test_a_timeout_is_not_kept(app):
    """A 503 (the query stopped at its time limit) is never given again: the next request runs it."""
    server = serve_app(TSKG_BUILD=app.extensions["tskg.build"], QUERY_WORKERS=1, QUERY_TIMEOUT=0.3)
    try:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        for _ in range(2):
            before = asked(server)
            r = sparql(server, slow)
            assert r.status_code == 503 and asked(server) > before
            assert "ETag" not in r.headers and "Cache-Control" not in r.headers
            deadline = time.monotonic() + 60  # the stopped process is being replaced
            while server.app.extensions["tskg.engine"].pool._idle.qsize() < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        server.stop()
        server.app.extensions["tskg.engine"].close()


def test_the_cache_is_bounded_in_bytes(app):
    """With room for a few answers only, the oldest go: the cache never holds more than its budget, and
    a query asked long ago is run again."""
    budget = 64 * 1024
    server = serve_app(TSKG_BUILD=app.extensions["tskg.build"], QUERY_WORKERS=1, ANSWER_CACHE_BYTES=budget)
    try:
        answers = server.app.extensions["tskg.answers"]
        queries = [f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 20 OFFSET {20 * i}" for i in range(40)]
        for q in queries:
            assert sparql(server, q).status_code == 200
            assert answers.bytes <= budget
        before = asked(server)
        sparql(server, queries[-1])
        assert asked(server) == before  # the newest is kept
        sparql(server, queries[0])
        assert asked(server) > before  # the oldest was let go
    finally:
        server.stop()
        server.app.extensions["tskg.engine"].close()


# --- HTTP caching --------------------------------------------------------------------------------------------

CACHED_PATHS = ["/sparql?query=" + requests.utils.quote(STATES), "/queries/actor-offices?format=json",
                "/queries/actor-offices", "/data/serbia.ttl", "/page/serbia", "/", "/ontology",
                "/browse/State", "/downloads/tskg.ttl"]


@pytest.mark.parametrize("path", CACHED_PATHS)
def test_validators_and_cache_control(served, path):
    r = requests.get(served.url + path, timeout=60)
    assert r.status_code == 200
    assert r.headers["ETag"].startswith('W/"')
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept" in [v.strip() for v in r.headers["Vary"].split(",")]
    modified = parsedate_to_datetime(r.headers["Last-Modified"])
    build_time = served.app.extensions["tskg.build"].directory / "build.json"
    assert modified.timestamp() >= int(build_time.stat().st_mtime)

    same = requests.get(served.url + path, headers={"If-None-Match": r.headers["ETag"]}, timeout=30)
    assert same.status_code == 304 and same.content == b""
    assert same.headers["ETag"] == r.headers["ETag"] and same.headers["Cache-Control"] == "public, max-age=300"
    listed = requests.get(served.url + path, headers={"If-None-Match": f'"other", {r.headers["ETag"]}'}, timeout=30)
    assert listed.status_code == 304
    other = requests.get(served.url + path, headers={"If-None-Match": 'W/"another"'}, timeout=30)
    assert other.status_code == 200 and other.content == r.content

    since = requests.get(served.url + path, headers={"If-Modified-Since": r.headers["Last-Modified"]}, timeout=30)
    assert since.status_code == 304
    earlier = format_datetime(modified - timedelta(seconds=1), usegmt=True)
    before = requests.get(served.url + path, headers={"If-Modified-Since": earlier}, timeout=30)
    assert before.status_code == 200 and before.content == r.content

    head = requests.head(served.url + path, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == r.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(r.content))
    assert requests.head(served.url + path, headers={"If-None-Match": r.headers["ETag"]}, timeout=30).status_code == 304


def test_a_head_first_is_answered_and_kept(served):
    query = STATES + " LIMIT 5"
    before = asked(served)
    head = sparql(served, query, "HEAD", Accept=JSON)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["Content-Length"]) > 0
    after_head = asked(served)
    assert after_head > before
    get = sparql(served, query, Accept=JSON)
    assert asked(served) == after_head
    assert len(get.content) == int(head.headers["Content-Length"]) and get.headers["ETag"] == head.headers["ETag"]


@pytest.mark.parametrize("request_args", [
    {"path": "/sparql", "params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}},  # 403
    {"path": "/sparql", "params": {"query": "SELECT ?s WHERE { ?s a nope:X }"}},  # 400
    {"path": "/page/no-such-thing", "params": {}},  # 404
    {"path": "/queries/no-such-query", "params": {}},  # 404
    {"path": "/sparql", "params": {}},  # the service description: the saved queries may change under it
    {"path": "/queries", "params": {}},
])
def test_errors_and_what_may_change_carry_no_validators(served, request_args):
    r = requests.get(served.url + request_args["path"], params=request_args["params"], timeout=30)
    assert "ETag" not in r.headers and "public" not in r.headers.get("Cache-Control", "")
    again = requests.get(served.url + request_args["path"], params=request_args["params"],
                         headers={"If-None-Match": "*"}, timeout=30)
    assert again.status_code == r.status_code != 304


def test_head_answers_wherever_get_does(served):
    """Every route that answers GET answers HEAD too, with the same status and headers and no body."""
    examples = {"/static/<path:filename>": "/static/style.css", "/queries/<name>": "/queries/retractions",
                "/id/<path:name>": "/id/serbia", "/concept/<path:name>": None, "/page/<path:name>": "/page/serbia",
                "/page/concept/<path:name>": None, "/data/<path:doc>": "/data/serbia.nt",
                "/browse/<local>": "/browse/State", "/ontology/<version>": None, "/ontology.<ext>": "/ontology.ttl",
                "/downloads/<filename>": "/downloads/tskg.nt"}
    checked = 0
    for rule in served.app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        assert "HEAD" in rule.methods, rule.rule
        path = examples.get(rule.rule, rule.rule)
        if path is None or "<" in path:
            continue
        get = requests.get(served.url + path, allow_redirects=False, timeout=60)
        head = requests.head(served.url + path, allow_redirects=False, timeout=60)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        for name in ("Content-Type", "ETag", "Cache-Control", "Location"):
            assert head.headers.get(name) == get.headers.get(name), (path, name)
        checked += 1
    assert checked >= 15


def test_a_saved_query_edited_is_answered_anew(tmp_path):
    """/queries/NAME is kept with its file's size and time: an edit while the server runs shows at once."""
    from test_serve import GOOD_DATA, tiny_project

    root = tiny_project(tmp_path / "project", GOOD_DATA)
    (root / "queries").mkdir()
    saved = root / "queries" / "states.rq"
    header = "#+ summary: States\n#+ description: The states.\n"
    saved.write_text(header + "SELECT ?s WHERE { ?s a <https://w3id.org/tskg/ontology#State> }\n")
    server = serve_app(TSKG_ROOT=str(root), QUERY_WORKERS=1)
    try:
        url = server.url + "/queries/states?format=csv"
        first = requests.get(url, timeout=30)
        assert first.status_code == 200 and "serbia" in first.text
        saved.write_text(header + "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/tskg/ontology#State> }\n")
        second = requests.get(url, timeout=30)
        assert second.status_code == 200 and second.text.split() == ["n", "1"]
        assert second.headers["ETag"] != first.headers["ETag"]
    finally:
        server.stop()
        server.app.extensions["tskg.engine"].close()


def test_a_new_build_never_serves_the_old_answer(tmp_path):
    """Data changed, built again: the old ETag does not match, and the answer is the new one."""
    from test_serve import GOOD_DATA, tiny_project

    root = tiny_project(tmp_path / "project", GOOD_DATA)
    query = "SELECT ?l WHERE { <https://w3id.org/tskg/id/serbia> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    answers = {}
    for label in ("Serbia", "Srbija"):
        (root / "graph" / "data.ttl").write_text(GOOD_DATA.replace('"Serbia"', f'"{label}"'))
        # The same public address for both (as a restarted `tskg serve` has), so only the build differs.
        server = serve_app(TSKG_ROOT=str(root), QUERY_WORKERS=1, PUBLIC_URL="http://tskg.test/")
        try:
            old = answers.get("Serbia")
            headers = {"If-None-Match": old.headers["ETag"]} if old is not None else {}
            r = sparql(server, query, **headers)
            assert r.status_code == 200, "an old build's ETag matched"
            assert [b["l"]["value"] for b in r.json()["results"]["bindings"]] == [label]
            answers[label] = r
        finally:
            server.stop()
            server.app.extensions["tskg.engine"].close()
    assert answers["Serbia"].headers["ETag"] != answers["Srbija"].headers["ETag"]


def test_nothing_is_kept_in_front_of_a_remote_store(remote_live_server):
    """A remote store's data may change under us: no validators, no answers kept."""
    r = requests.get(remote_live_server.url + "/sparql", params={"query": STATES}, timeout=30)
    assert r.status_code == 200 and "ETag" not in r.headers and "Cache-Control" not in r.headers
    assert remote_live_server.app.extensions["tskg.answers"] is None


def test_a_saved_query_is_read_once_whatever_its_parameters(served, monkeypatch):
    """What a text was read as is kept: a saved query run with other parameters is not read again
    (the query processes are still asked: the answers differ)."""
    import server.store.engine as engine_module

    texts = []
    reader = engine_module.inspect_query
    monkeypatch.setattr(engine_module, "inspect_query", lambda text, *a, **k: texts.append(text) or reader(text, *a, **k))
    url = served.url + "/queries/actor-offices"
    before = asked(served)
    for person in ("ramush-haradinaj", "aleksandar-vucic", "hashim-thaci"):
        r = requests.get(url, params={"format": "csv", "person": DATA + person}, timeout=30)
        assert r.status_code == 200, r.text
    assert asked(served) >= before + 3
    assert len(texts) == len(set(texts)), "a text was read twice"
