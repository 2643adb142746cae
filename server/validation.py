"""The parts of validation that server.gate puts together: the source files as parsed, the reference SHACL
validator (pySHACL, `shacl_validate`), the ontology checks of our own (the offline kind of what OOPS! and
FOOPS! check), and locating each result in the source files with the file:line index (server.sources.lineindex).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pyshacl.errors
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor

from .sources.lineindex import LineIndex, TurtleIndexError
from .namespaces import ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from .reasoning import undo_owlrl_datatypes
from .terms import rdflib_graph, to_oxigraph, to_rdflib
from .sources.turtle import TurtleSyntaxError, parse_turtle


@dataclass
class Result:
    severity: str                 # "Violation", "Warning" or "Info"
    message: str
    focus: str                    # the focus node, as N-Triples term text
    path: str | None = None
    value: str | None = None
    shape: str | None = None      # the source shape
    constraint: str | None = None # the constraint component
    file: str | None = None       # where the focus node is written, when known
    line: int | None = None
    column: int | None = None
    rule: str | None = None       # a stable readable name of the shape (report formats use it as rule id)
    node_shape: str | None = None # the node shape a property shape belongs to
    focus_label: str | None = None  # the focus node as a reader would name it
    triple_file: str | None = None  # where the offending triple is written, when there is one
    triple_line: int | None = None
    triple_column: int | None = None
    check: str = "shacl"          # "shacl" (the project's shapes), "ontology" (our ontology checks) or
                                  # "literal" (a literal ill-typed for its XSD datatype, server.literals)


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    hidden: int = 0  # findings located outside the files asked about (not in `results`)
    only: list[str] | None = None  # the files asked about, when the results are limited to them

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]


def _text(term) -> str | None:
    if term is None:
        return None
    return term.n3()


def shacl_validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph) -> Report:
    """Validate `data` against `shapes`, with `ontology` mixed in and RDFS inference,
    so that a shape targeting a superclass sees instances of its subclasses."""
    results = [r for r, _ in pyshacl_results(data, shapes, ontology, inference="rdfs")]
    results.sort(key=lambda r: (r.focus or "", r.severity, r.message, r.path or ""))
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results)


@contextlib.contextmanager
def sparql_parsed_once():
    """Parse each SPARQL query text once while pySHACL runs.

    pySHACL evaluates a SHACL-SPARQL constraint by handing rdflib the same query text for every
    focus node (the node goes in as a binding), and rdflib parses and translates the text every
    time: about 60 ms, which over a few thousand focus nodes was most of the validation time.
    The translated query is reusable with other bindings (it is what rdflib's prepareQuery
    returns), so it is kept by query text, base and namespaces for the duration of the call."""
    original = SPARQLProcessor.query
    cache: dict = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query
    try:
        yield
    finally:
        SPARQLProcessor.query = original


def pyshacl_results(data, shapes, ontology, inference) -> list[tuple[Result, dict]]:
    """pySHACL's results, each with the rdflib terms it is about."""
    try:
        with sparql_parsed_once():
            _, report_graph, _ = pyshacl.validate(
                data,
                shacl_graph=shapes,
                ont_graph=ontology,
                inference=inference,
                advanced=True,
                allow_warnings=True,
            )
    finally:
        undo_owlrl_datatypes()  # pySHACL's "rdfs" inference runs owlrl
    return report_results(report_graph)


def report_results(g: rdflib.Graph) -> list[tuple[Result, dict]]:
    """The results of a SHACL validation report graph, each with the rdflib terms it is about
    ("focus", "value", "shape", "severity", "path" and, for a path `^p`, "inverse": p).

    Only the report's own sh:result nodes count: the results pySHACL nests under them as sh:detail
    (why an sh:node shape failed) are explanations of one finding, not findings of their own."""
    out = []
    for report in g.subjects(RDF.type, SH.ValidationReport):
        for node in g.objects(report, SH.result):
            severity = g.value(node, SH.resultSeverity)
            messages = [str(m) for m in g.objects(node, SH.resultMessage)]
            path = g.value(node, SH.resultPath)
            terms = {
                "focus": g.value(node, SH.focusNode),
                "path": path,
                "inverse": g.value(path, SH.inversePath) if isinstance(path, rdflib.BNode) else None,
                "value": g.value(node, SH.value),
                "shape": g.value(node, SH.sourceShape),
                "severity": severity,
            }
            out.append((
                Result(
                    severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                    message="; ".join(sorted(messages)) or "(no message)",
                    focus=_text(terms["focus"]),
                    path=path_text(g, path),
                    value=_text(terms["value"]),
                    shape=_text(terms["shape"]),
                    constraint=_text(g.value(node, SH.sourceConstraintComponent)),
                ),
                terms,
            ))
    return out


