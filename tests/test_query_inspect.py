"""server.store.inspect, the reader that decides what the engine runs, against the engine itself.

The oracle is pyoxigraph: its parser (does it accept the text the reader wrote, with the same values?)
and its SERVICE client (does it connect to a listener?). The main property: no query the reader lets
through makes pyoxigraph open a connection, for queries built from the disguises that fooled the old
check (codepoint escapes inside strings, the empty prefix after SERVICE, keywords glued to words, the
engine's one-dot local names) mixed at random. The generator is seeded; TSKG_HOSTILE_CASES sets how
many queries to try (CI: 400; try 20000 on demand). A failure prints the query.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest

from helpers import REPO_ROOT, Listener
from server.namespaces import PREFIXES
from server.store.errors import QueryError
from server.store.inspect import MAX_NESTING, bind, inspect_query

CASES = int(os.environ.get("TSKG_HOSTILE_CASES", "400"))

# Runs queries in a fresh pyoxigraph, unsandboxed, one thread each with a deadline: the engine as it
# would behave without our check. Reads a JSON list of [text, prefixes]; prints one outcome per query.
ENGINE = r"""
import json, sys, threading
import pyoxigraph as ox
cases = json.load(sys.stdin)
store = ox.Store()
def run(text, prefixes, out):
    try:
        result = store.query(text, prefixes=prefixes or None)
        if not isinstance(result, ox.QueryBoolean):
            result = list(result)
        out.append("ok")
    except SyntaxError:
        out.append("syntax")
    except Exception as err:
        out.append("error " + type(err).__name__)
for text, prefixes in cases:
    out = []
    t = threading.Thread(target=run, args=(text, prefixes, out), daemon=True)
    t.start(); t.join(3)
    print(out[0] if out else "timeout", flush=True)
"""


def run_in_engine(cases: list[tuple[str, dict]]) -> list[str]:
    threading_stack = {"PYTHONFAULTHANDLER": "1"}
    result = subprocess.run([sys.executable, "-c", ENGINE], input=json.dumps(cases), capture_output=True, text=True,
                            timeout=60 + 4 * len(cases), env={**os.environ, **threading_stack})
    return result.stdout.split("\n")[:len(cases)]


@pytest.fixture()
def listener():
    listening = Listener()
    yield listening
    listening.close()


# --- a generator of hostile queries ----------------------------------------------------------------------

DISGUISES = [
    'BIND("\\u0022" AS ?q1)', "BIND('\\u0027' AS ?q2)", 'BIND("\\U00000022" AS ?q3)', 'BIND("a\\"b" AS ?q4)',
    "BIND('''x\"y''' AS ?q5)", 'BIND("""a "b" c""" AS ?q6)', "FILTER(?a<?b)", "BIND(<http://e/#x> AS ?q7)",
    'BIND("#" AS ?q8)', "# a comment\n", '# "\n', "# '\n", "BIND('<' AS ?q9)", "?s ?p ?o .", "?s ?p 1.5 .",
    "FILTER(!BOUND(?x))", 'BIND(STR(<http://e/>) AS ?q10)', "{ }", "OPTIONAL { ?s ?p ?o }", "\n",
]
FRAGMENTS = ['"', "'", "<", ">", "#", "\\", "\\u0022", '"""', "'''", "{", "}", "(", ")", ".", ";", "\n"]


