"""The strict Turtle gate: every file is parsed by pyoxigraph, which rejects what the
Turtle grammar rejects (rdflib accepts many invalid documents) and says where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass
class TurtleSyntaxError(Exception):
    """A file that is not valid Turtle; line and column are 1-based."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def parse_turtle(data: bytes, path: str, base_iri: str | None = None) -> list[ox.Triple]:
    """Parse Turtle bytes strictly; raise TurtleSyntaxError naming `path`, line and column."""
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base_iri)]
    except SyntaxError as err:
        line, column = _position(err)
        raise TurtleSyntaxError(path, line, column, _message(err)) from None


def parse_turtle_file(path: Path, display_path: str | None = None) -> list[ox.Triple]:
    return parse_turtle(Path(path).read_bytes(), display_path or str(path), base_iri=Path(path).resolve().as_uri())


def _position(err: SyntaxError) -> tuple[int | None, int | None]:
    # pyoxigraph sets lineno/offset on its SyntaxError (1-based).
    return getattr(err, "lineno", None), getattr(err, "offset", None)


def _message(err: SyntaxError) -> str:
    return getattr(err, "msg", None) or str(err)
