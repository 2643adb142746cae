"""Reading a SPARQL query before it runs: one linear scan that decides what the engine will run.

The scan splits the text into tokens exactly as pyoxigraph's parser does (its lexical rules are
mirrored here, quirks included: a prefixed name's local part holds at most one group of dots, and
`\\u` escapes count only inside strings and IRIs), then writes the text the engine receives:

- comments are blanked (same length, so positions do not move);
- a string holding a quote, a backslash or a line break is rewritten as a one-line string whose
  every such character is a `\\uXXXX` escape; other strings and all IRIs are kept as written.

After that the engine's text has no comment, and no quote character except the delimiters of
strings, so no reading of it can turn something the scan took for text into code. The decision
(refuse SERVICE, check the FROM graphs, find the query form) is made on the tokens of that very
text, never on a second reading of the original.

pyoxigraph's parser matches keywords without a word boundary (`SELECTDISTINCT` and `FROMx:g` are
accepted, and `SERVICE:x` runs a SERVICE call on the empty prefix), so a bare word containing
"service", or a prefixed name whose prefix contains it, is refused like the keyword itself; the
same goes for "from" glued to anything. Undeclared prefixes get a clear message before parsing.

Nesting (brackets, and runs of prefix operators such as `!!!!`) deeper than MAX_NESTING is refused
with a 400: the parser recurses, and the query processes run it on a large stack besides.
The scan is linear in the length of the text: no pattern is tried again from a later position.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urljoin

from .errors import QueryError

MAX_NESTING = 100
READ_ONLY_MESSAGE = (
    "this endpoint is read-only: SPARQL updates are not accepted. The data changes by editing the Turtle "
    "files in graph/ of the project repository and opening a pull request."
)
SERVICE_MESSAGE = (
    "SERVICE is not allowed here: this endpoint never sends queries to other services. "
    "Query the other service directly."
)

# --- the engine's lexical rules (spargebra 0.5's grammar, terminals [139]-[173]) ----------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_HEX4, _HEX8 = r"[0-9A-Fa-f]{4}", r"[0-9A-Fa-f]{8}"
_ESCAPE = rf"\\[tbnrf\"'\\]|\\u{_HEX4}|\\U{_HEX8}"

_PATTERNS = {
    "ws": r"[ \t\r\n]+",
    "comment": r"#[^\r\n]*",
    "iri": rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|\\u{_HEX4}|\\U{_HEX8})*>",
    "long_string": rf"\"\"\"(?:(?:\"\"|\")?(?:[^\"\\]|{_ESCAPE}))*\"\"\"|'''(?:(?:''|')?(?:[^'\\]|{_ESCAPE}))*'''",
    "string": rf"\"(?:[^\"\\\r\n]|{_ESCAPE})*\"|'(?:[^'\\\r\n]|{_ESCAPE})*'",
    "var": rf"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*",
    "bnode": rf"_:[{_PN_CHARS_U}0-9][{_PN_CHARS}]*(?:\.+[{_PN_CHARS}]+)*",
    "lang": r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?",
    "number": r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+",
    # PN_PREFIX? ':' PN_LOCAL? with the engine's PN_LOCAL: one group of dots at most.
    "pname": (
        rf"(?:[{_PN_CHARS_BASE}][{_PN_CHARS}]*(?:\.+[{_PN_CHARS}]+)*)?:"
        rf"(?:(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:[{_PN_CHARS}:]|{_PLX})*(?:\.+(?:[{_PN_CHARS}:]|{_PLX})+)?)?"
    ),
    "word": r"[A-Za-z_][A-Za-z0-9_]*",
    "operator": r"&&|\|\||!=|<=|>=|\^\^|[=!<>*/+\-|^?,;.(){}\[\]]",
}
_MATCHERS = {name: re.compile(pattern) for name, pattern in _PATTERNS.items()}
# Which token kinds to try, by the first character (order matters where two could match).
_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _c in " \t\r\n":
    _BY_FIRST[_c] = ("ws",)
_BY_FIRST["#"] = ("comment",)
_BY_FIRST["<"] = ("iri", "operator")
_BY_FIRST['"'] = _BY_FIRST["'"] = ("long_string", "string")
_BY_FIRST["?"] = ("var", "operator")
_BY_FIRST["$"] = ("var",)
_BY_FIRST["@"] = ("lang",)
_BY_FIRST[":"] = ("pname",)
_BY_FIRST["."] = ("number", "operator")
for _c in "0123456789":
    _BY_FIRST[_c] = ("number",)
for _c in "=!>*/+-|^,;(){}[]&":
    _BY_FIRST[_c] = ("operator",)

_NAME_START = re.compile(f"[{_PN_CHARS_BASE}_]")
_PREFIX_RUN = re.compile(rf"[{_PN_CHARS_BASE}_][{_PN_CHARS}]*(?:\.+[{_PN_CHARS}]+)*")
_OPENERS, _CLOSERS = "({[", ")}]"
_PREFIX_OPERATORS = {"!", "^", "-", "+"}
_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_UCHAR = re.compile(rf"\\u({_HEX4})|\\U({_HEX8})")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_STRING_ESCAPE = re.compile(rf"\\([tbnrf\"'\\])|\\u({_HEX4})|\\U({_HEX8})")
_UNSAFE_IN_STRING = set("\"'\\\r\n")


@dataclass
class Token:
    kind: str    # a key of _PATTERNS, without "ws" and "comment"; long strings are "string"
    text: str    # as the engine receives it (a rewritten string differs from the original)
    start: int   # offset in the original text
    end: int


@dataclass
class QueryInfo:
    """What a query is, read once: the text to run, its form, its dataset and where things are."""

    original: str
    text: str                        # what the engine runs
    tokens: list[Token]
    kind: str | None                 # "select" | "ask" | "graph", or None (no query form found)
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    undeclared: dict[str, str] = field(default_factory=dict)  # predeclared prefixes the text relies on
    _starts: list[int] = field(default_factory=list, repr=False)  # token starts in `text`

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)

    def original_position(self, line: int, column: int) -> tuple[int, int]:
        """Line and column (1-based) in the original text of a position the engine reported in `text`."""
        offset = _offset(self.text, line, column)
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return line_column(self.original, offset)
        token = self.tokens[i]
        inside = offset - self._starts[i]
        if inside < len(token.text):  # within a token: a rewritten string maps to its own span
            original = token.start + min(inside, token.end - token.start - 1)
        else:  # in the blanks after it, which keep their length
            original = token.end + inside - len(token.text)
        return line_column(self.original, original)

    def token_at(self, line: int, column: int) -> Token | None:
        """The token of `text` at or after the engine's position (line, column), if any."""
        offset = _offset(self.text, line, column)
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self._starts[i] + len(self.tokens[i].text):
            return self.tokens[i]
        return self.tokens[i + 1] if i + 1 < len(self.tokens) else None


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(len(text), start + max(0, column - 1))


