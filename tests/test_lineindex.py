"""The file:line index (server.sources.lineindex): positions of subjects, predicates and objects.

Two kinds of test: the index's own parse must give exactly the triples the strict gate gives
(checked on every evaluation test of the W3C Turtle suite, and every anonymous blank node must
be matched to the gate's), and the positions must be the ones a reader sees in the file.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from server.sources.lineindex import Anon, LineIndex, Location, match_anonymous, parse_statements, resolve_iri
from server.sources.turtle import parse_turtle
from test_turtle_w3c import ENTRIES, EVAL

SUITE = Path(__file__).resolve().parent.parent.parent / "shared" / "w3c" / "rdf" / "rdf11" / "rdf-turtle"
BASE = "http://example.org/dir/file.ttl"
EX = "http://example.org/"


def N(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def index_of(text: str, file: str = "f.ttl", rename=None) -> tuple[LineIndex, list[ox.Triple]]:
    triples = parse_turtle(text.encode(), file, base_iri=BASE)
    index = LineIndex()
    index.add_file(text, file, triples, base_iri=BASE, rename=rename)
    return index, triples


def at(line: int, column: int, file: str = "f.ttl") -> Location:
    return Location(file, line, column)


# --- the index parses what the gate parses ---------------------------------------------------

def _eval_actions() -> list[Path]:
    return [e["action"] for e in ENTRIES if e["type"] == EVAL]


@pytest.mark.parametrize("path", _eval_actions() or [pytest.param(None, marks=pytest.mark.skip(
    reason=f"{SUITE} not found: the W3C Turtle suite lives in ../shared beside the checkout"))],
    ids=lambda p: p.name if p else "absent")
def test_same_triples_as_the_gate_on_w3c_eval_documents(path):
    data = path.read_bytes()
    base = "http://www.w3.org/2013/TurtleTests/" + path.name
    theirs = parse_turtle(data, path.name, base_iri=base)
    statements, labels = parse_statements(data.decode("utf-8"), path.name, base)
    mapping = match_anonymous(statements, labels, theirs)
    anon = {t for st in statements for t in (st.subject, st.object) if isinstance(t, Anon)}
    assert set(mapping) == anon, "every anonymous blank node matched to one of the gate's"

    def term(t):
        return mapping[t] if isinstance(t, Anon) else t

    ours = {ox.Triple(term(st.subject), st.predicate, term(st.object)) for st in statements}
    assert ours == set(theirs)


# --- positions ------------------------------------------------------------------------------

DOC = """\
# a comment with <not an iri> and "not a string"
@prefix ex: <http://example.org/> .
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

