"""SHACL validation of the data with the shapes and the ontology (pySHACL), as plain results."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyshacl
import rdflib
from rdflib.namespace import RDF, SH


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


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]


def _text(term) -> str | None:
    if term is None:
        return None
    return term.n3() if not isinstance(term, rdflib.Literal) else term.n3()


def shacl_validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph) -> Report:
    """Validate `data` against `shapes`, with `ontology` mixed in and RDFS inference,
    so that a shape targeting a superclass sees instances of its subclasses."""
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="rdfs",
        advanced=True,
        allow_warnings=True,
    )
    results = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        g = report_graph
        severity = g.value(node, SH.resultSeverity)
        messages = [str(m) for m in g.objects(node, SH.resultMessage)]
        results.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                message="; ".join(sorted(messages)) or "(no message)",
                focus=_text(g.value(node, SH.focusNode)),
                path=_text(g.value(node, SH.resultPath)),
                value=_text(g.value(node, SH.value)),
                shape=_text(g.value(node, SH.sourceShape)),
                constraint=_text(g.value(node, SH.sourceConstraintComponent)),
            )
        )
    results.sort(key=lambda r: (r.focus or "", r.severity, r.message, r.path or ""))
    return Report(conforms=not any(r.severity == "Violation" for r in results), results=results)
