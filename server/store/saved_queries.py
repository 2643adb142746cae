"""Saved queries: the `.rq` files of queries/, written in grlc's decorator style.

A saved query is a SPARQL file whose `#+` comment lines are YAML, as grlc reads them:

    #+ summary: Offices held by a person
    #+ description: Every tenure of the person, with the office and its dates.
    #+ tags:
    #+   - people
    #+ defaults:
    #+   - person: https://w3id.org/tskg/id/aleksandar-vucic
    #+ enumerate:
    #+   - type:
    #+     - https://w3id.org/tskg/concept/...
    #+ params:
    #+   - person: The person (an IRI or a tskr: name)

`summary` is the title; `params` (parameter descriptions) is our addition, which grlc ignores.

Parameters follow grlc's (BASIL's) variable convention: `?_name` is a required parameter,
`?__name` an optional one, and a suffix gives its type: `?_person_iri` (an IRI),
`?_year_xsd_gYear` or `?_year_gYear` (an xsd:gYear literal), `?_n_integer`, `?_n_number`,
`?_label_en` (a literal in English), no suffix: a plain string. The name itself has no underscore.

Values are never spliced into the query text as strings: `bindings()` turns each into a
pyoxigraph term, checked against its type, and the engine binds the variable to it as an RDF
term (server.store.inspect.bind), wherever it stands, projected or not. The saved queries project
each parameter, spelt `$_name_type` there (grlc, which replaces the `?_name_type` spelling in the
text, leaves that one alone), from when binding needed it; a query may leave it out, and `tskg
query` leaves those columns out of its output.

`check_values()` then asks the engine whether each value exists: an IRI must name a resource of
the graph, and a literal the query matches as the object of a predicate (`?q tsk:sentenceNumber
?_sentence_integer`) must be such an object somewhere; otherwise the answer would be an empty
table that looks like "nothing found" when the value itself is wrong.

A SELECT's rows come in pages (`page()`), so that a query whose answer grows with the graph stays
quick: `limit` rows from `offset`, `limit` at most MAX_PAGE; by default the first PAGE_SIZE rows, or
as many as grlc's `#+ pagination: N` decorator says. The query's own LIMIT and OFFSET are kept within.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox
import yaml

from ..namespaces import PREFIXES
from .inspect import inspect_query, page_solutions, tokenize

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_VALUE_LENGTH = 2000

# grlc's parameter convention: ?_name or ?__name, then an optional type and a datatype.
_PARAMETER = re.compile(r"^(?P<required>_{1,2})(?P<name>[^_]+)_?(?P<type>[A-Za-z0-9]+)?_?(?P<userdefined>[A-Za-z0-9]+)?")

# Lexical spaces of the XSD datatypes a parameter may take (XML Schema 1.1 part 2).
_TZ = r"(Z|[+-]\d{2}:\d{2})?"
_YEAR = r"-?([1-9]\d{4,}|\d{4})"
_LEXICAL = {
    "string": r".*",
    "normalizedString": r"[^\r\n\t]*",
    "token": r"(\S+( \S+)*)?",
    "anyURI": r"\S*",
    "language": r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*",
    "boolean": r"true|false|1|0",
    "integer": r"[+-]?\d+",
    "int": r"[+-]?\d+",
    "long": r"[+-]?\d+",
    "short": r"[+-]?\d+",
    "byte": r"[+-]?\d+",
    "nonNegativeInteger": r"\+?\d+|-0+",
    "positiveInteger": r"\+?0*[1-9]\d*",
    "nonPositiveInteger": r"-\d+|\+?0+",
    "negativeInteger": r"-0*[1-9]\d*",
    "unsignedLong": r"\+?\d+",
    "unsignedInt": r"\+?\d+",
    "unsignedShort": r"\+?\d+",
    "unsignedByte": r"\+?\d+",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN",
    "float": r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN",
    "date": _YEAR + r"-\d{2}-\d{2}" + _TZ,
    "dateTime": _YEAR + r"-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?" + _TZ,
    "time": r"\d{2}:\d{2}:\d{2}(\.\d+)?" + _TZ,
    "gYear": _YEAR + _TZ,
    "gYearMonth": _YEAR + r"-(0[1-9]|1[0-2])" + _TZ,
    "gMonthDay": r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ,
    "gMonth": r"--(0[1-9]|1[0-2])" + _TZ,
    "gDay": r"---(0[1-9]|[12]\d|3[01])" + _TZ,
}
_EXAMPLES = {
    "integer": "2019", "gYear": "2019", "date": "2019-10-08", "gYearMonth": "2019-10",
    "gMonthDay": "--10-08", "dateTime": "2019-10-08T12:00:00Z", "boolean": "true", "decimal": "1.5",
}
# Ranges for the bounded integer types, checked after the pattern.
_INTEGER_RANGES = {
    "int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1), "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
_NUMBER = {"integer": r"[+-]?\d+", "decimal": _LEXICAL["decimal"], "double": _LEXICAL["double"]}


class SavedQueryError(Exception):
    """A .rq file that cannot serve as a saved query (bad decorators, unknown type, ...)."""


class ParameterError(ValueError):
    """A parameter value the user gave that does not fit: answered with HTTP 400 / exit code 2."""

    status = 400

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


@dataclass(frozen=True)
class Parameter:
    name: str                    # the API name: ?_person_iri → "person"
    variable: str                # the SPARQL variable, without sigil: "_person_iri"
    required: bool               # ?_name (required) or ?__name (optional)
    type: str                    # "iri", "literal" (typed or tagged), "number" or "string"
    datatype: str | None = None  # full IRI of the literal's datatype
    lang: str | None = None      # language tag of the literal
    default: str | None = None
    enum: tuple[str, ...] = ()
    description: str = ""

    @property
    def datatype_name(self) -> str | None:
        """The local name of an XSD datatype ("gYear"), else None."""
        if self.datatype and self.datatype.startswith(XSD):
            return self.datatype[len(XSD):]
        return None

    def parse(self, raw: str, prefixes: Mapping[str, str] = PREFIXES) -> ox.NamedNode | ox.Literal:
        """The term for `raw`, or ParameterError saying why it does not fit this parameter."""
        value = raw.strip() if self.type in ("iri", "number") or self.datatype else raw
        if len(value) > MAX_VALUE_LENGTH:
            raise ParameterError(f"parameter '{self.name}': value longer than {MAX_VALUE_LENGTH} characters", self.name)
        if self.enum and self._expand(value, prefixes) not in {self._expand(v, prefixes) for v in self.enum}:
            raise ParameterError(
                f"parameter '{self.name}': {value!r} is not one of: {', '.join(self.enum)}", self.name
            )
        if self.type == "iri":
            return self._iri(value, prefixes)
        if self.type == "number":
            for local, pattern in _NUMBER.items():
                if re.fullmatch(pattern, value):
                    return ox.Literal(value, datatype=ox.NamedNode(XSD + local))
            raise ParameterError(f"parameter '{self.name}': {value!r} is not a number", self.name)
        if self.lang:
            return ox.Literal(value, language=self.lang)
        if self.datatype:
            self._check_lexical(value)
            return ox.Literal(_canonical(value, self.datatype_name), datatype=ox.NamedNode(self.datatype))
        return ox.Literal(value)

    def schema(self) -> dict:
        """A JSON Schema (OpenAPI 3.1) for the value as it travels in a query string."""
        schema: dict = {"type": "string"}
        if self.type == "iri":
            schema["format"] = "iri"
        elif self.type == "number":
            schema["type"] = "number"
        elif self.datatype_name in ("integer", "int", "long", "short", "byte") or "nteger" in (self.datatype_name or ""):
            schema["type"] = "integer"
        elif self.datatype_name == "boolean":
            schema["type"] = "boolean"
        elif self.datatype_name in ("date", "dateTime"):
            schema["format"] = "date" if self.datatype_name == "date" else "date-time"
        elif self.datatype_name in _LEXICAL and self.datatype_name != "string":
            schema["pattern"] = f"^({_LEXICAL[self.datatype_name]})$"
        if self.enum:
            schema = {"type": "string", "enum": list(self.enum)}
        if self.default is not None:
            schema["default"] = _json_default(self.default, schema["type"])
        return schema

    def describe_type(self) -> str:
        """Words for the form and the error messages: "IRI", "xsd:gYear", "literal @en"."""
        if self.type == "iri":
            return "IRI"
        if self.type == "number":
            return "number"
        if self.lang:
            return f"text @{self.lang}"
        if self.datatype_name:
            return f"xsd:{self.datatype_name}"
        if self.datatype:
            return f"<{self.datatype}>"
        return "text"

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "variable": self.variable,
            "required": self.required,
            "type": self.type,
            "datatype": self.datatype,
            "lang": self.lang,
            "default": self.default,
            "enum": list(self.enum),
            "description": self.description,
        }

    def _expand(self, value: str, prefixes: Mapping[str, str]) -> str:
        prefix, colon, local = value.partition(":")
        if colon and prefix in prefixes and not local.startswith("//"):
            return prefixes[prefix] + local
        return value

    def _iri(self, value: str, prefixes: Mapping[str, str]) -> ox.NamedNode:
        if value.startswith("<") and value.endswith(">"):
            value = value[1:-1]
        iri = self._expand(value, prefixes)
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
            raise ParameterError(
                f"parameter '{self.name}': {value!r} is not an IRI (give an absolute IRI such as "
                f"https://w3id.org/tskg/id/aleksandar-vucic, or a prefixed name such as tskr:aleksandar-vucic)",
                self.name,
            )
        try:
            return ox.NamedNode(iri)
        except ValueError as err:
            raise ParameterError(f"parameter '{self.name}': {value!r} is not a valid IRI ({err})", self.name) from None

    def _check_lexical(self, value: str) -> None:
        local = self.datatype_name
        pattern = _LEXICAL.get(local or "")
        if pattern is None:
            return  # a datatype outside XSD's common ones: any text is taken as its lexical form
        ok = re.fullmatch(pattern, value) is not None
        if ok and local in _INTEGER_RANGES:
            low, high = _INTEGER_RANGES[local]
            ok = low <= int(value) <= high
        if ok and local in ("date", "dateTime") and re.match(r"\d{4}-", value):
            try:
                datetime.date.fromisoformat(value[:10])
            except ValueError:
                ok = False
        if ok and local == "gMonthDay":
            month, day = int(value[2:4]), int(value[5:7])
            ok = day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
        if not ok:
            example = _EXAMPLES.get(local or "")
            hint = f" (for example {example})" if example else ""
            raise ParameterError(f"parameter '{self.name}': {value!r} is not a valid xsd:{local}{hint}", self.name)


def _canonical(value: str, local: str | None) -> str:
    """The canonical form of a valid integer or boolean ("05" → "5", "1" → "true"): patterns match
    RDF terms, and "05"^^xsd:integer is not the term "5"^^xsd:integer that the data holds."""
    if local in _INTEGER_RANGES or (local or "").endswith(("integer", "Integer")):
        return str(int(value))
    if local == "boolean":
        return "true" if value in ("true", "1") else "false"
    return value


def _json_default(value: str, json_type: str):
    try:
        if json_type == "integer":
            return int(value)
        if json_type == "number":
            return float(value)
        if json_type == "boolean":
            return value in ("true", "1")
    except ValueError:
        pass
    return value


@dataclass(frozen=True)
class SavedQuery:
    name: str                  # the file name without .rq; the URL is /queries/<name>
    path: Path
    title: str                 # grlc's summary
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    kind: str                  # "select", "construct", "describe" or "ask"
    text: str                  # the whole file, decorators included
    query: str                 # the SPARQL to run (the whole text: #+ lines are comments)
    decorators: dict = field(default_factory=dict, compare=False)
    prefixes: dict = field(default_factory=dict, compare=False)  # the query's PREFIX declarations

    @property
    def result_kind(self) -> str:
        """"select" or "ask" (results), "graph" (CONSTRUCT or DESCRIBE)."""
        return "graph" if self.kind in ("construct", "describe") else self.kind

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def bindings(self, values: Mapping[str, str], *, ignore: tuple[str, ...] = ()) -> dict[str, ox.NamedNode | ox.Literal]:
        """Variable → term for the given raw values, defaults filling the gaps.

        An empty value counts as not given (an empty form field). Unknown names are an
        error (a typo would otherwise silently run the query with its defaults), except
        those in `ignore` (e.g. "format")."""
        unknown = sorted(set(values) - {p.name for p in self.parameters} - set(ignore))
        if unknown:
            known = ", ".join(p.name for p in self.parameters) or "none"
            raise ParameterError(
                f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                f"for query '{self.name}' (its parameters: {known})",
                unknown[0],
            )
        prefixes = {**PREFIXES, **self.prefixes}
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.parameters:
            raw = values.get(p.name)
            if raw is None or raw.strip() == "":
                raw = p.default
            if raw is None:
                if p.required:
                    raise ParameterError(f"parameter '{p.name}' ({p.describe_type()}) is required", p.name)
                continue  # an optional parameter left out stays a free variable
            bound[p.variable] = p.parse(raw, prefixes)
        return bound

    def value_predicates(self) -> dict[str, str]:
        """Parameter name → the predicate IRI whose object the query matches the parameter's value with
        (`?s PREDICATE ?_param`, the predicate a prefixed name, an IRI or `a`, not the end of a path)."""
        prefixes = {**PREFIXES, **self.prefixes}
        try:
            tokens = tokenize(self.query)[0]
        except Exception:  # noqa: BLE001 - unreadable text: the engine will say where when it runs
            return {}
        by_variable = {p.variable: p.name for p in self.parameters}
        found: dict[str, str] = {}
        for before, predicate, token in zip(tokens, tokens[1:], tokens[2:]):
            name = by_variable.get(token.text[1:]) if token.kind == "var" else None
            if name is None or name in found or (before.kind == "operator" and before.text in "/|^!"):
                continue
            if predicate.kind == "iri":
                found[name] = predicate.text[1:-1]
            elif predicate.kind == "pname" and predicate.text.partition(":")[0] in prefixes:
                prefix, _, local = predicate.text.partition(":")
                found[name] = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
            elif predicate.kind == "word" and predicate.text == "a":
                found[name] = PREFIXES["rdf"] + "type"
        return found

    def check_values(self, bindings: Mapping[str, ox.NamedNode | ox.Literal], engine, timeout: float | None = None) -> None:
        """ParameterError (400) for a value that is not in the graph: an IRI that names no resource ("no
        such resource"), or a literal that is the object of the query's predicate nowhere (with the
        range of that predicate's values, for numbers and dates). One ASK per value, on `engine`."""
        predicates = self.value_predicates()
        for p in self.parameters:
            term = bindings.get(p.variable)
            if term is None:
                continue
            shown = _shown(term)
            if isinstance(term, ox.NamedNode):
                exists = engine.ask("ASK { { $v ?p ?o } UNION { ?s ?p $v } UNION { ?s $v ?o } }",
                                    bindings={"v": term}, timeout=timeout)
                if not exists:
                    raise ParameterError(f"parameter '{p.name}': no such resource {shown} in the graph", p.name)
                continue
            predicate = predicates.get(p.name)
            if predicate is None:
                continue  # matched by a FILTER or an expression: any value may select nothing
            if engine.ask(f"ASK {{ ?s <{predicate}> $v }}", bindings={"v": term}, timeout=timeout):
                continue
            message = f"parameter '{p.name}': no {p.name} {shown}"
            if p.type == "number" or p.datatype_name in _ORDERED:
                rows = engine.select(f"SELECT (MIN(?v) AS ?low) (MAX(?v) AS ?high) (COUNT(DISTINCT ?v) AS ?n) "
                                     f"WHERE {{ ?s <{predicate}> ?v }}", timeout=timeout)
                if rows and rows[0].get("low") is not None:
                    row = rows[0]
                    message += (f" (the graph has {row['n'].value} values of {_curie(predicate)}, from "
                                f"{row['low'].value} to {row['high'].value})")
            else:
                message += f" (no {_curie(predicate)} has this value)"
            raise ParameterError(message, p.name)

    @property
    def page_size(self) -> int | None:
        """Rows of the first page by default (grlc's `pagination`, else PAGE_SIZE); None: not paged."""
        if self.kind != "select":
            return None
        return int(self.decorators.get("pagination") or PAGE_SIZE)

    def page(self, limit: int | None = None, offset: int = 0) -> str:
        """The text to run for rows offset … offset + limit - 1 (limit: page_size when None); the whole
        query for what is not a SELECT."""
        if self.page_size is None:
            return self.query
        limit = self.page_size if limit is None else limit
        if not 0 < limit <= MAX_PAGE:
            raise ParameterError(f"limit must be a whole number from 1 to {MAX_PAGE}, not {limit}", "limit")
        if offset < 0:
            raise ParameterError(f"offset must be 0 or more, not {offset}", "offset")
        info = inspect_query(self.query, None, {**PREFIXES, **self.prefixes})
        return page_solutions(info, info.text, limit, offset) or self.query

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "kind": self.kind,
            "parameters": [p.to_json() for p in self.parameters],
            "page_size": self.page_size,
            "query": self.query,
        }