def _error(status: int, original: str, offset: int, message: str) -> QueryError:
    line, column = line_column(original, offset)
    return QueryError(status, f"line {line}, column {column}: {message}", line=line, column=column)


def tokenize(text: str) -> tuple[list[Token], str]:
    """The tokens of `text` and the text the engine will run (see the module docstring)."""
    tokens: list[Token] = []
    pieces: list[str] = []
    pos, n = 0, len(text)
    no_pname_before = 0  # a prefix-like run ending here has no ':' after it (see _name_kinds)
    while pos < n:
        char = text[pos]
        kinds = _BY_FIRST.get(char)
        if kinds is None:
            kinds, no_pname_before = _name_kinds(text, pos, no_pname_before)
        match = kind = None
        for kind in kinds:
            match = _MATCHERS[kind].match(text, pos)
            if match:
                break
        if not match:
            raise _unreadable(text, pos)
        end = match.end()
        chunk = match.group()
        if kind == "ws":
            pieces.append(chunk)
        elif kind == "comment":
            pieces.append(" " * len(chunk))
        else:
            if kind in ("long_string", "string"):
                chunk = _engine_string(chunk, text, pos)
                kind = "string"
            tokens.append(Token(kind, chunk, pos, end))
            pieces.append(chunk)
        pos = end
    return tokens, "".join(pieces)