ex:alice a ex:Person ;   # trailing comment
    rdfs:label "Alice" , "Alicia"@es ;
    ex:knows [ a ex:Person ;
               ex:name \"\"\"Bob
spans "two" lines\"\"\" ] ;
    ex:list ( ex:one
              ex:two ) .

<http://example.org/carol>
    ex:age 42 ;
    ex:note 'it\\'s # not a comment' .
_:x ex:p ex:alice .
[ ex:q 1.5e0 ] .
"""


def test_subject_positions():
    index, _ = index_of(DOC)
    assert index.where_subject(N("alice")) == at(5, 1)
    assert index.where_subject(N("carol")) == at(13, 1)
    assert index.where_subject(ox.BlankNode("x")) == at(16, 1)


def test_object_positions_including_long_strings_and_escapes():
    index, _ = index_of(DOC)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert index.where_triple(N("alice"), label, ox.Literal("Alice")) == at(6, 16)
    assert index.where_triple(N("alice"), label, ox.Literal("Alicia", language="es")) == at(6, 26)
    assert index.where_triple(N("carol"), N("age"), ox.Literal("42", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))) == at(14, 12)
    # after the two-line string, lines still count right
    assert index.where_triple(N("carol"), N("note"), ox.Literal("it's # not a comment")) == at(15, 13)
    # a predicate without the object: where the predicate is first written for the subject
    assert index.where_triple(N("alice"), label) == at(6, 5)
    assert index.where_triple(N("alice"), N("nothing")) is None


def test_blank_node_property_lists_and_collections():
    index, triples = index_of(DOC)
    bob = next(t.object for t in triples if t.predicate == N("knows"))
    assert isinstance(bob, ox.BlankNode)
    assert index.where_subject(bob) == at(7, 14)  # the bracket
    bob_name = next(t.object for t in triples if t.subject == bob and t.predicate == N("name"))
    assert bob_name.value == 'Bob\nspans "two" lines'
    assert index.where_triple(bob, N("name"), bob_name) == at(8, 24)
    head = next(t.object for t in triples if t.predicate == N("list"))
    assert index.where_triple(N("alice"), N("list"), head) == at(10, 13)  # the parenthesis
    first = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
    rest = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
    second = next(t.object for t in triples if t.subject == head and t.predicate == rest)
    assert index.where_triple(second, first, N("two")) == at(11, 15)
    top = next(t.subject for t in triples if t.predicate == N("q"))
    assert index.where_subject(top) == at(17, 1)
    assert index.unmatched == 0


def test_crlf_and_bom_count_lines_like_an_editor():
    text = "\ufeff@prefix ex: <http://example.org/> .\r\n\r\nex:a ex:p ex:b ;\r\n  ex:q \"x\" .\r\n"
    triples = parse_turtle(text.encode(), "f.ttl", base_iri=BASE)
    index = LineIndex()
    index.add_file(text, "f.ttl", triples, base_iri=BASE)
    assert index.where_subject(N("a")) == at(3, 1)
    assert index.where_triple(N("a"), N("q"), ox.Literal("x")) == at(4, 8)


def test_relative_iris_and_prefixed_names_with_escapes():
    text = "@base <http://example.org/base/> .\n@prefix : <http://example.org/> .\n<rel> :p\\.q :r\\-s%20t .\n"
    index, triples = index_of(text)
    assert triples[0].subject == ox.NamedNode("http://example.org/base/rel")
    assert triples[0].predicate == N("p.q")
    assert index.where_triple(ox.NamedNode("http://example.org/base/rel"), N("p.q"), N("r-s%20t")) == at(3, 13)


def test_several_files_and_preferred_file():
    a = "@prefix ex: <http://example.org/> .\nex:s ex:p 1 .\n"
    b = "@prefix ex: <http://example.org/> .\n\n\nex:s ex:q 2 .\n_:n ex:p ex:s .\n"
    index = LineIndex()
    for text, name in ((a, "a.ttl"), (b, "b.ttl")):
        triples = parse_turtle(text.encode(), name, base_iri=BASE)
        index.add_file(text, name, triples, base_iri=BASE, rename=lambda n, name=name: ox.BlankNode(f"{name[0]}_{n.value}"))
    assert index.where_subject(N("s")) == at(2, 1, "a.ttl")
    assert index.where_subject(N("s"), prefer=["b.ttl"]) == at(4, 1, "b.ttl")
    # a preferred file that only mentions the node: the mention, before another file's description
    assert index.where_subject(N("s"), prefer=["c.ttl"]) == at(2, 1, "a.ttl")
    c = "@prefix ex: <http://example.org/> .\nex:t ex:p\n   ex:s .\n"
    index.add_file(c, "c.ttl", parse_turtle(c.encode(), "c.ttl", base_iri=BASE), base_iri=BASE)
    assert index.where_subject(N("s"), prefer=["c.ttl"]) == at(3, 4, "c.ttl")
    # blank nodes are scoped per file through `rename`
    assert index.where_subject(ox.BlankNode("b_n")) == at(5, 1, "b.ttl")
    assert index.where_subject(ox.BlankNode("n")) is None


def test_object_only_terms_are_found_where_used():
    index, _ = index_of("@prefix ex: <http://example.org/> .\nex:a ex:p\n  ex:only-an-object .\n")
    assert index.where_subject(N("only-an-object")) == at(3, 3)


@pytest.mark.parametrize("base,ref,expected", [
    ("http://a/b/c/d;p?q", "g", "http://a/b/c/g"),
    ("http://a/b/c/d;p?q", "../g", "http://a/b/g"),
    ("http://a/b/c/d;p?q", "../../../g", "http://a/g"),
    ("http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y"),
    ("http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"),
    ("http://a/b/c/d;p?q", "//g", "http://g"),
    ("http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q"),
    ("http://a/b/c/d;p?q", "g:h", "g:h"),
])
def test_rfc3986_resolution(base, ref, expected):
    assert resolve_iri(base, ref) == expected
