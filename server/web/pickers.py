"""The inputs of a saved query's HTML form: for each parameter, a choice among the things that fit it,
or the input its type calls for.

Which things fit an IRI parameter is read from the query itself, by the engine: the query's WHERE
pattern is run with the parameter left free, `SELECT DISTINCT ?param WHERE { …the query's pattern… }`,
which gives exactly the values for which the query has an answer (three people hold an office in
actor-offices). Then, if those values share a class of their own (asserted, ours first: tsk:Person),
every thing of that class is offered (the six persons), those without an answer marked as such, since
"the article names no office for Erdogan" is an answer too. Values that share no class (entity-graph
takes any node) are offered as they are. This asks the data rather than reading the pattern's
classes and the properties' domains and ranges, which a property path (`skos:broader*`), a UNION or an
open domain (tsk:evidence has none) would defeat.

A list of up to MAX_LISTED things is a <select> (with a filter box past FILTER_FROM); a longer one is a
search box that suggests from /search, limited to the shared class where there is one. A parameter with
`#+ enumerate` values keeps exactly those, by label. Literal parameters get an input for their type: a
number (with the least and greatest value the pattern allows, where it binds them), a year, a date, true
or false, text.

Computed once per app and query text (server.web.engine.memo); a query that cannot be rewritten or run
so (no WHERE group found, an error, over the time limit) leaves the plain text box.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..store import QueryError
from ..store.inspect import tokenize
from ..store.saved_queries import XSD, Parameter, SavedQuery
from .engine import get_engine, memo
from .pages.present import compact, labels
from .pages.search_index import expand, normalise, search_index

MAX_LISTED = 300      # things in a <select>; more: a search box
FILTER_FROM = 15      # a <select> of more options gets a filter box
MAX_VALUES = 2_000    # values read from the data per parameter: past this, a search box (and an early stop)
NUMERIC = ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
           "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
           "unsignedByte", "decimal", "double", "float")


@dataclass
class Choice:
    value: str            # what the form sends: a prefixed name, or the IRI
    label: str
    kind: str | None      # the thing's class, in words
    answers: bool         # the query has rows for it
    match: str = ""       # normalised label and value, for the filter box


@dataclass
class Picker:
    widget: str                       # "select", "search", "number", "year", "date", "boolean", "text"
    choices: list[Choice] = field(default_factory=list)
    search_types: list[str] = field(default_factory=list)  # classes the search box suggests from
    kind: str | None = None           # the shared class, in words ("person")
    minimum: str | None = None
    maximum: str | None = None
    note: str = ""                    # how the choices were found, for the page

    @property
    def grouped(self) -> bool:
        return any(c.answers for c in self.choices) and not all(c.answers for c in self.choices)


def where_group(text: str) -> tuple[str, str] | None:
    """The query's prologue (PREFIX and BASE lines) and its WHERE group `{ … }`, as written; None if the
    text is not one query form with a group. A CONSTRUCT's template is skipped."""
    try:
        tokens, _ = tokenize(text)
    except QueryError:
        return None
    form = next((i for i, t in enumerate(tokens)
                 if t.kind == "word" and t.text.upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")), None)
    if form is None:
        return None
    i = form + 1
    if tokens[form].text.upper() == "CONSTRUCT" and i < len(tokens) and tokens[i].text == "{":
        i = _after_group(tokens, i)  # the template
    while i < len(tokens) and tokens[i].text != "{":
        i += 1
    if i >= len(tokens):
        return None
    end = _after_group(tokens, i)
    if end > len(tokens):
        return None
    return text[: tokens[form].start], text[tokens[i].start: tokens[end - 1].end]


def _after_group(tokens, i: int) -> int:
    """The index after the `}` that closes the `{` at tokens[i] (len + 1 if it never closes)."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind == "operator" and tokens[j].text == "{":
            depth += 1
        elif tokens[j].kind == "operator" and tokens[j].text == "}":
            depth -= 1
            if depth == 0:
                return j + 1
    return len(tokens) + 1


def parameter_values(query: SavedQuery, parameter: Parameter) -> list | None:
    """The distinct terms the parameter's variable takes under the query's pattern (at most MAX_VALUES + 1:
    more is "many", and the engine stops there), or None if the query cannot be run so."""
    parts = where_group(query.query)
    if parts is None:
        return None
    prologue, group = parts
    text = f"{prologue}SELECT DISTINCT ?{parameter.variable} WHERE {group}"
    try:
        rows = get_engine().select(text, max_rows=MAX_VALUES + 1)
    except QueryError:
        return None
    return [r[parameter.variable] for r in rows if parameter.variable in r]


def shared_class(values: set[str]) -> str | None:
    """The class all these things have (asserted, ours first; of several, the one with fewest things), or None."""
    index = search_index()
    entries = [index.by_iri.get(v) for v in values]
    if not entries or not all(e is not None and e.kinds for e in entries):
        return None
    common = set(entries[0].kinds).intersection(*(e.kinds for e in entries[1:]))
    return min(common, key=lambda c: sum(1 for e in index.entries if c in e.types)) if common else None


def choices(offered: list[str], answering: set[str]) -> list[Choice]:
    """The things offered, by label, those with an answer first."""
    index = search_index()
    names = labels()
    out = []
    for iri in offered:
        entry = index.by_iri.get(iri)
        label = entry.label if entry else names.get(iri) or compact(iri)
        kind = ", ".join(names.get(k, compact(k)) for k in entry.kinds) if entry else None
        value = compact(iri)
        out.append(Choice(value, label, kind, iri in answering, normalise(f"{label} {value}")))
    out.sort(key=lambda c: (not c.answers, c.label.casefold()))
    return out


def _enumerated(parameter: Parameter) -> Picker:
    names = labels()
    index = search_index()
    choices = []
    for value in parameter.enum:
        iri = expand(value) if parameter.type == "iri" else value
        label = names.get(iri) or compact(value)
        entry = index.by_iri.get(iri)
        kind = ", ".join(names.get(k, compact(k)) for k in entry.kinds) if entry else None
        choices.append(Choice(value, label, kind, True, normalise(f"{label} {compact(value)}")))
    kinds = {c.kind for c in choices}
    return Picker("select", choices, kind=kinds.pop() if len(kinds) == 1 else None, note="the values this query lists")


def _literal(query: SavedQuery, parameter: Parameter) -> Picker:
    datatype = (parameter.datatype or "")[len(XSD):] if (parameter.datatype or "").startswith(XSD) else ""
    if parameter.type == "number" or datatype in NUMERIC:
        values = parameter_values(query, parameter) or []
        numbers = sorted(float(v.value) for v in values if isinstance(v, ox.Literal) and _is_number(v.value))
        low = high = None
        if numbers and len(values) <= MAX_VALUES:
            low, high = (_plain(numbers[0]), _plain(numbers[-1]))
        note = f"from {low} to {high} in the graph" if numbers else ""
        return Picker("number", minimum=low, maximum=high, note=note)
    if datatype == "gYear":
        return Picker("year")
    if datatype == "date":
        return Picker("date")
    if datatype == "boolean":
        return Picker("boolean")
    return Picker("text")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def picker(query: SavedQuery, parameter: Parameter) -> Picker:
    """The input for one parameter (module docstring)."""
    if parameter.enum:
        return _enumerated(parameter)
    if parameter.type != "iri":
        return _literal(query, parameter)
    values = parameter_values(query, parameter)
    if values is None:
        return Picker("text", note="an IRI or a prefixed name")
    many = len(values) > MAX_VALUES  # a sample: its shared class stands for all
    answering = {v.value for v in values if isinstance(v, ox.NamedNode)}
    shared = shared_class(answering)
    kind = labels().get(shared) if shared else None
    offered = [e.iri for e in search_index().entries if shared in e.types] if shared else sorted(answering)
    if shared:
        note = f"every {kind or compact(shared)} of the graph"
        if len(answering) < len(offered) and not many:
            note += f"; the query finds something for {len(answering)} of them"
    else:
        note = f"the {f'more than {MAX_VALUES}' if many else len(offered)} things for which the query finds something"
    if len(offered) > MAX_LISTED or many:
        return Picker("search", search_types=[compact(shared)] if shared else [], kind=kind, note=note)
    return Picker("select", choices(offered, answering), kind=kind, note=note)


def pickers(query: SavedQuery) -> dict[str, Picker]:
    """Parameter name → its input, computed once per app for this query text."""
    digest = hashlib.sha256(query.query.encode("utf-8")).hexdigest()[:16]
    return memo(f"pickers:{query.name}:{digest}", lambda: {p.name: picker(query, p) for p in query.parameters})