def _name_kinds(text: str, pos: int, no_pname_before: int) -> tuple[tuple[str, ...], int]:
    """At a letter: a prefixed name if a prefix run followed by ':' starts here, else a word.

    Every prefix run starting inside an earlier one ends where that one ended, so once a run is
    known to have no ':' after it, its later positions are not scanned again (`a.a.a.a…` stays linear)."""
    if not _NAME_START.match(text, pos):
        return (), no_pname_before
    if pos < no_pname_before:
        return ("word",), no_pname_before
    run = _PREFIX_RUN.match(text, pos)
    if run.end() < len(text) and text[run.end()] == ":":
        return ("pname",), no_pname_before
    return ("word",), run.end()


def _unreadable(text: str, pos: int) -> QueryError:
    char = text[pos]
    if char in "\"'":
        return _error(400, text, pos, "this string is never closed (or holds a line break or a bad escape)")
    if char == "\\":
        return _error(400, text, pos, "a backslash escape is only allowed inside a string or an IRI")
    if char == "$" or char == "@" or char == "_":
        return _error(400, text, pos, f"{char!r} must be followed by a name here")
    shown = char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    return _error(400, text, pos, f"unexpected character {shown!r}")


def _engine_string(literal: str, original: str, pos: int) -> str:
    """A string token as the engine receives it: as written, or rewritten on one line with every
    quote, backslash and line break of its value escaped (see the module docstring)."""
    long = literal[:3] in ('"""', "'''")
    body = literal[3:-3] if long else literal[1:-1]
    if not long and not (_UNSAFE_IN_STRING & set(body)):
        return literal

    def unescape(m: re.Match) -> str:
        if m.group(1):
            return _ECHAR[m.group(1)]
        code = int(m.group(2) or m.group(3), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise _error(400, original, pos, f"the escape \\u{code:04X} in this string is not a character")
        return chr(code)

    value = _STRING_ESCAPE.sub(unescape, body)
    return '"' + "".join(f"\\u{ord(c):04X}" if c in _UNSAFE_IN_STRING else c for c in value) + '"'


def inspect_query(text: str, base_iri: str | None = None,
                  predeclared: Mapping[str, str] | None = None) -> QueryInfo:
    """Read `text` once: refuse what must never run (QueryError 403), refuse what cannot be read or
    nests too deep (400), and say what the engine will run. `predeclared`: prefixes a query may use
    without declaring them (the engine is given the same ones)."""
    tokens, engine_text = tokenize(text)
    predeclared = dict(predeclared or {})
    declared: dict[str, str] = {}
    undeclared: dict[str, str] = {}
    base = base_iri
    kind: str | None = None
    first_word: str | None = None
    from_graphs: list[str] = []
    from_named: list[str] = []
    depth = 0
    prefix_run = 0

    def resolve(token: Token) -> str | None:
        if token.kind == "iri":
            iri = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), token.text[1:-1])
            return urljoin(base, iri) if base else iri
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            namespace = declared.get(prefix, predeclared.get(prefix))
            return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
        return None

    i = 0
    while i < len(tokens):
        token = tokens[i]
        value = token.text
        if token.kind == "operator":
            if value in _OPENERS:
                depth += 1
            elif value in _CLOSERS:
                depth -= 1
            prefix_run = prefix_run + 1 if value in _PREFIX_OPERATORS else 0
            if depth + prefix_run > MAX_NESTING:
                raise _error(400, text, token.start,
                             f"the query nests deeper than {MAX_NESTING} levels (brackets and operators such as "
                             f"'!' or '-' in a row); write it flatter")
            i += 1
            continue
        prefix_run = 0
        if token.kind == "word":
            _refuse_glued_keywords(text, token)
            word = value.upper()
            if first_word is None:
                if word in _UPDATE_WORDS:
                    raise QueryError(403, READ_ONLY_MESSAGE)
                if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
                    base = resolve(tokens[i + 1])
                    i += 2
                    continue
                if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname" \
                        and tokens[i + 2].kind == "iri" and tokens[i + 1].text.endswith(":"):
                    declared[tokens[i + 1].text[:-1]] = resolve(tokens[i + 2]) or ""
                    i += 3
                    continue
                first_word = word
                kind = _QUERY_FORMS.get(word)
            if word == "FROM":
                i = _read_from(text, tokens, i, resolve, from_graphs, from_named)
                continue
        elif token.kind == "pname":
            prefix = value.partition(":")[0]
            _refuse_glued_keywords(text, token, prefix)
            if prefix not in declared:
                if prefix not in predeclared:
                    raise _unknown_prefix(text, token, prefix, {**predeclared, **declared})
                undeclared[prefix] = predeclared[prefix]
        i += 1

    info = QueryInfo(original=text, text=engine_text, tokens=tokens, kind=kind, from_graphs=from_graphs,
                     from_named_graphs=from_named, undeclared=undeclared)
    info._starts = _engine_starts(tokens)
    return info