def path_text(g: rdflib.Graph, path) -> str | None:
    """A SHACL path in SPARQL property path syntax (a blank node path would print as `_:…`)."""
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return path.n3()
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (path_text(g, inverse) or "?")
    items = list(rdflib.collection.Collection(g, path)) if g.value(path, RDF.first) is not None else None
    if items:
        return "/".join(path_text(g, i) or "?" for i in items)
    for predicate, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, predicate)
        if inner is not None:
            return f"({path_text(g, inner)}){mark}"
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(g, i) or "?" for i in rdflib.collection.Collection(g, alternatives)) + ")"
    return path.n3()


# --- ontology checks ------------------------------------------------------------------------------

CHECKS = "https://w3id.org/tskg/checks#"
XSD_STRING = rdflib.XSD.string

# The ontology's metadata, as SHACL core shapes (OOPS! P38 no ontology declaration, P41 no
# licence; the FOOPS! metadata checks).
METADATA_SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann: <http://purl.org/vocab/vann/> .
@prefix chk: <{CHECKS}> .

chk:ontology-metadata a sh:NodeShape ;
    sh:targetNode <{ONTOLOGY_IRI}> ;
    sh:targetClass owl:Ontology ;
    sh:property [ sh:path rdf:type ; sh:hasValue owl:Ontology ;
        sh:message "The ontology is not declared: no `<{ONTOLOGY_IRI}> a owl:Ontology`" ] ,
      [ sh:path dcterms:title ; sh:minCount 1 ; sh:message "The ontology has no dcterms:title" ] ,
      [ sh:path dcterms:license ; sh:minCount 1 ; sh:message "The ontology has no dcterms:license" ] ,
      [ sh:path owl:versionIRI ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ;
        sh:message "The ontology needs exactly one owl:versionIRI (an IRI)" ] ,
      [ sh:path dcterms:creator ; sh:minCount 1 ; sh:message "The ontology has no dcterms:creator" ] ,
      [ sh:path vann:preferredNamespacePrefix ; sh:minCount 1 ; sh:severity sh:Warning ;
        sh:message "The ontology does not give its preferred prefix (vann:preferredNamespacePrefix)" ] ,
      [ sh:path vann:preferredNamespaceUri ; sh:minCount 1 ; sh:severity sh:Warning ;
        sh:message "The ontology does not give its namespace (vann:preferredNamespaceUri)" ] .
