"""Hints about a query's terms of our ontology: `tsk:Persn is not in the ontology; did you mean tsk:Person?`

A term of the ontology's namespace that the ontology does not define is legal SPARQL that matches
nothing, so it is a warning, never an error: /sparql answers as usual and says so in X-TSKG-Warning
headers (one per term), which the query editor shows; the editor also marks such terms as they are
typed, from /query/vocabulary.json. The terms are read from the tokens of the query as the scanner
(server.store.inspect) split them, so a name inside a string or a comment is not taken for one.
"""

from __future__ import annotations

import difflib
import re

from ..namespaces import GRAPH_ONTOLOGY, ONTOLOGY, PREFIXES
from ..store.inspect import QueryInfo
from .engine import get_engine, memo
from .pages.present import BIG

MAX_HINTS = 5
HEADER = "X-TSKG-Warning"

ONTOLOGY_TERMS = f"""
SELECT DISTINCT ?term WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{ ?term ?p ?o }}
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{ONTOLOGY}"))
}}"""


def ontology_names() -> set[str]:
    """The local names the ontology defines (what follows tsk:)."""

    def compute():
        return {r["term"].value[len(ONTOLOGY):] for r in get_engine().select(ONTOLOGY_TERMS, max_rows=BIG)}

    return memo("ontology_names", compute)


def unknown_terms(info: QueryInfo, known: set[str]) -> list[str]:
    """One message per term of the ontology's namespace in the query that `known` does not hold, in the
    order they first appear, at most MAX_HINTS."""
    declared: dict[str, str] = {}
    tokens = info.tokens
    messages: dict[str, str] = {}
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "PREFIX" and i + 2 < len(tokens) \
                and tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
            declared[tokens[i + 1].text[:-1]] = tokens[i + 2].text[1:-1]
            continue
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            namespace = declared.get(prefix, PREFIXES.get(prefix))
            shown_prefix = prefix + ":"
        elif token.kind == "iri" and token.text.startswith("<" + ONTOLOGY):
            namespace, local, shown_prefix = ONTOLOGY, token.text[len(ONTOLOGY) + 1:-1], None
        else:
            continue
        local = re.sub(r"\\(.)", r"\1", local)
        if namespace != ONTOLOGY or not local or local in known:
            continue
        shown = f"{shown_prefix}{local}" if shown_prefix else f"<{ONTOLOGY}{local}>"
        if shown in messages:
            continue
        messages[shown] = f"{shown} is not in the ontology" + _suggestion(local, known, shown_prefix)
        if len(messages) == MAX_HINTS:
            break
    return list(messages.values())


def _suggestion(local: str, known: set[str], prefix: str | None) -> str:
    same_case = [k for k in known if k.lower() == local.lower()]
    close = same_case or difflib.get_close_matches(local, sorted(known), n=1, cutoff=0.7)
    if not close:
        return "; its terms are listed at /ontology"
    return f"; did you mean {prefix}{close[0]}?" if prefix else f"; did you mean <{ONTOLOGY}{close[0]}>?"


def header_value(message: str) -> str:
    """A message as an HTTP header value (Latin-1 only: other characters as \\u escapes)."""
    return message.encode("ascii", "backslashreplace").decode("ascii")