PAGE_SIZE = 100     # rows of a SELECT saved query's page when neither the request nor the query says
MAX_PAGE = 10_000   # rows a page may ask for (the endpoint's row cap)


# Datatypes whose values are ordered, so that "from LOW to HIGH" tells which values exist.
_ORDERED = {"integer", "int", "long", "short", "byte", "decimal", "double", "float", "nonNegativeInteger",
            "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
            "unsignedShort", "unsignedByte", "date", "dateTime", "gYear", "gYearMonth"}


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _shown(term: ox.NamedNode | ox.Literal) -> str:
    """A value as a message shows it: an IRI as a prefixed name where one fits, a literal by its text."""
    if isinstance(term, ox.NamedNode):
        return _curie(term.value)
    return term.value if len(term.value) <= 80 else term.value[:79] + "…"


def load_query(path: Path) -> SavedQuery:
    """Read one .rq file; SavedQueryError (with the file name) if it cannot be a saved query."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SavedQueryError(f"{path}: cannot read: {err}") from None
    return parse_query(text, path)


def parse_query(text: str, path: Path, *, documented: bool = True) -> SavedQuery:
    """A query text with grlc decorators; `documented=False` lets an ad-hoc query go without
    a title and description (its parameters still work)."""
    path = Path(path)
    lines = text.splitlines()
    decorator_text = "\n".join(line[2:] for line in lines if line.startswith("#+"))
    # The #+ lines are SPARQL comments: the query runs as written, so error positions match the file.
    query = text
    try:
        decorators = yaml.safe_load(decorator_text) if decorator_text.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (decorator line {mark.line + 1})" if mark else ""
        raise SavedQueryError(f"{path}: the #+ decorators are not valid YAML{where}: {getattr(err, 'problem', err)}") from None
    if not isinstance(decorators, dict):
        raise SavedQueryError(f"{path}: the #+ decorators must be 'key: value' lines")

    title = _text(decorators.get("summary"))
    description = _text(decorators.get("description"))
    if not title and documented:
        raise SavedQueryError(f"{path}: no title: add a '#+ summary: ...' line")
    if not description and documented:
        raise SavedQueryError(f"{path}: no description: add a '#+ description: ...' line")
    tags = decorators.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]

    bare = _strip_literals(query)
    kind_match = re.search(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", bare, re.IGNORECASE)
    if not kind_match:
        raise SavedQueryError(f"{path}: not a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    kind = kind_match.group(1).lower()
    prefixes = {m.group(1): m.group(2) for m in re.finditer(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", query, re.I)}

    parameters = _parameters(path, bare, decorators, {**PREFIXES, **prefixes})
    pagination = decorators.get("pagination")
    if pagination is not None and not (isinstance(pagination, int) and 0 < pagination <= MAX_PAGE):
        raise SavedQueryError(f"{path}: '#+ pagination: {pagination}' must be a whole number of rows "
                              f"from 1 to {MAX_PAGE}")
    return SavedQuery(
        name=path.stem,
        path=path,
        title=title,
        description=description,
        tags=tuple(str(t) for t in tags),
        parameters=tuple(parameters),
        kind=kind,
        text=text,
        query=query,
        decorators=decorators,
        prefixes=prefixes,
    )


def load_folder(directory: Path) -> dict[str, SavedQuery]:
    """Every queries/*.rq, by name, in name order."""
    directory = Path(directory)
    return {q.name: q for q in (load_query(p) for p in sorted(directory.glob("*.rq")))}


def _text(value) -> str:
    """A decorator value as one clean string (YAML folds long values for us)."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _named_values(path: Path, decorators: dict, key: str) -> dict:
    """grlc writes `defaults` and `enumerate` as lists of one-key maps: [{name: value}, ...]."""
    found = {}
    entries = decorators.get(key) or []
    if isinstance(entries, dict):
        entries = [entries]
    for entry in entries:
        if isinstance(entry, dict):
            found.update(entry)
        elif key == "enumerate" and isinstance(entry, str):
            # grlc fills a bare name from the endpoint; we only support listed values.
            raise SavedQueryError(f"{path}: '#+ enumerate' of '{entry}' must list its values")
        else:
            raise SavedQueryError(f"{path}: '#+ {key}' entries must be 'name: value'")
    return found


def _parameters(path: Path, bare_query: str, decorators: dict, prefixes: Mapping[str, str]) -> list[Parameter]:
    defaults = _named_values(path, decorators, "defaults")
    enums = _named_values(path, decorators, "enumerate")
    descriptions = _named_values(path, decorators, "params")
    parameters: dict[str, Parameter] = {}
    for variable in dict.fromkeys(re.findall(r"[?$](_\w+)", bare_query)):
        match = _PARAMETER.match(variable)
        if not match:
            continue
        name = match.group("name")
        mtype, userdefined = match.group("type"), match.group("userdefined")
        ptype, datatype, lang = "string", None, None
        if mtype in (None, "string", "literal"):
            ptype = "string"
        elif mtype == "iri":
            ptype = "iri"
        elif mtype == "number":
            ptype = "number"
        elif mtype in _LEXICAL:
            ptype, datatype = "literal", XSD + mtype
        elif len(mtype) == 2 and mtype.isalpha() and not userdefined:
            ptype, lang = "literal", mtype.lower()
        elif userdefined:
            if mtype not in prefixes:
                raise SavedQueryError(f"{path}: ?{variable}: unknown prefix '{mtype}' for the datatype {mtype}:{userdefined}")
            ptype, datatype = "literal", prefixes[mtype] + userdefined
        else:
            raise SavedQueryError(f"{path}: ?{variable}: unknown parameter type '{mtype}'")
        if name in parameters and parameters[name].variable != variable:
            raise SavedQueryError(f"{path}: parameter '{name}' is written as two variables: ?{parameters[name].variable}, ?{variable}")
        default = defaults.get(name)
        enum = enums.get(name) or []
        parameter = Parameter(
            name=name,
            variable=variable,
            required=match.group("required") == "_",
            type=ptype,
            datatype=datatype,
            lang=lang,
            default=None if default is None else _scalar(default),
            enum=tuple(_scalar(v) for v in enum),
            description=_text(descriptions.get(name)),
        )
        for value in ([parameter.default] if parameter.default is not None else []) + list(parameter.enum):
            try:
                parameter.parse(value, prefixes)
            except ParameterError as err:
                raise SavedQueryError(f"{path}: default or enumerated value does not fit: {err.message}") from None
        parameters[name] = parameter
    for key, table in (("defaults", defaults), ("enumerate", enums), ("params", descriptions)):
        for name in table:
            if name not in parameters:
                raise SavedQueryError(f"{path}: '#+ {key}' names '{name}', which is not a parameter of the query")
    return list(parameters.values())


def _scalar(value) -> str:
    """YAML reads 2019 as an int and true as a bool; parameters are text until parsed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def _strip_literals(query: str) -> str:
    """The query with comments, strings and IRIs blanked out, so that a '?' or a keyword
    inside them is not mistaken for a variable or a clause."""
    pattern = re.compile(
        r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
        r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
        r'|<[^<>"{}|^`\\\x00-\x20]*>'
        r"|#[^\n]*",
        re.DOTALL,
    )
    return pattern.sub(lambda m: " " * len(m.group(0)) if not m.group(0).startswith("<") else "<>", query)
