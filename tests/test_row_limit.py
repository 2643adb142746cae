"""Capping results at the row limit with a top-level LIMIT (server.store.inspect.limit_solutions), the
engine then writing the answer itself: the same rows and counts as the whole result cut row by row in
Python (server.store.formats.serialize_result, the path it replaces), on every saved query and on the
edge cases of the grammar; byte for byte where the query orders every row. Both sides run on the
build's store opened here with pyoxigraph.

Without ORDER BY the order of solutions is the engine's to choose, and pyoxigraph's differs from one
run of the same query to the next (hash joins: measured on the UNION case below, without any LIMIT).
There the rows are compared as multisets, and a cut result must be a part of the whole one."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pyoxigraph as ox
import pytest

from server.namespaces import PREFIXES
from server.store.embedded import execute_on_store, query_request
from server.store.formats import RESULTS_FORMATS, count_rows, serialize_result
from server.store.inspect import bind, inspect_query, limit_solutions
from server.store.saved_queries import load_folder

FORMATS = list(RESULTS_FORMATS)
# name → query; the ones whose ORDER BY orders every row are compared byte for byte.
EDGE_CASES = {
    "no modifier": "SELECT ?s ?l WHERE { ?s rdfs:label ?l }",
    "ORDER BY": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY DESC(?l) ?s",
    "LIMIT over the cap": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l ?s LIMIT 100000",
    "LIMIT under the cap": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l ?s LIMIT 2",
    "OFFSET then LIMIT": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l ?s OFFSET 7 LIMIT 900",
    "LIMIT then OFFSET": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l ?s limit 900 offset 7",
    "OFFSET alone": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l ?s OFFSET 3",
    "GROUP BY, HAVING": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p HAVING (COUNT(*) > 2) ORDER BY DESC(?n) ?p",
    "trailing VALUES": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s VALUES ?l { \"Serbia\"@en \"Kosovo\"@en \"Turkey\"@en }",
    "LIMIT before a trailing VALUES": "SELECT ?c ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 50000 VALUES ?c { tsk:State tsk:Person }",
    "subquery with its own LIMIT": "SELECT ?s ?l WHERE { { SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 2 } ?s rdfs:label ?l } ORDER BY ?l",
    "subquery, outer LIMIT": "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1000 } } LIMIT 20000",
    "DISTINCT": "SELECT DISTINCT ?c WHERE { ?x a ?c } ORDER BY ?c",
    "nested braces and brackets": "SELECT ?s WHERE { { ?s a tsk:State } UNION { ?s a tsk:Person ; tsk:holds [ ] } OPTIONAL { ?s rdfs:label ?l FILTER (STRLEN(?l) > (1)) } }",
    "keywords in strings and IRIs": "SELECT ?s WHERE { ?s rdfs:label ?l FILTER (?l != \"} LIMIT 1\" && ?s != <urn:LIMIT:1>) } # LIMIT 1",
    "zero rows": "SELECT ?s WHERE { ?s a <urn:nothing> }",
    "no variables": "SELECT * WHERE { }",
    "values with line breaks, quotes, commas": 'SELECT ?v WHERE { VALUES ?v { "a,b" "x\\"y" "line\\nbreak" "tab\\tstop" "<result>" "},{" } }',
    "glued LIMIT the reader does not see": "SELECT ?s WHERE { ?s a tsk:State } LIMIT10",
}


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return ox.Store.read_only(str(app.extensions["tskg.build"].store_path))


def old_path(store, text, media_type, max_rows):
    """What the server gave before: the whole result, cut row by row while writing it in Python."""
    result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    return serialize_result(result, media_type, max_rows)


def new_path(store, info, text, media_type, max_rows):
    return execute_on_store(store, query_request(text, info, media_type, max_rows, ("union",), None, PREFIXES))


ORDERED = {"LIMIT over the cap", "LIMIT under the cap", "OFFSET then LIMIT", "LIMIT then OFFSET", "OFFSET alone", "ORDER BY",
           "GROUP BY, HAVING", "DISTINCT", "zero rows", "no variables"}


def rows_of(out) -> Counter:
    """The solutions of a serialized result as a multiset of rows of strings (the header first)."""
    if out.media_type == "text/csv":  # pyoxigraph does not read CSV results back
        table = list(csv.reader(io.StringIO(out.body.decode("utf-8"), newline="")))
        return Counter([("head", *table[0])] + [tuple(row) for row in table[1:]]) if table else Counter()
    solutions = ox.parse_query_results(out.body, format=RESULTS_FORMATS[out.media_type])
    names = [v.value for v in solutions.variables]
    return Counter([("head", *names)] + [tuple(str(s[n]) if s[n] is not None else "" for n in names) for s in solutions])


def check_same(store, info, text, max_rows, formats=FORMATS, ordered=False):
    for media_type in formats:
        want = old_path(store, text, media_type, max_rows)
        got = new_path(store, info, text, media_type, max_rows)
        assert (got.rows, got.truncated, got.kind) == (want.rows, want.truncated, want.kind), (media_type, max_rows)
        assert count_rows(got.body, RESULTS_FORMATS[media_type]) == got.rows
        if ordered:
            assert got.body == want.body, (media_type, max_rows)
        elif not want.truncated:
            assert rows_of(got) == rows_of(want), (media_type, max_rows)
        else:
            assert rows_of(got) <= rows_of(old_path(store, text, media_type, None)), (media_type, max_rows)


def saved(project) -> dict[str, tuple]:
    out = {}
    for name, query in sorted(load_folder(project.queries_dir).items()):
        try:
            bindings = query.bindings({})
        except ValueError:
            continue
        out[name] = (query.query, bindings)
    return out


def test_every_saved_query_gives_the_same_rows(store, project):
    queries = saved(project)
    assert len(queries) >= 20
    selects = 0
    for name, (query, bindings) in queries.items():
        info = inspect_query(query, None, PREFIXES)
        text = bind(info, bindings)
        if info.kind != "select":
            continue
        selects += 1
        full = old_path(store, text, FORMATS[0], None).rows
        for max_rows in sorted({0, max(full - 1, 0), full}):  # cut, and exactly at the limit
            check_same(store, info, text, max_rows, FORMATS[:1])
        check_same(store, info, text, 10_000)  # the server's default, in every format
    assert selects >= 15


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_give_the_same_rows(store, case):
    info = inspect_query(EDGE_CASES[case], None, PREFIXES)
    full = old_path(store, info.text, FORMATS[0], None).rows
    for max_rows in sorted({0, 1, 3, max(full - 1, 0), full, full + 1, 10_000}):
        check_same(store, info, info.text, max_rows, ordered=case in ORDERED)


def test_the_rewrite_lowers_or_adds_a_top_level_limit_only():
    def capped(query, most=11):
        info = inspect_query(query, None, PREFIXES)
        return limit_solutions(info, info.text, most)

    assert capped("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o } LIMIT 11"
    assert capped("SELECT * WHERE { ?s ?p ?o } LIMIT 5") == "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
    assert capped("SELECT * WHERE { ?s ?p ?o } OFFSET 2 LIMIT 500") == "SELECT * WHERE { ?s ?p ?o } OFFSET 2 LIMIT 11"
    assert capped("SELECT * { ?s ?p ?o } VALUES ?s { <a:b> }") == "SELECT * { ?s ?p ?o } LIMIT 11 VALUES ?s { <a:b> }"
    assert capped("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 99 } }") == "SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 99 } } LIMIT 11"
    assert capped("ASK { ?s ?p ?o }") is None
    assert capped("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 99") is None  # a CONSTRUCT's LIMIT counts solutions
    assert capped("DESCRIBE <a:b>") is None


def test_the_rewrite_reads_bound_text_again():
    """Parameters bound into the text move the positions: the LIMIT is found in the text as bound."""
    info = inspect_query('SELECT ?x ?l WHERE { ?x rdfs:label ?l } ORDER BY ?x LIMIT 500 VALUES ?q { "a" }', None, PREFIXES)
    text = bind(info, {"x": ox.NamedNode("https://w3id.org/tskg/id/a-rather-long-name-to-shift-positions")})
    out = limit_solutions(info, text, 7)
    assert out == text.replace("LIMIT 500", "LIMIT 7")


def test_an_over_limit_result_is_cut_and_said_so(store):
    info = inspect_query("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l", None, PREFIXES)
    out = new_path(store, info, info.text, FORMATS[0], 5)
    assert out.truncated and out.rows == 5
    assert count_rows(out.body, RESULTS_FORMATS[FORMATS[0]]) == 5


def test_a_syntax_error_keeps_its_position(store):
    """The capped text fails to parse as the text does; the error is the text's own, at the user's position."""
    query = "SELECT ?s WHERE { ?s ?p ?o }\nORDER BY ?s\nVALUES ?s { <a:b> ( }"
    info = inspect_query(query, None, PREFIXES)
    with pytest.raises(SyntaxError) as capped:
        new_path(store, info, info.text, FORMATS[0], 10)
    with pytest.raises(SyntaxError) as plain:
        store.query(info.text, prefixes=PREFIXES)
    assert str(capped.value) == str(plain.value)
