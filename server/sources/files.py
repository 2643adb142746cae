"""The project's files as the checks and the build read them: each file read (bounded in size) and parsed
strictly (server.sources.turtle), its triples kept by role (ontology, shapes, data, or context for
`tskg validate --alone`) with blank nodes scoped per file, and, when first asked for, the same as rdflib
graphs and the file:line index of where things are written (server.sources.lineindex)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from ..terms import Triple, rdflib_graph
from .lineindex import LineIndex, TurtleIndexError
from .turtle import TurtleSyntaxError, parse_turtle_terms

class SourceError(Exception):
    """A source file that cannot be read (missing, unreadable, too large): one line, exit 2."""


@dataclass
class SourceFile:
    path: Path
    display: str  # as reports name it (relative to the project root when inside it)
    role: str     # "ontology", "shapes", "data", or "context" (see Sources)


@dataclass
class ParsedFile:
    source: SourceFile
    text: bytes
    triples: list[Triple]     # as the strict gate parsed them (blank node labels as written)
    number: int               # its place in the list of files, which scopes its blank nodes

    def scoped(self, node: ox.BlankNode) -> ox.BlankNode:
        """Blank node labels are local to their file: `_:a` in two files is two nodes."""
        return ox.BlankNode(f"f{self.number}x{node.value}")


CONTEXT_PREDICATES = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(rdflib.RDFS.label)))


class Sources:
    """The strictly parsed files: their triples by role, in pyoxigraph terms with blank nodes scoped per
    file, and, made when first asked for, the same as rdflib graphs (`ontology`, `shapes`, `data`) and
    the index of where things are written (`index`, server.sources.lineindex).

    A "context" file (graph/ beside a file checked with `tskg validate --alone`) adds only the types and
    labels of the IRIs the data files mention, so that their references resolve; the nodes it alone
    describes are `context_nodes`, whose own findings belong to graph/, not to the files checked."""

    def __init__(self, parsed: list[ParsedFile], terms: dict | None = None):
        self.parsed = parsed
        self.terms = {} if terms is None else terms  # term → the one object kept for it (parse_turtle_terms)
        self.files = [p.source for p in parsed]
        self.triples: dict[str, list[Triple]] = {"ontology": [], "shapes": [], "data": []}
        self.counts: dict[str, int] = {}
        self.index_errors: list[str] = []
        for p in parsed:
            if p.source.role != "context":
                triples = [self._scope(p, t) for t in p.triples]
                self.triples[p.source.role].extend(triples)
                self.counts[p.source.display] = len(triples)
        mentioned = {term for t in self.triples["data"] for term in (t.subject, t.object)
                     if isinstance(term, ox.NamedNode)}
        described = {t.subject for t in self.triples["data"]}
        self.context_nodes: set = set()
        for p in parsed:
            if p.source.role == "context":
                kept = [t for t in p.triples if t.subject in mentioned and t.predicate in CONTEXT_PREDICATES]
                self.triples["data"].extend(kept)
                self.counts[p.source.display] = len(kept)
                self.context_nodes.update(t.subject for t in kept if t.subject not in described)
        self._graphs: dict[str, rdflib.Graph] = {}
        self._index: LineIndex | None = None

    def _scope(self, p: ParsedFile, t: Triple) -> Triple:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            s = self._interned(p.scoped(t.subject)) if isinstance(t.subject, ox.BlankNode) else t.subject
            o = self._interned(p.scoped(t.object)) if isinstance(t.object, ox.BlankNode) else t.object
            return Triple(s, t.predicate, o)
        return t

    def _interned(self, term):
        return self.terms.get(term) or self.terms.setdefault(term, term)

    def _graph(self, role: str) -> rdflib.Graph:
        if role not in self._graphs:
            self._graphs[role] = rdflib_graph(self.triples[role])
        return self._graphs[role]

    @property
    def ontology(self) -> rdflib.Graph:
        return self._graph("ontology")

    @property
    def shapes(self) -> rdflib.Graph:
        return self._graph("shapes")

    @property
    def data(self) -> rdflib.Graph:
        return self._graph("data")

    @property
    def index(self) -> LineIndex:
        """Where things are written in the files (context files aside), indexed when first asked for:
        a second, slower parse, only needed when there is something to report."""
        if self._index is None:
            self._index = LineIndex()
            for p in self.parsed:
                if p.source.role == "context":
                    continue
                try:
                    self._index.add_file(p.text.decode("utf-8"), p.source.display, p.triples,
                                         base_iri=p.source.path.resolve().as_uri(), rename=p.scoped)
                except (TurtleIndexError, UnicodeDecodeError, RecursionError) as err:
                    self.index_errors.append(f"{p.source.display}: no line numbers ({err})")
        return self._index


def read_source(path: Path, display: str, max_bytes: int | None = None) -> bytes:
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise SourceError(
                f"{display}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.0f} MB limit for one file "
                f"(split the file, or raise the limit with --max-size)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{display}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{display}: is a directory") from None
    except PermissionError:
        raise SourceError(f"{display}: permission denied") from None
    except OSError as err:
        raise SourceError(f"{display}: cannot read: {err.strerror or err}") from None


def load_sources(files: list[SourceFile], max_bytes: int | None = None) -> Sources:
    """Parse every file through the strict gate. All syntax errors are collected (one per file) and
    raised together as SyntaxErrors."""
    parsed: list[ParsedFile] = []
    errors: list[TurtleSyntaxError] = []
    terms: dict = {}
    for number, source in enumerate(files):
        data = read_source(source.path, source.display, max_bytes)
        try:
            triples = parse_turtle_terms(data, source.display, base_iri=source.path.resolve().as_uri(), terms=terms)
        except TurtleSyntaxError as err:
            errors.append(err)
            continue
        parsed.append(ParsedFile(source, data, triples, number))
    if errors:
        raise SyntaxErrors(errors)
    return Sources(parsed, terms)


class SyntaxErrors(Exception):
    """One or more files are not valid Turtle."""

    def __init__(self, errors: list[TurtleSyntaxError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