def _engine_starts(tokens: list[Token]) -> list[int]:
    """Where each token starts in the engine's text (only rewritten strings change lengths)."""
    starts, shift = [], 0
    for token in tokens:
        starts.append(token.start + shift)
        shift += len(token.text) - (token.end - token.start)
    return starts


def _refuse_glued_keywords(text: str, token: Token, prefix: str | None = None) -> None:
    """The engine reads a keyword wherever its letters start (see the module docstring)."""
    name = (token.text if prefix is None else prefix).lower()
    if "service" in name:
        what = "a prefix name containing 'service'" if prefix is not None else f"{token.text!r}"
        if prefix is not None or token.text.upper() != "SERVICE":
            raise QueryError(403, f"{SERVICE_MESSAGE} ({what} can be read as SERVICE; rename it)")
        raise QueryError(403, SERVICE_MESSAGE)
    if "from" in name and (prefix is not None or token.text.upper() != "FROM"):
        where = f"the prefix {prefix}:" if prefix is not None else repr(token.text)
        raise _error(400, text, token.start, f"{where} can be read as FROM followed by something else; "
                                             "write FROM as a word of its own and rename the prefix")


def _read_from(text, tokens, i, resolve, from_graphs, from_named) -> int:
    """FROM [NAMED] graph: record the graph; returns the index after it."""
    j = i + 1
    named = j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "NAMED"
    if named:
        j += 1
    target = tokens[j] if j < len(tokens) else None
    if target is None or target.kind not in ("iri", "pname"):
        at = target.start if target is not None else len(text)
        raise _error(400, text, at, f"FROM{' NAMED' if named else ''} must be followed by the IRI of a graph")
    if target.kind == "pname" and target.text.lower().startswith("named"):
        raise _error(400, text, target.start, "a prefix name starting with 'named' right after FROM is ambiguous; "
                                              "write FROM NAMED with a space, or rename the prefix")
    iri = resolve(target)
    if iri is None:
        prefix = target.text.partition(":")[0]
        raise _unknown_prefix(text, target, prefix, {})
    (from_named if named else from_graphs).append(iri)
    return j + 1


def _unknown_prefix(text: str, token: Token, prefix: str, known: Mapping[str, str]) -> QueryError:
    near = difflib.get_close_matches(prefix, list(known), n=1)
    hint = f" (did you mean {near[0]}:?)" if near else ""
    return _error(400, text, token.start, f"unknown prefix {prefix}:{hint}; declare it with PREFIX {prefix}: <…>")


def check_dataset(graph_iris, available, where: str) -> None:
    """Refuse a dataset naming a graph this store does not hold: it would otherwise be fetched (rdflib,
    some remote stores) or silently be empty (pyoxigraph)."""
    for iri in graph_iris:
        if iri not in available:
            listed = ", ".join(f"<{g}>" for g in available) or "none"
            raise QueryError(
                403,
                f"{where} <{iri}> is not a graph of this store, and nothing is fetched from elsewhere; "
                f"the graphs are: {listed}",
            )


_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def syntax_error(err: Exception, info: QueryInfo | None = None) -> QueryError:
    """pyoxigraph's 'error at 3:1: expected one of ...' as a person would say it: the line and column
    in the text as the user wrote it, the token found there, and what could come instead."""
    message = " ".join(str(err).split())
    m = _ENGINE_POSITION.match(message)
    if not m:
        return QueryError(400, f"SPARQL syntax error: {message[:300]}")
    line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    found = ""
    if info is not None:
        token = info.token_at(line, column)
        line, column = info.original_position(line, column)
        if token is not None:
            found = f"unexpected {token.text[:40]!r}; "
        else:
            found = "the query ends too early; "
    expected = _expected(detail)
    return QueryError(400, f"SPARQL syntax error at line {line}, column {column}: {found}{expected}",
                      line=line, column=column)