def attacks(target: str, n: int) -> list[tuple[str, str]]:
    """(prologue, piece) pairs, each of which runs SERVICE against `target` if the engine sees it."""
    url = f"{target}q{n}"
    return [
        ("", f"SERVICE <{url}> {{ ?s ?p ?o }}"),
        ("", f"service silent <{url}> {{ ?s ?p ?o }}"),
        ("", f"SeRvIcE<{url}>{{?s ?p ?o}}"),
        (f"PREFIX : <{target}> ", f"SERVICE:q{n} {{ ?s ?p ?o }}"),
        (f"PREFIX : <{target}> ", f"SERVICESILENT:q{n} {{ }}"),
        ("", f"?s ?p trueSERVICE<{url}>{{}}"),
        ("PREFIX ex: <http://e/> ", f"?s ?p ex:a.b.SERVICE<{url}>{{}}"),
        ("", f"\\u0053ERVICE <{url}> {{ }}"),
        ("", f"VALUES ?e {{ <{url}> }} SERVICE ?e {{ }}"),
        ("", f"{{ SELECT * {{ SERVICE <{url}> {{ }} }} }}"),
        ("", f"FILTER EXISTS {{ SERVICE <{url}> {{ }} }}"),
        ("", f"OPTIONAL {{ SERVICE SILENT <{url}> {{ }} }}"),
        (f"PREFIX x: <{target}> ", f"SERVICEx:q{n} {{ }}"),
    ]


def hostile_queries(seed: int, count: int, target: str) -> list[str]:
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        prologue, attack = rng.choice(attacks(target, n))
        before = [rng.choice(DISGUISES + FRAGMENTS) for _ in range(rng.randint(0, 3))]
        after = [rng.choice(DISGUISES + FRAGMENTS) for _ in range(rng.randint(0, 3))]
        body = " ".join(before + [attack] + after)
        if rng.random() < 0.15:
            body = f'BIND("{body}" AS ?hidden)'  # inside a string: must be harmless
        elif rng.random() < 0.15:
            body = f"# {body}\n"                  # inside a comment: likewise
        queries.append(f"{prologue}SELECT * WHERE {{ {body} }}")
    return queries


def test_the_generator_has_teeth(listener):
    """Run as written, without the check, a good share of these queries reach the listener."""
    queries = hostile_queries(1, 100, listener.url)
    run_in_engine([(q, {}) for q in queries])
    assert len(listener.quiet_for(0.5)) >= 10, "the generated queries are not dangerous enough to prove anything"


def test_no_query_let_through_reaches_another_host(listener):
    queries = hostile_queries(2026, CASES, listener.url)
    accepted = []
    for text in queries:
        try:
            info = inspect_query(text, predeclared=PREFIXES)
        except QueryError as err:
            assert err.status in (400, 403) and err.message
            continue
        accepted.append((text, info))
    outcomes = run_in_engine([(info.text, info.undeclared) for _, info in accepted])
    reached = listener.quiet_for(1.0)
    assert not reached, f"connections: {reached[:3]}; queries: " + " | ".join(
        text for text, _ in accepted if any(f"/q{queries.index(text)} " in line for line in reached))[:2000]
    # The check is not a blanket refusal: queries with the attack hidden in a string or comment pass.
    assert len(accepted) >= CASES // 10, f"only {len(accepted)} of {CASES} accepted"
    assert "ok" in outcomes


# --- the text the engine runs ------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    r'''SELECT ?v WHERE { BIND("a\"b" AS ?v) }''',
    r'''SELECT ?v WHERE { BIND('it\'s' AS ?v) }''',
    r'''SELECT ?v WHERE { BIND("""two
lines "quoted" """ AS ?v) }''',
    "SELECT ?v WHERE { BIND(" + "'''x''y'''" + " AS ?v) }",
    r'''SELECT ?v WHERE { BIND("back\\slash\ttab" AS ?v) }''',
    r'''SELECT ?v WHERE { BIND("\u00e9\U0001F600" AS ?v) }''',
    r'''SELECT ?v WHERE { BIND("#not a comment" AS ?v) } # a comment "''',
])
def test_rewritten_strings_keep_their_value(query):
    info = inspect_query(query, predeclared=PREFIXES)
    expected = [s["v"] for s in ox.Store().query(query)]
    assert [s["v"] for s in ox.Store().query(info.text)] == expected
    assert '"' not in info.text.split('"', 1)[1].rsplit('"', 1)[0]  # no quote inside the one string
    assert "#" not in info.text or "#not" in info.text  # the comment is blanked


