"""Where a finding is written: each result located at file:line (and the line of its offending triple)
with the file:line index, and its focus node named as a reader would name it."""

from __future__ import annotations

import re

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from ..namespaces import PREFIXES
from ..sources.files import Sources
from ..sources.lineindex import LineIndex
from ..terms import to_oxigraph
from .ontology import CHECKS, XSD_STRING
from .results import Result
from .shacl_reference import path_text

class Namer:
    """Readable names: prefixed names where a prefix is known, property shapes as
    `NodeShape/path` (they are usually blank nodes, which have no stable name); two property
    shapes of one node shape with the same path are told apart by their order in the file."""

    def __init__(self, shapes: rdflib.Graph, index: LineIndex, scope=None):
        self.shapes = shapes
        self.index = index
        self.scope = scope  # maps a shapes-graph blank node to the index's key, when indexed
        self.prefixes = dict(PREFIXES)
        for prefix, namespace in index.prefixes.items():
            if prefix and namespace not in self.prefixes.values():
                self.prefixes.setdefault(prefix, namespace)
        self.prefixes.setdefault("chk", CHECKS)
        self.prefixes.setdefault("vann", "http://purl.org/vocab/vann/")
        self.cache: dict = {}

    def compact(self, term) -> str:
        if isinstance(term, rdflib.URIRef):
            best = None
            for prefix, namespace in self.prefixes.items():
                if str(term).startswith(namespace) and (best is None or len(namespace) > len(best[1])):
                    best = (prefix, namespace)
            if best is not None:
                local = str(term)[len(best[1]):]
                if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                    return f"{best[0]}:{local}"
            return term.n3()
        if isinstance(term, rdflib.Literal):
            if term.language or term.datatype is None or term.datatype == XSD_STRING:
                return rdflib.Literal(str(term), lang=term.language).n3()
            return f"{rdflib.Literal(str(term)).n3()}^^{self.compact(term.datatype)}"
        return "[]" if term is not None else ""

    def compact_path(self, path: str) -> str:
        return re.sub(r"<([^>]*)>", lambda m: self.compact(rdflib.URIRef(m.group(1))), path)

    def shape(self, shape) -> tuple[str | None, str | None]:
        """(rule name, node shape) for a source shape."""
        if shape is None:
            return None, None
        if shape not in self.cache:
            self.cache[shape] = self._shape(shape)
        return self.cache[shape]

    def _shape(self, shape) -> tuple[str, str | None]:
        parent = next(iter(self.shapes.subjects(SH.property, shape)), None)
        parent_name = self.compact(parent) if isinstance(parent, rdflib.URIRef) else None
        if isinstance(shape, rdflib.URIRef):
            return self.compact(shape), parent_name
        path = path_text(self.shapes, self.shapes.value(shape, SH.path))
        name = self.compact_path(path) if path else "[]"
        if parent is not None:
            name = f"{parent_name or '[]'}/{name}"
            siblings = [p for p in self.shapes.objects(parent, SH.property)
                        if not isinstance(p, rdflib.URIRef) and self.shapes.value(p, SH.path) == self.shapes.value(shape, SH.path)]
            if len(siblings) > 1:
                siblings.sort(key=self._written_at)
                name += f"#{siblings.index(shape) + 1}"
        return name, parent_name

    def _written_at(self, node) -> tuple:
        if self.scope is not None:
            try:
                where = self.index.where_subject(self.scope(node))
            except TypeError:
                where = None
            if where is not None:
                return (where.file, where.line, where.column)
        return ("~", 0, 0)


def locate(result: Result, terms: dict, sources: Sources, namer: Namer, prefer: list[str]) -> Result:
    """Fill in where the focus node and the offending triple are written, and readable names.
    `terms` holds the rdflib terms of the result (see report_results)."""
    index = sources.index
    focus, path, value = terms["focus"], terms["path"], terms["value"]
    result.rule, result.node_shape = namer.shape(terms["shape"])
    if result.path:
        result.path = namer.compact_path(result.path)
    if value is not None and value == focus and result.constraint == SH.SPARQLConstraintComponent.n3():
        value = None  # pySHACL gives a node shape's SPARQL results the focus node as value
        result.value = None
    try:
        focus_ox = to_oxigraph(focus) if focus is not None else None
        value_ox = to_oxigraph(value) if value is not None else None
    except TypeError:
        focus_ox = value_ox = None
    if focus_ox is not None:
        where = index.where_subject(focus_ox, prefer)
        if where is not None:
            result.file, result.line, result.column = where.file, where.line, where.column
        triple = None
        if isinstance(path, rdflib.URIRef):
            triple = index.where_triple(focus_ox, ox.NamedNode(str(path)), value_ox)
        elif isinstance(terms.get("inverse"), rdflib.URIRef) and value_ox is not None:
            triple = index.where_triple(value_ox, ox.NamedNode(str(terms["inverse"])), focus_ox)
        if triple is not None:
            result.triple_file, result.triple_line, result.triple_column = triple.file, triple.line, triple.column
    result.focus_label = _focus_label(focus, sources, namer)
    if result.value is not None and value is not None:
        result.value = namer.compact(value) if isinstance(value, (rdflib.URIRef, rdflib.Literal)) else result.value
    return result


def _focus_label(focus, sources: Sources, namer: Namer) -> str:
    """A blank node is named by what points at it: `tskr:quote-s14 oa:hasSelector []`."""
    if not isinstance(focus, rdflib.BNode):
        return namer.compact(focus) if focus is not None else ""
    for graph in (sources.data, sources.ontology):
        for s, p in graph.subject_predicates(focus):
            return f"{namer.compact(s)} {namer.compact(p)} []"
    return "[]"