def _expected(detail: str) -> str:
    """The parser's list of what it expected, without character classes, at most eight items."""
    m = re.match(r"expected (?:one of )?(.*)", detail)
    if not m:
        return detail[:200]
    items = [item.strip() for item in re.split(r",\s*(?![^\[]*\])", m.group(1))]
    words = [item.strip('"') for item in items if item and not item.startswith("[") and " " not in item.strip('"')]
    if not words:
        return "check the text just before this point"
    shown = ", ".join(words[:8]) + (", …" if len(words) > 8 else "")
    return f"expected {shown}"


# --- capping the rows ----------------------------------------------------------------------------------


def limit_solutions(info: QueryInfo, text: str, most: int) -> str | None:
    """`text` (the engine's text of `info`, parameters bound or not) as a query that gives the first `most`
    solutions of `text` and no more: its top-level LIMIT lowered to `most`, or `LIMIT most` written after
    its solution modifiers (before a trailing VALUES block). LIMIT applies after ORDER BY and OFFSET, so
    the rows are those the whole result would give first. None for what is not a SELECT (a CONSTRUCT's
    LIMIT counts solutions, not triples) or when no top-level LIMIT can be read.

    Nothing is decided here: the text was read and checked by `inspect_query`; this only lowers a number
    or adds `LIMIT` and digits at depth 0, where subqueries (inside braces) keep their own LIMIT."""
    found = _slice_modifiers(info, text)
    if found is None or most < 0:
        return None
    limit, _offset, rest = found
    if limit is not None and limit[0] <= most:
        return text
    if limit is not None:
        start, end = limit[1]
        return text[:start] + str(most) + text[end:]
    return rest(f"LIMIT {most}")


def page_solutions(info: QueryInfo, text: str, limit: int, offset: int) -> str | None:
    """`text` as a query that gives solutions offset … offset + limit - 1 of `text`'s own result (its
    own LIMIT and OFFSET kept within: a page never reaches past them). For paging a saved query's rows;
    None where limit_solutions gives None."""
    found = _slice_modifiers(info, text)
    if found is None or limit < 0 or offset < 0:
        return None
    own_limit, own_offset, rest = found
    first = (own_offset[0] if own_offset else 0) + offset
    count = limit if own_limit is None else max(0, min(limit, own_limit[0] - offset))
    spans = sorted(m[2] for m in (own_limit, own_offset) if m is not None)
    if not spans:
        return rest(f"LIMIT {count} OFFSET {first}")
    for start, end in reversed(spans):  # the clauses as written go; one LIMIT and OFFSET take their place
        text = text[:start] + text[end:]
    return _slice_modifiers(info, text)[2](f"LIMIT {count} OFFSET {first}")


def _slice_modifiers(info: QueryInfo, text: str):
    """The top-level LIMIT and OFFSET of a SELECT `text` as (number, (start, end) of the number,
    (start, end) of the clause) or None each, and a function that writes a clause where the solution
    modifiers end (before a trailing VALUES block). None when `text` is not a SELECT or a number
    cannot be read."""
    if info.kind != "select":
        return None
    if text == info.text:
        tokens, starts = info.tokens, info._starts
    else:  # a text written by `bind` or a page of it: read again, it is its own original
        try:
            tokens = tokenize(text)[0]
        except QueryError:
            return None
        starts = [t.start for t in tokens]
    depth = 0
    found = {}
    values_at = None
    for i, token in enumerate(tokens):
        if token.kind == "operator":
            if token.text in _OPENERS:
                depth += 1
            elif token.text in _CLOSERS:
                depth -= 1
        elif depth == 0 and token.kind == "word":
            word = token.text.upper()
            if word in ("LIMIT", "OFFSET") and word not in found:
                number = tokens[i + 1] if i + 1 < len(tokens) else None
                if number is None or number.kind != "number" or not number.text.isdigit():
                    return None
                at = starts[i + 1]
                found[word] = (int(number.text), (at, at + len(number.text)), (starts[i], at + len(number.text)))
            elif word == "VALUES" and values_at is None:
                values_at = i

    def rest(clause: str) -> str:
        if values_at is not None:
            start = starts[values_at]
            return f"{text[:start]}{clause} {text[start:]}"
        return f"{text} {clause}"

    return found.get("LIMIT"), found.get("OFFSET"), rest


# --- binding parameters --------------------------------------------------------------------------------


