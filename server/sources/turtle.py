"""The strict Turtle gate: every file is parsed by pyoxigraph, which rejects what the
Turtle grammar rejects (rdflib accepts many invalid documents) and says where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..terms import Triple

UTF8_BOM = b"\xef\xbb\xbf"

# pyoxigraph puts the position in front of its message; we report it as file:line:column instead.
_POSITION_PREFIX = re.compile(
    r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)


@dataclass
class TurtleSyntaxError(Exception):
    """A file that is not valid Turtle; line and column are 1-based."""

    path: str
    line: int | None
    column: int | None
    message: str
    end_line: int | None = None
    end_column: int | None = None

    def __reduce__(self):  # crosses from the build process (server.build.isolated) intact
        return (TurtleSyntaxError, (self.path, self.line, self.column, self.message, self.end_line, self.end_column))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def parse_turtle(data: bytes, path: str, base_iri: str | None = None) -> list[ox.Triple]:
    """Parse Turtle bytes strictly; raise TurtleSyntaxError naming `path`, line and column.

    A leading UTF-8 byte order mark is dropped (editors on Windows write one; the Turtle
    grammar has no place for it). When rejected data holds a NUL byte the message says it
    looks binary (a NUL inside a string literal is valid Turtle, so it is no reason to reject)."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base_iri)]
    except SyntaxError as err:
        line, column = _position(err)
        message = _message(err)
        if b"\x00" in data:
            message = f"binary data, not a Turtle text file ({message})"
        raise TurtleSyntaxError(
            path, line, column, message,
            end_line=getattr(err, "end_lineno", None), end_column=getattr(err, "end_offset", None),
        ) from None


def parse_turtle_terms(data: bytes, path: str, base_iri: str | None = None,
                       terms: dict | None = None) -> list[Triple]:
    """parse_turtle, each term looked up in `terms` (term → the one object kept for it), shared by the
    files of a project so that a term is one object however often it is written."""
    terms = {} if terms is None else terms
    out = []
    get = terms.get
    for t in parse_turtle(data, path, base_iri):
        s, p, o = t
        s = get(s) or terms.setdefault(s, s)
        p = get(p) or terms.setdefault(p, p)
        o = get(o) or terms.setdefault(o, o)
        out.append(Triple(s, p, o))
    return out


def parse_turtle_file(path: Path, display_path: str | None = None) -> list[ox.Triple]:
    return parse_turtle(Path(path).read_bytes(), display_path or str(path), base_iri=Path(path).resolve().as_uri())


def _position(err: SyntaxError) -> tuple[int | None, int | None]:
    # pyoxigraph sets lineno/offset on its SyntaxError (1-based).
    return getattr(err, "lineno", None), getattr(err, "offset", None)


def _message(err: SyntaxError) -> str:
    """The parser's message without its own position prefix, on one line, control
    characters shown escaped (a binary file's bytes must not reach the terminal)."""
    message = _POSITION_PREFIX.sub("", getattr(err, "msg", None) or str(err))
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
