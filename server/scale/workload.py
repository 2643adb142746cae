"""What the benchmarks send: the saved queries as users run them, and distinct variants no cache has seen.

A user runs a saved query as `GET /queries/NAME?param=value`: our server binds the values as RDF terms
(server.store.saved_queries, then server.store.inspect.bind writes each term where its variable stands)
and runs that text. `SavedRequest` carries both sides of one such request: the path and query string for
our server, and the exact bound text our server runs, with the prefixes it uses declared, for a store that
knows no saved queries (Oxigraph server).

A distinct request does the same work with a text never sent before: every variable renamed with a fresh
suffix (`?label` → `?label_1kz`), so no answer cache can serve it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..project import Project

SELECT_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


@dataclass
class SavedRequest:
    name: str
    params: dict = field(default_factory=dict)   # parameter name → raw value, as a user types it
    text: str = ""                               # what our server runs for it (bound, prefixes declared)
    accept: str = SELECT_JSON

    @property
    def path(self) -> str:
        """`/queries/NAME?…` with the parameters, as a user's browser or client sends it."""
        query = urlencode(self.params)
        return f"/queries/{self.name}" + (f"?{query}" if query else "")


def bound_text(text: str, bindings: dict) -> tuple[str, str]:
    """(the text our server runs for `text` with `bindings`, with the prefixes it uses declared; its
    Accept: N-Triples for CONSTRUCT and DESCRIBE, SPARQL JSON otherwise)."""
    from ..namespaces import PREFIXES
    from ..store.inspect import bind, inspect_query

    info = inspect_query(text, None, PREFIXES)
    declarations = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(info.undeclared.items()))
    bound = "\n".join(line.strip() for line in bind(info, bindings).splitlines() if line.strip())
    return declarations + bound, N_TRIPLES if info.kind == "graph" else SELECT_JSON


def saved_requests(project: Project, values: dict | None = None, only=()) -> list[SavedRequest]:
    """Every saved query of `project` as a user runs it: its parameters given explicitly, at their
    defaults unless `values` (query name → {parameter: raw value}) says otherwise. A query with a
    required parameter that has no default and no value is left out."""
    from ..store.saved_queries import ParameterError, load_folder

    out = []
    for name, saved in sorted(load_folder(project.queries_dir).items()):
        if only and name not in only:
            continue
        params = {p.name: p.default for p in saved.parameters if p.default is not None}
        params.update((values or {}).get(name, {}))
        try:
            bindings = saved.bindings(params)
        except ParameterError:
            continue  # a required parameter without a default
        text, accept = bound_text(saved.page(), bindings)  # the first page, as the server gives it
        out.append(SavedRequest(name, params, text, accept))
    return out


def canonical_answer(body: bytes, accept: str):
    """An answer in a form two servers' answers can be compared in: a sorted list of rows (each a sorted
    tuple of (variable, term)) for SELECT, the boolean for ASK, sorted N-Triples lines for a graph (blank
    nodes named alike). Row order is left out: ORDER BY ties may come in any order."""
    if accept == N_TRIPLES:
        lines = []
        for line in body.decode().splitlines():
            if line.strip():
                lines.append(" ".join("_:b" if part.startswith("_:") else part for part in line.split(" ")))
        return sorted(lines)
    doc = json.loads(body)
    if "boolean" in doc:
        return bool(doc["boolean"])
    rows = []
    for binding in doc["results"]["bindings"]:
        rows.append(tuple(sorted((var, _term(term)) for var, term in binding.items())))
    return sorted(rows)


def _term(term: dict) -> tuple:
    kind = term["type"]
    if kind == "bnode":
        return ("bnode", "")
    if kind in ("literal", "typed-literal"):
        return ("literal", term["value"], term.get("datatype", ""), term.get("xml:lang", "").lower())
    return (kind, term["value"])


def answer_size(answer) -> int:
    """Rows (SELECT), triples (graph), or 1/0 (ASK) of a canonical answer."""
    return int(answer) if isinstance(answer, bool) else len(answer)


# --- distinct requests ------------------------------------------------------------------------------------


def distinct_text(text: str, nonce: int) -> str:
    """`text` with every variable renamed (`?x` → `?x_<nonce in base 36>`): a query never sent before,
    the same work."""
    return rename(variable_pieces(text), nonce)


def variable_pieces(text: str) -> list[str]:
    """`text` cut after each variable (read as the server reads it), for `rename`."""
    from ..store.inspect import tokenize

    tokens, _ = tokenize(text)
    cuts = [t.end for t in tokens if t.kind == "var"]
    return [text[a:b] for a, b in zip([0] + cuts, cuts + [len(text)])]


def rename(pieces: list[str], nonce: int) -> str:
    return ("_" + base36(nonce)).join(pieces)


def fresh_nonces() -> int:
    """The first of a run of nonces no other run of this measurement uses (random, 2^48 apart)."""
    return random.getrandbits(48) << 20


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out