def write_term(term) -> str:
    """An IRI or literal (pyoxigraph term) in SPARQL syntax, written the way `tokenize` writes strings:
    on one line, quotes, backslashes and line breaks escaped."""
    value = getattr(term, "value", None)
    if type(term).__name__ == "NamedNode":
        if any(c in value for c in '<>"{}|^`\\') or any(ord(c) <= 0x20 for c in value):
            raise QueryError(400, f"<{value[:80]}> is not an IRI that can be bound")
        return f"<{value}>"
    if type(term).__name__ == "Literal":
        text = '"' + "".join(f"\\u{ord(c):04X}" if c in _UNSAFE_IN_STRING else c for c in value) + '"'
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        return text if datatype == "http://www.w3.org/2001/XMLSchema#string" else f"{text}^^<{datatype}>"
    raise QueryError(400, f"only IRIs and literals can be bound, not {term!r}")


def bind(info: QueryInfo, bindings: Mapping[str, object] | None) -> str:
    """The engine's text with each bound variable replaced by its term, so that any SPARQL 1.1 store
    gives the bound query the same meaning (as pyoxigraph's substitutions, SEP-0007, would).

    Where SPARQL allows only a variable, the variable stays and the term goes beside it: in a SELECT
    projection `?v` becomes `(TERM AS ?v)` (so the column keeps its name), in ORDER BY and GROUP BY
    `(TERM)`, `BOUND(?v)` becomes `true`; a variable after AS or in a VALUES header is left alone."""
    if not bindings:
        return info.text
    tokens, starts = info.tokens, info._starts
    pieces: list[str] = []
    cursor = 0
    depth = 0
    projection_depth: int | None = None  # inside SELECT … up to WHERE / { at this depth
    modifier_depth: int | None = None    # inside ORDER BY / GROUP BY at this depth
    keep_next = False                    # the variable after AS
    values_header = False                # inside VALUES ?x / VALUES ( … )
    i = 0

    def emit(start: int, end: int, replacement: str) -> None:
        nonlocal cursor
        pieces.append(info.text[cursor:start])
        pieces.append(replacement)
        cursor = end

    def upper(k: int) -> str:
        return tokens[k].text.upper() if 0 <= k < len(tokens) and tokens[k].kind == "word" else ""

    while i < len(tokens):
        token = tokens[i]
        text = token.text
        if token.kind == "operator":
            if text in _OPENERS:
                depth += 1
            elif text in _CLOSERS:
                depth -= 1
                if values_header and text == ")":
                    values_header = False
                if modifier_depth is not None and depth < modifier_depth:
                    modifier_depth = None
            if text == "{" and projection_depth is not None and depth - 1 == projection_depth:
                projection_depth = None
            i += 1
            continue
        if token.kind == "word":
            word = text.upper()
            if word == "SELECT":
                projection_depth = depth
            elif word in ("WHERE", "FROM") and projection_depth == depth:
                projection_depth = None
            elif word in ("ORDER", "GROUP") and upper(i + 1) == "BY":
                modifier_depth = depth
            elif word in ("LIMIT", "OFFSET", "HAVING", "VALUES") and modifier_depth == depth:
                modifier_depth = None
            if word == "AS":
                keep_next = True
            elif word == "VALUES":
                values_header = True
                if i + 1 < len(tokens) and tokens[i + 1].kind == "var":  # VALUES ?x { … }
                    i += 2
                    values_header = False
                    continue
            elif word == "BOUND" and i + 3 < len(tokens) and tokens[i + 1].text == "(" \
                    and tokens[i + 2].kind == "var" and tokens[i + 2].text[1:] in bindings and tokens[i + 3].text == ")":
                emit(starts[i], starts[i + 3] + 1, "true")
                i += 4
                continue
            i += 1
            continue
        if token.kind == "var":
            name = text[1:]
            if keep_next or values_header or name not in bindings:
                keep_next = False
                i += 1
                continue
            term = write_term(bindings[name])
            if projection_depth is not None and depth == projection_depth:
                replacement = f"({term} AS {text})"
            elif modifier_depth is not None and depth == modifier_depth:
                replacement = f"({term})"
            else:
                replacement = term
            emit(starts[i], starts[i] + len(text), replacement)
        keep_next = False
        i += 1
    pieces.append(info.text[cursor:])
    return "".join(pieces)
