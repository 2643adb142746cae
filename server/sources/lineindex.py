"""Where each term and triple is written in the Turtle sources: a file:line index.

Neither pySHACL nor rdflib keeps source positions, so validation reports would otherwise
name a focus node without saying where it is. This module reads Turtle a second time with a
small tokenizer and parser of its own that records, per triple, where its subject, predicate
and object are written, and builds from that:

  - per subject: the file:line:column of its first appearance as a subject in each file
    (the subject token; for `[ ... ]` the bracket; for a collection node its element);
  - per term: its first appearance as an object in each file;
  - per (subject, predicate, object): where the object is written;
  - per (subject, predicate): where the predicate is first written for that subject.

The strict gate (server.sources.turtle, pyoxigraph) stays the judge of what is valid Turtle and of
the triples themselves: a file is indexed only after the gate accepted it, and the index is
keyed by the gate's terms. Labelled blank nodes keep their labels in pyoxigraph's output, so
they match directly; anonymous ones (`[ ... ]` and collections) get fresh random identifiers
there, and are matched to ours by the content of the tree they head (in Turtle an anonymous
blank node has at most one incoming edge, so those nodes form trees).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST, RDF_REST, RDF_NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Anon:
    """An anonymous blank node of our own parse (`[]`, `[ ... ]` or a collection node)."""

    number: int


@dataclass(frozen=True)
class Statement:
    """One triple as written, with where each of its terms is written."""

    subject: object
    predicate: ox.NamedNode
    object: object
    subject_at: Location
    predicate_at: Location
    object_at: Location


class TurtleIndexError(Exception):
    """The tokenizer could not follow the text (only for input the strict gate would reject)."""


# --- tokens --------------------------------------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
    f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>(?:[ \t\r\n]+|#[^\r\n]*)+)",
            rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)",
            r'(?P<long2>"""(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*""")',
            r"(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*''')",
            r'(?P<string2>"(?:[^"\\\n\r]|\\.)*")',
            r"(?P<string1>'(?:[^'\\\n\r]|\\.)*')",
            r"(?P<double>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+))",
            r"(?P<decimal>[+-]?[0-9]*\.[0-9]+)",
            r"(?P<integer>[+-]?[0-9]+)",
            rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<directive>@(?:prefix|base)\b)",
            r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<word>[A-Za-z]+)",
            r"(?P<punct>\^\^|[\[\]().;,])",
        ]
    )
)

_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def _unescape(text: str) -> str:
    def replace(m: re.Match) -> str:
        if m.group(1) or m.group(2):
            return chr(int(m.group(1) or m.group(2), 16))
        return _ECHAR.get(m.group(3), m.group(3))

    return _ESCAPE.sub(replace, text) if "\\" in text else text


@dataclass
class _Token:
    kind: str
    text: str
    offset: int


def _tokens(text: str) -> Iterator[_Token]:
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise TurtleIndexError(f"unexpected character {text[pos]!r} at offset {pos}")
        if m.lastgroup != "ws":
            yield _Token(m.lastgroup, m.group(), pos)
        pos = m.end()


# --- IRI resolution (RFC 3986, section 5.2) ---------------------------------------------------

_IRI_PARTS = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)


def _remove_dot_segments(path: str) -> str:
    output: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if output:
                output.pop()
        elif path == "/..":
            path = "/"
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            cut = path.find("/", start)
            cut = len(path) if cut < 0 else cut
            output.append(path[:cut])
            path = path[cut:]
    return "".join(output)


def resolve_iri(base: str | None, reference: str) -> str:
    """`reference` resolved against `base` as RFC 3986 says (the W3C suite checks it)."""
    if base is None:
        return reference
    r_scheme, r_auth, r_path, r_query, r_frag = _IRI_PARTS.match(reference).groups()
    if r_scheme is not None:
        scheme, auth, path, query = r_scheme, r_auth, _remove_dot_segments(r_path), r_query
    else:
        b_scheme, b_auth, b_path, b_query, _ = _IRI_PARTS.match(base).groups()
        scheme = b_scheme
        if r_auth is not None:
            auth, path, query = r_auth, _remove_dot_segments(r_path), r_query
        else:
            auth = b_auth
            if r_path == "":
                path, query = b_path, (r_query if r_query is not None else b_query)
            else:
                if r_path.startswith("/"):
                    path = _remove_dot_segments(r_path)
                else:
                    if b_auth is not None and b_path == "":
                        merged = "/" + r_path
                    else:
                        merged = b_path[: b_path.rfind("/") + 1] + r_path
                    path = _remove_dot_segments(merged)
                query = r_query
    result = f"{scheme}:" if scheme is not None else ""
    if auth is not None:
        result += f"//{auth}"
    result += path
    if query is not None:
        result += f"?{query}"
    if r_frag is not None:
        result += f"#{r_frag}"
    return result


# --- the parser --------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the Turtle grammar, producing Statements in document order."""

    def __init__(self, text: str, file: str, base_iri: str | None):
        self.text = text
        self.file = file
        self.base = base_iri
        self.prefixes: dict[str, str] = {}
        self.tokens = list(_tokens(text))
        self.i = 0
        self.anon = 0
        self.statements: list[Statement] = []
        self.labels: set[str] = set()
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    # positions
    def at(self, token: _Token) -> Location:
        line = bisect.bisect_right(self._line_starts, token.offset)
        return Location(self.file, line, token.offset - self._line_starts[line - 1] + 1)

    # token helpers
    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise TurtleIndexError("unexpected end of file")
        self.i += 1
        return token

    def expect(self, text: str) -> _Token:
        token = self.next()
        if token.text != text:
            raise TurtleIndexError(f"expected {text!r}, found {token.text!r} at {self.at(token)}")
        return token

    def is_punct(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "punct" and token.text == text

    def new_anon(self) -> Anon:
        self.anon += 1
        return Anon(self.anon)

    def emit(self, s, s_at, p, p_at, o, o_at) -> None:
        self.statements.append(Statement(s, p, o, s_at, p_at, o_at))

    # grammar
    def parse(self) -> list[Statement]:
        while self.peek() is not None:
            self.statement()
        return self.statements

    def statement(self) -> None:
        token = self.peek()
        if token.kind == "directive":
            self.next()
            self.directive(token.text[1:], sparql=False)
        elif token.kind == "word" and token.text.lower() in ("prefix", "base"):
            self.next()
            self.directive(token.text.lower(), sparql=True)
        else:
            self.triples()
            self.expect(".")

    def directive(self, name: str, sparql: bool) -> None:
        if name == "prefix":
            prefix = self.next()
            iri = self.next()
            self.prefixes[prefix.text[:-1]] = self.iri_value(iri)
        else:
            self.base = self.iri_value(self.next())
        if not sparql:
            self.expect(".")

    def triples(self) -> None:
        token = self.peek()
        if token.kind == "punct" and token.text == "[":
            subject, at = self.blank_node_property_list()
            if not self.is_punct("."):
                self.predicate_object_list(subject, at)
        else:
            subject, at = self.subject()
            self.predicate_object_list(subject, at)

    def subject(self):
        token = self.peek()
        if token.kind == "punct" and token.text == "(":
            return self.collection()
        self.next()
        return self.term(token), self.at(token)

    def predicate_object_list(self, subject, subject_at) -> None:
        while True:
            token = self.next()
            predicate = RDF_TYPE if (token.kind == "word" and token.text == "a") else self.term(token)
            predicate_at = self.at(token)
            self.object_list(subject, subject_at, predicate, predicate_at)
            if not self.is_punct(";"):
                return
            while self.is_punct(";"):
                self.next()
            token = self.peek()
            if token is None or (token.kind == "punct" and token.text in ".]"):
                return

    def object_list(self, subject, subject_at, predicate, predicate_at) -> None:
        while True:
            obj, obj_at = self.object()
            self.emit(subject, subject_at, predicate, predicate_at, obj, obj_at)
            if not self.is_punct(","):
                return
            self.next()

    def object(self):
        token = self.peek()
        if token.kind == "punct" and token.text == "[":
            return self.blank_node_property_list()
        if token.kind == "punct" and token.text == "(":
            return self.collection()
        self.next()
        if token.kind in ("long2", "long1", "string2", "string1"):
            return self.literal(token), self.at(token)
        return self.term(token), self.at(token)

    def blank_node_property_list(self):
        open_ = self.expect("[")
        node, at = self.new_anon(), self.at(open_)
        if not self.is_punct("]"):
            self.predicate_object_list(node, at)
        self.expect("]")
        return node, at

    def collection(self):
        open_ = self.expect("(")
        items = []
        while not self.is_punct(")"):
            items.append(self.object())
        self.expect(")")
        if not items:
            return RDF_NIL, self.at(open_)
        nodes = [self.new_anon() for _ in items]
        for k, ((item, item_at), node) in enumerate(zip(items, nodes)):
            self.emit(node, item_at, RDF_FIRST, item_at, item, item_at)
            rest = nodes[k + 1] if k + 1 < len(nodes) else RDF_NIL
            self.emit(node, item_at, RDF_REST, item_at, rest, items[k + 1][1] if k + 1 < len(items) else item_at)
        return nodes[0], self.at(open_)

    def literal(self, token: _Token) -> ox.Literal:
        quote = 3 if token.kind.startswith("long") else 1
        value = _unescape(token.text[quote:-quote])
        nxt = self.peek()
        if nxt is not None and nxt.kind in ("langtag", "directive"):  # `"x"@base` is a language tag
            self.next()
            return ox.Literal(value, language=nxt.text[1:])
        if nxt is not None and nxt.kind == "punct" and nxt.text == "^^":
            self.next()
            return ox.Literal(value, datatype=self.term(self.next()))
        return ox.Literal(value)

    def iri_value(self, token: _Token) -> str:
        if token.kind == "iri":
            return resolve_iri(self.base, _unescape(token.text[1:-1]))
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise TurtleIndexError(f"undeclared prefix {prefix!r} at {self.at(token)}")
            return self.prefixes[prefix] + (_LOCAL_ESCAPE.sub(r"\1", local) if "\\" in local else local)
        raise TurtleIndexError(f"expected an IRI, found {token.text!r} at {self.at(token)}")

    def term(self, token: _Token):
        kind = token.kind
        if kind in ("iri", "pname"):
            return ox.NamedNode(self.iri_value(token))
        if kind == "bnode":
            label = token.text[2:]
            self.labels.add(label)
            return ox.BlankNode(label)
        if kind in ("integer", "decimal", "double"):
            return ox.Literal(token.text, datatype=ox.NamedNode(XSD + kind))
        if kind == "word" and token.text in ("true", "false"):
            return ox.Literal(token.text, datatype=ox.NamedNode(XSD + "boolean"))
        if kind in ("long2", "long1", "string2", "string1"):
            return self.literal(token)
        raise TurtleIndexError(f"unexpected {token.text!r} at {self.at(token)}")


def parse_statements(text: str, file: str, base_iri: str | None = None) -> tuple[list[Statement], set[str]]:
    """The triples of a Turtle text as written, and the blank node labels it uses."""
    statements, labels, _ = _parse(text, file, base_iri)
    return statements, labels


def _parse(text: str, file: str, base_iri: str | None):
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _Parser(text, file, base_iri)
    return parser.parse(), parser.labels, parser.prefixes


# --- matching anonymous blank nodes to the gate's -------------------------------------------------


def _tree_digests(triples: Iterable[tuple], is_anon) -> dict:
    """A digest per anonymous node of the content of the tree it heads (iteratively: long
    collections are deep)."""
    out: dict = defaultdict(list)
    for s, p, o in triples:
        if is_anon(s):
            out[s].append((p, o))
    digests: dict = {}
    for root in out:
        stack = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if node in digests:
                continue
            children = [o for _, o in out.get(node, ()) if is_anon(o) and o not in digests]
            if children and not children_done:
                stack.append((node, True))
                stack.extend((c, False) for c in children)
                continue
            parts = sorted(
                f"{p}\t{'@' + digests[o] if is_anon(o) else str(o)}" for p, o in set(out.get(node, ()))
            )
            digests[node] = hashlib.sha1("\n".join(parts).encode()).hexdigest()
    return digests


def match_anonymous(statements: list[Statement], labels: set[str], triples: list[ox.Triple]) -> dict:
    """Map our Anon nodes to the gate's blank nodes holding the same tree of triples."""
    ours = _tree_digests(((st.subject, st.predicate, st.object) for st in statements), lambda t: isinstance(t, Anon))

    def theirs_anon(t) -> bool:
        return isinstance(t, ox.BlankNode) and t.value not in labels

    theirs = _tree_digests(((t.subject, t.predicate, t.object) for t in triples), theirs_anon)
    # an anonymous node of theirs with no outgoing triple (a bare `[]`) has no digest yet
    for t in triples:
        for term in (t.subject, t.object):
            if theirs_anon(term) and term not in theirs:
                theirs[term] = hashlib.sha1(b"").hexdigest()
    for st in statements:
        for term in (st.subject, st.object):
            if isinstance(term, Anon) and term not in ours:
                ours[term] = hashlib.sha1(b"").hexdigest()
    by_digest: dict = defaultdict(list)
    for node, digest in sorted(theirs.items(), key=lambda kv: kv[0].value):
        by_digest[digest].append(node)
    mapping = {}
    for node, digest in sorted(ours.items(), key=lambda kv: kv[0].number):
        if by_digest.get(digest):
            mapping[node] = by_digest[digest].pop(0)
    return mapping


# --- the index ---------------------------------------------------------------------------------


@dataclass
class LineIndex:
    """Positions of terms and triples over any number of files (see the module docstring)."""

    subject_at: dict = field(default_factory=lambda: defaultdict(list))
    object_at: dict = field(default_factory=lambda: defaultdict(list))
    triple_at: dict = field(default_factory=dict)
    predicate_at: dict = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)  # as the files declare them (first wins)
    unmatched: int = 0  # anonymous nodes of ours the gate's triples did not have (should be 0)

    def add_file(self, text: str, file: str, triples: list[ox.Triple], base_iri: str | None = None,
                 rename=None) -> None:
        """Index `text` (already accepted by the gate, which produced `triples`). `rename` maps
        the gate's blank nodes to the ones the caller keeps in its graph (files are merged
        with blank nodes scoped per file)."""
        statements, labels, prefixes = _parse(text, file, base_iri)
        for prefix, namespace in prefixes.items():
            self.prefixes.setdefault(prefix, namespace)
        anon = match_anonymous(statements, labels, triples)
        rename = rename or (lambda b: b)

        def key(term):
            if isinstance(term, Anon):
                found = anon.get(term)
                return rename(found) if found is not None else None
            if isinstance(term, ox.BlankNode):
                return rename(term)
            return term

        self.files.append(file)
        seen_subjects: set = set()
        seen_objects: set = set()
        unmatched: set = set()
        for st in statements:
            s, o = key(st.subject), key(st.object)
            if s is None:
                unmatched.add(st.subject)
                continue
            if s not in seen_subjects:
                seen_subjects.add(s)
                self.subject_at[s].append(st.subject_at)
            if o is None:
                unmatched.add(st.object)
            else:
                if o not in seen_objects:
                    seen_objects.add(o)
                    self.object_at[o].append(st.object_at)
                self.triple_at.setdefault((s, st.predicate, o), st.object_at)
            self.predicate_at.setdefault((s, st.predicate), st.predicate_at)
        self.unmatched += len(unmatched)

    # look-ups ------------------------------------------------------------------------------
    def where_subject(self, term, prefer: Iterable[str] = ()) -> Location | None:
        """Where `term` is first written as a subject; failing that, where it is first written
        as an object. The `prefer`red files come first: a node a given file mentions is shown
        there (as subject, else as object) before where another file describes it."""
        preferred = set(prefer)
        for table, only_preferred in ((self.subject_at, True), (self.object_at, True),
                                      (self.subject_at, False), (self.object_at, False)):
            locations = table.get(term, [])
            if only_preferred:
                locations = [loc for loc in locations if loc.file in preferred]
            if locations:
                return locations[0]
        return None

    def where_triple(self, s, p, o=None) -> Location | None:
        """Where the object of (s, p, o) is written; with no `o` (or an unknown one), where
        `p` is first written for `s`."""
        if o is not None and (s, p, o) in self.triple_at:
            return self.triple_at[(s, p, o)]
        return self.predicate_at.get((s, p))

