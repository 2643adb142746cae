"""The reference SHACL validator: pySHACL (inference "rdfs", the ontology mixed in), and the reading of a
SHACL validation report graph into results (server.checks.results) that the fast path
(server.checks.shacl_fast) shares. tests/test_fastshacl.py and tests/test_shacl_differential.py show the
fast path equal to this one."""

from __future__ import annotations

import contextlib

import pyshacl
import pyshacl.errors
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor

from ..reasoning import undo_owlrl_datatypes
from .results import Report, Result, term_text


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
                    focus=term_text(terms["focus"]),
                    path=path_text(g, path),
                    value=term_text(terms["value"]),
                    shape=term_text(terms["shape"]),
                    constraint=term_text(g.value(node, SH.sourceConstraintComponent)),
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