def test_comments_are_blanked_without_moving_positions():
    query = "SELECT * # SERVICE <http://x/>\nWHERE { ?s ?p ?o }"
    info = inspect_query(query, predeclared=PREFIXES)
    assert len(info.text) == len(query) and "SERVICE" not in info.text
    assert info.text.index("WHERE") == query.index("WHERE")


@pytest.mark.parametrize("query, status, words", [
    ("SELECT * WHERE { \\u0053ERVICE <http://x/> {} }", 400, "only allowed inside a string"),
    ("PREFIX : <http://x/> SELECT * WHERE { SERVICE:a {} }", 403, "SERVICE"),
    ("PREFIX service: <urn:x:> SELECT * WHERE { ?s ?p service:x }", 403, "rename it"),
    ("SELECT * WHERE { ?s ?p trueSERVICE }", 403, "SERVICE"),
    ("SELECT * FROMNAMED <http://x/> {}", 400, "FROM"),
    ("PREFIX x: <http://x/> SELECT * FROMx:g {}", 400, "FROM"),
    ("SELECT * WHERE { ?s nope:p ?o }", 400, "unknown prefix nope:"),
    ("SELECT * WHERE { ?s fooaf:name ?o }", 400, "did you mean foaf:?"),
    ("INSERT DATA { <a> <b> <c> }", 403, "read-only"),
    ("SELECT * WHERE { BIND(\"open AS ?x) }", 400, "never closed"),
    ("SELECT\u00a0* {}", 400, "U+00A0"),
])
def test_refusals_say_what_and_where(query, status, words):
    with pytest.raises(QueryError) as caught:
        inspect_query(query, predeclared=PREFIXES)
    assert caught.value.status == status
    assert words in caught.value.message


def test_nesting_limit_is_exact():
    ok = "SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING
    inspect_query(ok, predeclared=PREFIXES)
    deep = "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1)
    with pytest.raises(QueryError) as caught:
        inspect_query(deep, predeclared=PREFIXES)
    assert caught.value.status == 400 and f"deeper than {MAX_NESTING} levels" in caught.value.message
    assert caught.value.column == len("SELECT * WHERE ") + MAX_NESTING + 1
    bangs = "SELECT * WHERE { FILTER(" + "!" * MAX_NESTING + "true) }"
    with pytest.raises(QueryError):
        inspect_query(bangs, predeclared=PREFIXES)


def test_the_project_prefixes_are_predeclared_and_can_be_redeclared():
    info = inspect_query("SELECT * WHERE { ?s a tsk:Person ; foaf:name ?n }", predeclared=PREFIXES)
    assert info.undeclared == {"tsk": PREFIXES["tsk"], "foaf": PREFIXES["foaf"]}
    info = inspect_query("PREFIX tsk: <urn:other:> SELECT * WHERE { ?s a tsk:Person }", predeclared=PREFIXES)
    assert info.undeclared == {}


def test_from_graphs_are_read_through_prefixes_and_base():
    info = inspect_query("BASE <http://b/> PREFIX g: <http://g/> SELECT * FROM <x> FROM NAMED g:y FROM tskr:z {}",
                         predeclared=PREFIXES)
    assert info.from_graphs == ["http://b/x", PREFIXES["tskr"] + "z"]
    assert info.from_named_graphs == ["http://g/y"]


