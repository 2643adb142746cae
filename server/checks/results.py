"""What a check finds: a `Result` per finding (severity, message, focus node, path, value, shape, and
where it is written), gathered in a `Report`. Every checker (server.checks.shacl_fast, shacl_reference,
ontology, literals) produces these; server.checks.reports writes them out."""

from __future__ import annotations

from dataclasses import dataclass, field


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
                                  # "literal" (a literal ill-typed for its XSD datatype, server.checks.literals)


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


def term_text(term) -> str | None:
    """An rdflib term as N-Triples text, as results carry it."""
    if term is None:
        return None
    return term.n3()
