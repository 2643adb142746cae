"""The one gate: every check the data must pass, the same for `tskg validate` and for the build that
`tskg serve` serves (so nothing is served that `tskg validate` rejects).

    well-formed literals (server.checks.literals)
    → the SHACL shapes of ontology/*shapes*.ttl, with the ontology and RDFS inference
      (server.checks.shacl_fast, or pySHACL itself: engine "pyshacl", the reference)
    → the ontology's metadata and our ontology checks (server.checks.shacl_reference)
    → one finding per mistake (see `one_per_mistake`)
    → each finding located in the files (file:line, server.sources.lineindex)

The Turtle syntax gate comes first, in load_sources (server.checks.shacl_reference).
"""

from __future__ import annotations

import re
import time

import pyoxigraph as ox
import pyshacl.errors
import rdflib
from rdflib.namespace import SH

from . import shacl_fast
from .literals import ill_typed
from ..namespaces import DATA, ONTOLOGY
from ..project import Project
from ..sources.quotes import sentences
from ..terms import to_oxigraph, to_rdflib
from .locate import Namer, locate
from .ontology import CHECKS, METADATA_SHAPES, run_ontology_checks
from .results import Report, Result
from .shacl_reference import pyshacl_results
from ..sources.files import SourceError, SourceFile, Sources, load_sources

ENGINES = ("fast", "pyshacl")
WELL_FORMED = CHECKS + "well-formed-literal"
DANGLING_REFERENCE_SHAPE = rdflib.URIRef(ONTOLOGY + "DanglingReferenceShape")
QUOTE = re.compile(re.escape(DATA) + r"quote-s(\d+)")
SCHEMA_TEXT = ox.NamedNode("https://schema.org/text")
RDF_TYPE = ox.NamedNode(str(rdflib.RDF.type))
OBJECT_PROPERTY = ox.NamedNode(str(rdflib.OWL.ObjectProperty))


def project_files(project: Project) -> list[SourceFile]:
    """The project's ontology, shapes and graph/ files, each with its role."""
    return ([SourceFile(p, project.relative(p), "ontology") for p in project.ontology_files]
            + [SourceFile(p, project.relative(p), "shapes") for p in project.shapes_files]
            + [SourceFile(p, project.relative(p), "data") for p in project.graph_files])


def check_project(project: Project, engine: str = "fast") -> Report:
    """The gate over the project's own files (what the build calls); raises SyntaxErrors."""
    return check(load_sources(project_files(project)), engine=engine)