@pytest.mark.parametrize("size", [10_000, 100_000])
def test_reading_is_linear_on_hostile_shapes(size):
    """The old check took 66 s of CPU on 100,000 characters. Each shape here would make a scan that tries
    again from later positions quadratic; the ratio between two sizes shows how time grows."""
    shapes = ["a." * (size // 2), "<" * size, "x:" * (size // 2), "'" + "a" * size, '"""' + '"a' * (size // 2),
              "?a<" * (size // 3), "#" + "\\" * size]

    def seconds(n):
        """CPU seconds of this process, the best of three runs: other work on the machine does not count."""
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for shape in shapes:
                try:
                    inspect_query(shape[:n], predeclared=PREFIXES)
                except QueryError:
                    pass
            best = min(best, time.process_time() - started)
        return best

    small, large = seconds(size // 10), seconds(size)
    assert large < 30 * max(small, 0.002), f"{size // 10} chars: {small:.3f} s; {size}: {large:.3f} s"


# --- syntax errors where the user wrote them -------------------------------------------------------------


def engine_error(info) -> QueryError:
    from server.store.inspect import syntax_error

    try:
        ox.Store().query(info.text, prefixes=info.undeclared or None)
    except SyntaxError as err:
        return syntax_error(err, info)
    raise AssertionError("the engine accepted it")


@pytest.mark.parametrize("query", [
    'SELECT ?x WHERE {\n  BIND("a\\"b" AS ?y)\n  ?x ?p ?o .\n\n  ?x ?p .\n}',
    'SELECT ?x WHERE { BIND("it\'s" AS ?y) BIND("""x\n"y" """ AS ?z) ?x ?p . }',
    "SELECT ?x WHERE {\n  # a comment with a quote \"\n  ?x ?p ?o FILTR(?x)\n}",
])
def test_error_line_and_column_are_those_of_the_original(query):
    """Where the engine puts the error in the text as written is where it is reported, although the
    engine was given the rewritten text (strings with quotes rewritten, comments blanked)."""
    info = inspect_query(query, predeclared=PREFIXES)
    assert info.text != query
    try:
        ox.Store().query(query)
    except SyntaxError as err:
        line, column = (int(n) for n in str(err).split("error at ", 1)[1].split(":")[:2])
    err = engine_error(info)
    assert (err.line, err.column) == (line, column), err.message
    assert err.message.startswith(f"SPARQL syntax error at line {line}, column {column}: ")


# --- binding parameters as terms --------------------------------------------------------------------------


def test_bound_queries_answer_as_pyoxigraph_substitutions_do():
    """Every saved query with its defaults: the text with the terms written in gives the rows that
    pyoxigraph's own substitution gives, over the curated graph."""
    from server.build import build
    from server.project import Project
    from server.store.saved_queries import load_folder

    built = build(Project.locate(REPO_ROOT))
    store = ox.Store.read_only(str(built.store_path))
    checked = 0
    for query in load_folder(REPO_ROOT / "queries").values():
        bindings = query.bindings({})
        if not bindings or query.kind != "select":
            continue
        info = inspect_query(query.query, predeclared=PREFIXES)
        substituted = store.query(query.query, prefixes=PREFIXES, use_default_graph_as_union=True,
                                  substitutions={ox.Variable(k): v for k, v in bindings.items()})
        names = [v.value for v in substituted.variables]
        expected = sorted(json.dumps({n: str(s[n]) for n in names if s[n] is not None}) for s in substituted)
        written = store.query(bind(info, bindings), prefixes=PREFIXES, use_default_graph_as_union=True)
        got = sorted(json.dumps({n: str(s[n]) for n in names if s[n] is not None}) for s in written)
        assert got == expected, query.name
        checked += 1
    assert checked >= 8


def test_bind_leaves_variables_where_only_a_variable_may_stand():
    query = "SELECT ?x ?y WHERE { FILTER(BOUND(?x)) BIND(?x AS ?y) } ORDER BY ?x"
    text = bind(inspect_query(query, predeclared=PREFIXES), {"x": ox.Literal('a"b')})
    assert text == 'SELECT ("a\\u0022b" AS ?x) ?y WHERE { FILTER(true) BIND("a\\u0022b" AS ?y) } ORDER BY ("a\\u0022b")'
    assert [(s["x"].value, s["y"].value) for s in ox.Store().query(text)] == [('a"b', 'a"b')]
    values = bind(inspect_query("SELECT * WHERE { VALUES ?x { 1 } ?s ?p ?x }", predeclared=PREFIXES),
                  {"x": ox.Literal("2")})
    assert values == 'SELECT * WHERE { VALUES ?x { 1 } ?s ?p "2" }'