"""


@dataclass(frozen=True)
class Check:
    """An ontology check as one SPARQL SELECT of ?this (the focus node), ?path and ?value.

    These run once each in pyoxigraph over the ontology and the data as written: written as
    SHACL-SPARQL constraints, pySHACL would parse the query again for every focus node (about
    60 ms each), and RDFS inference would make every predicate an rdf:Property."""

    name: str
    severity: str
    message: str
    where: str


_TERM = f'FILTER(isIRI(?this) && STRSTARTS(STR(?this), "{ONTOLOGY}"))'
_DEFINED = "VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property } ?this a ?kind ."
_PROPERTY = "VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty } ?this a ?kind ."

ONTOLOGY_CHECKS = [
    # OOPS! P08: missing annotations.
    Check("term-label", "Violation", "A class or property of the ontology needs an English rdfs:label",
          f"""{_DEFINED} {_TERM} BIND(rdfs:label AS ?path)
              FILTER NOT EXISTS {{ ?this rdfs:label ?label FILTER(langMatches(lang(?label), "en")) }}"""),
    Check("term-definition", "Violation",
          "A class or property of the ontology needs a definition (skos:definition or rdfs:comment)",
          f"""{_DEFINED} {_TERM} BIND(skos:definition AS ?path)
              FILTER NOT EXISTS {{ ?this skos:definition|rdfs:comment ?definition }}"""),
    # OOPS! P11: missing domain or range. A property may inherit them from a super-property, or
    # say why it has none in a tsk:domainNote / tsk:rangeNote (OWL 2 RL cannot state a union).
    Check("property-domain", "Warning",
          "The property has no rdfs:domain (nor inherits one, nor says why in a tsk:domainNote)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:domain AS ?path)
              FILTER NOT EXISTS {{ ?this rdfs:subPropertyOf*/rdfs:domain ?domain }}
              FILTER NOT EXISTS {{ ?this tsk:domainNote ?note }}"""),
    Check("property-range", "Warning",
          "The property has no rdfs:range (nor inherits one, nor says why in a tsk:rangeNote)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:range AS ?path)
              FILTER NOT EXISTS {{ ?this rdfs:subPropertyOf*/rdfs:range ?range }}
              FILTER NOT EXISTS {{ ?this tsk:rangeNote ?note }}"""),
    # OOPS! P19: several domains or ranges mean their intersection, rarely what was meant.
    Check("single-domain", "Warning",
          "The property has several rdfs:domain values, which means their intersection (one of them is the value)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:domain AS ?path)
              ?this rdfs:domain ?value . FILTER EXISTS {{ ?this rdfs:domain ?other FILTER(?other != ?value) }}"""),
    Check("single-range", "Warning",
          "The property has several rdfs:range values, which means their intersection (one of them is the value)",
          f"""{_PROPERTY} {_TERM} BIND(rdfs:range AS ?path)
              ?this rdfs:range ?value . FILTER EXISTS {{ ?this rdfs:range ?other FILTER(?other != ?value) }}"""),
    # OOPS! P34/P35: untyped class or property; here: a tsk: term used but not declared (usually a typo).
    Check("declared-property", "Violation",
          "The path is in the tsk: namespace but the ontology declares no such property",
          f"""{{ SELECT DISTINCT ?this ?path WHERE {{ ?this ?path ?any .
                 FILTER(STRSTARTS(STR(?path), "{ONTOLOGY}")) }} }}
              FILTER NOT EXISTS {{ VALUES ?kind {{ owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property }}
                                   ?path a ?kind }}"""),
    Check("declared-class", "Violation",
          "The value is in the tsk: namespace but the ontology declares no such class",
          f"""?this a ?value . BIND(rdf:type AS ?path)
              FILTER(isIRI(?value) && STRSTARTS(STR(?value), "{ONTOLOGY}"))
              FILTER NOT EXISTS {{ VALUES ?kind {{ owl:Class rdfs:Class }} ?value a ?kind }}"""),
]

_CHECK_PREFIXES = "".join(
    f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in ("rdf", "rdfs", "owl", "skos", "tsk")
)


def run_ontology_checks(triples: list[ox.Triple]) -> list[tuple[Result, dict]]:
    """Run ONTOLOGY_CHECKS over `triples` (ontology and data as written)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples)
    out = []
    for check in ONTOLOGY_CHECKS:
        query = f"{_CHECK_PREFIXES}SELECT DISTINCT ?this ?path ?value WHERE {{ {check.where} }}"
        for row in store.query(query):
            focus, path, value = (to_rdflib(row[v]) if row[v] is not None else None for v in ("this", "path", "value"))
            shape = rdflib.URIRef(CHECKS + check.name)
            out.append((
                Result(severity=check.severity, message=check.message, focus=_text(focus),
                       path=_text(path), value=_text(value), shape=_text(shape),
                       constraint=SH.SPARQLConstraintComponent.n3(), check="ontology"),
                {"focus": focus, "path": path, "value": value, "shape": shape, "inverse": None},
            ))
    return out


# --- loading and locating ---------------------------------------------------------------------------


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
    triples: list[ox.Triple]  # as the strict gate parsed them (blank node labels as written)
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

    def __init__(self, parsed: list[ParsedFile]):
        self.parsed = parsed
        self.files = [p.source for p in parsed]
        self.triples: dict[str, list[ox.Triple]] = {"ontology": [], "shapes": [], "data": []}
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

    @staticmethod
    def _scope(p: ParsedFile, t: ox.Triple) -> ox.Triple:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            s = p.scoped(t.subject) if isinstance(t.subject, ox.BlankNode) else t.subject
            o = p.scoped(t.object) if isinstance(t.object, ox.BlankNode) else t.object
            return ox.Triple(s, t.predicate, o)
        return t

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
    for number, source in enumerate(files):
        data = read_source(source.path, source.display, max_bytes)
        try:
            triples = parse_turtle(data, source.display, base_iri=source.path.resolve().as_uri())
        except TurtleSyntaxError as err:
            errors.append(err)
            continue
        parsed.append(ParsedFile(source, data, triples, number))
    if errors:
        raise SyntaxErrors(errors)
    return Sources(parsed)


class SyntaxErrors(Exception):
    """One or more files are not valid Turtle."""

    def __init__(self, errors: list[TurtleSyntaxError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


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