def check(sources: Sources, engine: str = "fast", prefer: list[str] | None = None,
          ontology_checks: bool = True) -> Report:
    """Every check of the gate over `sources`; each result located, those in the `prefer`red files
    (the files asked about) where they are written there."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    found = literal_findings(sources)
    timings["literals"] = time.perf_counter() - started

    started = time.perf_counter()
    try:
        if engine == "fast":
            shacl = shacl_fast.findings(sources.triples["data"], sources.shapes, sources.triples["ontology"])
        else:
            shacl = pyshacl_results(sources.data, sources.shapes, sources.ontology, inference="rdfs")
    except pyshacl.errors.ReportableRuntimeError as err:
        shapes_files = ", ".join(f.display for f in sources.files if f.role == "shapes") or "the shapes"
        reason = " ".join(str(getattr(err, "message", err)).split("\n")[0].split())
        raise SourceError(f"{shapes_files}: not valid SHACL: {reason}") from None
    timings["shacl"] = time.perf_counter() - started

    checks: list[tuple[Result, dict]] = []
    if ontology_checks:
        started = time.perf_counter()
        metadata = rdflib.Graph().parse(data=METADATA_SHAPES, format="turtle")
        for result, terms in pyshacl_results(sources.ontology, metadata, None, inference="none"):
            result.check = "ontology"
            checks.append((result, terms))
        checks += run_ontology_checks(sources.triples["ontology"] + sources.triples["data"])
        timings["ontology_checks"] = time.perf_counter() - started

    started = time.perf_counter()
    kept = one_per_mistake(found + shacl + checks, sources)
    located = []
    if kept:
        namer, check_namer = Namer(sources.shapes, sources.index, scope=to_oxigraph), None
        for result, terms in kept:
            if result.check == "shacl":
                located.append(locate(result, terms, sources, namer, prefer or []))
            else:
                check_namer = check_namer or Namer(metadata if ontology_checks else rdflib.Graph(), sources.index)
                located.append(locate(result, terms, sources, check_namer, prefer or []))
    located.sort(key=lambda r: (r.file or "~", r.line or 0, r.focus or "", r.severity, r.rule or "", r.message,
                                r.triple_line or 0, r.path or "", r.value or "", r.constraint or ""))
    timings["locate"] = time.perf_counter() - started
    return Report(
        conforms=not any(r.severity == "Violation" for r in located),
        results=located,
        files=[f.display for f in sources.files],
        triples=sum(sources.counts.values()),
        timings=timings,
    )


def literal_findings(sources: Sources) -> list[tuple[Result, dict]]:
    """A Violation for each triple whose object is an ill-typed literal (server.checks.literals)."""
    out = []
    for role in ("ontology", "shapes", "data"):
        for bad in ill_typed(sources.triples[role]):
            s, p, o = (to_rdflib(term) for term in bad.triple)
            out.append((
                Result(severity="Violation", message=bad.message, focus=s.n3(), path=p.n3(), value=o.n3(),
                       shape=rdflib.URIRef(WELL_FORMED).n3(), constraint=SH.DatatypeConstraintComponent.n3(),
                       check="literal"),
                {"focus": s, "path": p, "value": o, "shape": rdflib.URIRef(WELL_FORMED), "inverse": None},
            ))
    return out


def one_per_mistake(found: list[tuple[Result, dict]], sources: Sources) -> list[tuple[Result, dict]]:
    """One finding for one mistake. Both engines report consequences of a mistake as findings of their own,
    because RDFS inference gives a wrong value the type that the property's rdfs:range names:

    - a literal where a node belongs (`tsk:actor "Turkey"`) becomes an instance of the range, and the shapes
      of that class report the literal as a focus node: dropped, since a finding on the subject already
      names that literal as its value (and, for an owl:ObjectProperty, now says to write a node's IRI);
    - a node that nothing describes (`tsk:evidence tskr:quote-s99`) gets the findings of every shape of its
      inferred classes: only the dangling-reference finding is kept, and for a quote of the article it says
      whether the article has that sentence at all;
    - with `tskg validate --alone`, nodes that only graph/ describes (their types and labels are brought in
      so that references resolve) are graph/'s business: their findings are dropped.
    """
    values = {terms["value"] for _, terms in found if terms.get("value") is not None}
    described = {t.subject for role in ("ontology", "data") for t in sources.triples[role]}
    dangling = {terms["focus"] for _, terms in found if _is_dangling(terms, sources)}
    undescribed = {f for f in dangling if _ox(f) not in described}
    object_properties = {rdflib.URIRef(t.subject.value) for t in sources.triples["ontology"]
                         if t.predicate == RDF_TYPE and t.object == OBJECT_PROPERTY}
    out = []
    for result, terms in found:
        focus = terms.get("focus")
        if isinstance(focus, rdflib.Literal) and focus in values and terms.get("value") != focus:
            continue
        if isinstance(terms.get("value"), rdflib.Literal) and terms.get("path") in object_properties:
            result.message += (" The value is text where a node belongs: write the node's IRI (such as "
                               "tskr:turkey), not its name.")
        if _ox(focus) in sources.context_nodes:
            continue
        if focus in undescribed:
            if not _is_dangling(terms, sources):
                continue
            message = _missing_quote(focus, sources)
            if message is not None:
                result.message = message
                result.path = None
                terms = {**terms, "path": None}
        out.append((result, terms))
    return out


def _is_dangling(terms: dict, sources: Sources) -> bool:
    shape = terms.get("shape")
    return shape == DANGLING_REFERENCE_SHAPE or (DANGLING_REFERENCE_SHAPE, SH.property, shape) in sources.shapes


def _ox(term):
    try:
        return to_oxigraph(term) if term is not None else None
    except TypeError:
        return None


def _missing_quote(focus, sources: Sources) -> str | None:
    """What to say about a cited quote of the article (tskr:quote-sNN) that graph/ does not describe."""
    match = QUOTE.fullmatch(str(focus))
    texts = {t.object.value for t in sources.triples["data"] if t.predicate == SCHEMA_TEXT
             and isinstance(t.object, ox.Literal)}
    if match is None or len(texts) != 1:
        return None
    number = int(match.group(1))
    last = sentences(next(iter(texts)))[-1].number
    if number > last:
        return (f"No sentence {number} in the article: it has {last} sentences (tskr:quote-s01 … "
                f"tskr:quote-s{last:02d}; tskr:quote-s00 is the title). Cite the quote of the sentence that "
                f"supports the fact.")
    return (f"Sentence {number} of the article has no quote in graph/ yet: add its tsk:Quote to "
            f"graph/source.ttl (python -m server.sources.quotes prints it).")
