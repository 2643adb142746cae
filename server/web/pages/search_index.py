"""The read model behind /search: the names of the graph's things, normalised once per app, and the ranking.

What is searched: the names the data gives a thing with a page on this server (individuals, concepts,
ontology terms): rdfs:label, skos:prefLabel, skos:altLabel (the native spellings, "Aleksandar Vučić"@sr-Latn),
skos:hiddenLabel, skos:notation (CAMEO codes), foaf:name, schema:name, schema:alternateName, dcterms:title,
schema:headline, and any property the ontology declares a sub-property of one of them. A query that is the
thing's IRI or prefixed name (tskr:aleksandar-vucic) finds it too.

Normalisation (`normalise`), the same for names and queries: case folded, Unicode compatibility
decomposition (NFKD), combining marks dropped (č → c, ë → e, ğ → g), a letter that does not decompose but
whose Unicode name is a plain letter's with a "WITH" or a modifier (đ "D WITH STROKE" → d, ı "DOTLESS I" → i)
replaced by that letter, and every run of other characters (punctuation, dashes, spaces) made one space.
No table of letters is written here: unicodedata holds them all. So "vucic" finds Vučić, "vetevendosje"
Vetëvendosje, and "turkey-serbia" "Turkey–Serbia".

Ranking (`SearchIndex.search`), best first, by the best-matching name of each thing:

1. exact: a name is the query;
2. words: a name begins with the query ("prefix"), a later word of it does ("word"), or, for a query of
   several words, each of them begins a word of the name in any order ("word"). Within this group the
   name with the fewest words comes first, and at equal length "prefix" before "word": the labels of facts
   are phrases that begin with a person's name ("Vucic praises Turkey…"), so "begins with" alone would put
   every statement of a person above the person;
3. substring: the query is inside a word.

Then by label (case-insensitive), then IRI. Each hit says how it matched ("exact", "prefix", "word",
"substring") and which name matched. All the normalised names are kept in one string, so that finding the
names that contain a text is one substring search in C, and only those are ranked. The index is built once
per app (server.web.engine.memo). SPARQL has no Unicode decomposition, so the normalised names cannot come
from a derived graph rule; tests/bench_search.py prints what building and searching cost at scale.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ...namespaces import DATA, GRAPH_INFERRED, ONTOLOGY, PREFIXES
from ..engine import get_engine, memo
from .present import BIG, TRIVIAL_TYPES, compact, curie, labels, local_href

MAX_QUERY_LENGTH = 200  # characters of search text
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
OWL = PREFIXES["owl"]
# The naming properties of the vocabularies we use; the ontology may add sub-properties of them.
NAME_PROPERTIES = (
    RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "notation",
    PREFIXES["foaf"] + "name", PREFIXES["schema"] + "name", PREFIXES["schema"] + "alternateName",
    PREFIXES["dcterms"] + "title", PREFIXES["schema"] + "headline",
)
PREFERRED = (RDFS + "label", SKOS + "prefLabel")
# Types that say nothing of what kind of thing it is.
UNINFORMATIVE_TYPES = TRIVIAL_TYPES | {OWL + "NamedIndividual"}

_NAME_VALUES = " ".join(f"<{p}>" for p in NAME_PROPERTIES)
# (Not `rdfs:subPropertyOf*`: pyoxigraph gives a zero-length path only for terms that occur as a subject
# or object, and rdfs:label occurs only as a predicate.)
NAMES = f"""
SELECT ?s ?p ?name WHERE {{
  {{ VALUES ?p {{ {_NAME_VALUES} }} }}
  UNION
  {{ VALUES ?base {{ {_NAME_VALUES} }} ?p <{RDFS}subPropertyOf>+ ?base }}
  ?s ?p ?name .
  FILTER(isIRI(?s) && isLiteral(?name))
}}"""

# One row per thing (a row per type is three times slower on a large graph): its classes, and those of them
# that are not only inferred.
TYPES = f"""
SELECT ?s (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?all)
          (GROUP_CONCAT(DISTINCT ?stated; separator=" ") AS ?asserted) WHERE {{
  GRAPH ?g {{ ?s a ?type }}
  FILTER(isIRI(?s) && isIRI(?type))
  BIND(IF(?g = <{GRAPH_INFERRED}>, "", STR(?type)) AS ?stated)
}} GROUP BY ?s"""

CLASSES = f"""
SELECT DISTINCT ?class WHERE {{
  {{ ?class a <{OWL}Class> }} UNION {{ ?class a <{RDFS}Class> }} UNION {{ ?x a ?class }}
  FILTER(isIRI(?class))
}}"""


# --- normalisation ------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def base_letter(char: str) -> str:
    """The letter a precomposed letter without a decomposition stands for, read from its Unicode name:
    "LATIN SMALL LETTER D WITH STROKE" → d, "LATIN SMALL LETTER DOTLESS I" → i; else the character."""
    head = unicodedata.name(char, "").partition(" WITH ")[0]
    words = head.split(" ")
    if "LETTER" not in words or len(words[-1]) != 1:
        return char
    plain = " ".join(words[: words.index("LETTER") + 1] + words[-1:])
    try:
        return unicodedata.lookup(plain)
    except KeyError:
        return char


def normalise(text: str) -> str:
    """`text` for matching: case and accents gone, runs of other characters one space (see the module
    docstring). Case is folded first, so that ß becomes ss and İ an i with a dot that is then dropped."""
    letters = []
    for char in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(char):
            continue
        letters.append(base_letter(char) if not char.isascii() and char.isalpha() else char)
    return " ".join(re.split(r"[\W_]+", "".join(letters).casefold())).strip()


# --- the index -------------------------------------------------------------------------------------------------


@dataclass
class Name:
    text: str        # as written
    lang: str | None
    normal: str      # normalise(text)
    padded: str      # " " + normal: " " + query finds the starts of words
    words: int
    preferred: bool  # rdfs:label / skos:prefLabel


@dataclass
class Entry:
    iri: str
    label: str
    href: str                                        # its page here
    names: list[Name] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)   # asserted classes that say what it is, ours first
    types: set[str] = field(default_factory=set)     # every class, inferred ones included (the type filter)


@dataclass
class Hit:
    entry: Entry
    match: str       # "exact", "prefix", "word" or "substring"
    name: Name
    key: tuple

    def to_json(self) -> dict:
        names = labels()
        other = self.name.text != self.entry.label
        return {
            "iri": self.entry.iri,
            "label": self.entry.label,
            "curie": compact(self.entry.iri),
            "href": self.entry.href,
            "match": self.match,
            "matched": self.name.text if other else None,
            "lang": self.name.lang if other else None,
            "kind": ", ".join(names.get(k) or curie(k) for k in self.entry.kinds) or None,
            "classes": [{"iri": k, "label": names.get(k) or curie(k)} for k in self.entry.kinds],
        }


class SearchError(ValueError):
    """Input that cannot be searched with (too long, an unknown class): a 400 with this message."""


EXACT = (0, 0, 0)


def rank(name: Name, query: str, query_words: list[str]) -> tuple[str, tuple] | None:
    """How `name` matches the normalised `query` and the sort key of that match (module docstring), or None."""
    several = len(query_words) > 1
    if query not in name.normal:
        if several and all(" " + w in name.padded for w in query_words):
            return "word", (1, name.words, 1)
        return None
    if name.normal == query:
        return "exact", EXACT
    if name.normal.startswith(query):
        return "prefix", (1, name.words, 0)
    if " " + query in name.padded or several and all(" " + w in name.padded for w in query_words):
        return "word", (1, name.words, 1)
    return "substring", (2, name.words, 0)


class SearchIndex:
    def __init__(self, entries: list[Entry], classes: set[str]):
        self.entries = entries
        self.classes = classes  # the class IRIs a type filter may name
        self.by_iri = {e.iri: e for e in entries}
        # Every normalised name in one string, each after "\n ": one substring search (in C) finds the names
        # that contain a text, and bisecting `starts` says whose they are.
        self.starts: list[int] = []
        self.owners: list[int] = []
        pieces, at = [], 0
        for i, entry in enumerate(entries):
            for name in entry.names:
                pieces.append("\n" + name.padded)
                self.starts.append(at)
                self.owners.append(i)
                at += len(name.padded) + 1
        self.blob = "".join(pieces)

    def containing(self, text: str) -> set[int]:
        """The entries (by index) one of whose names contains `text`, found without a Python loop per name."""
        found: set[int] = set()
        at = self.blob.find(text)
        while at >= 0:
            k = bisect.bisect_right(self.starts, at) - 1
            found.add(self.owners[k])
            following = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.blob)
            at = self.blob.find(text, following)  # on to the next name
        return found

    def resolve_types(self, values: list[str]) -> set[str]:
        """Class IRIs for ?type values (IRIs or prefixed names); SearchError for one that is no class here."""
        out = set()
        for value in values:
            iri = expand(value.strip())
            if iri not in self.classes:
                shown = {compact(c): c for c in self.classes}
                close = difflib.get_close_matches(compact(iri), list(shown), n=3, cutoff=0.6)
                hint = (f"; did you mean {' or '.join(close)}?" if close
                        else " (give a class IRI or a prefixed name such as tsk:Person)")
                raise SearchError(f"type {value[:100]!r} is not a class of the graph{hint}")
            out.add(iri)
        return out

    def search(self, text: str, types: set[str] | None = None, limit: int = DEFAULT_LIMIT) -> tuple[list[Hit], int]:
        """The best `limit` hits for `text` among the things of any of `types` (all things if None), and how
        many hits there are in all. Empty text with types: every thing of those types, by label."""
        if len(text) > MAX_QUERY_LENGTH:
            raise SearchError(f"the search text is {len(text)} characters long; at most {MAX_QUERY_LENGTH}")
        query = normalise(text)
        hits: list[Hit] = []
        if not query:
            if types:
                hits = [Hit(e, "exact", e.names[0], EXACT) for e in self.entries if e.types & types]
        else:
            direct = self.by_iri.get(expand(text.strip()))
            words = query.split(" ")
            # A hit contains the query, or (several words in any order) begins a word with the first word.
            found = self.containing(query) | (self.containing(" " + words[0]) if len(words) > 1 else set())
            candidates = [self.entries[i] for i in sorted(found)]
            if direct is not None and direct not in candidates:
                candidates.append(direct)
            if types:
                candidates = [e for e in candidates if e.types & types]
            typed = text.strip().casefold()
            for entry in candidates:
                best = None
                for name in entry.names:  # preferred names first: they win ties, unless another is as typed
                    ranked = rank(name, query, words)
                    if ranked and (best is None or ranked[1] < best[1] or ranked[1] == best[1]
                                   and typed in name.text.casefold() and typed not in best[2].text.casefold()):
                        best = (ranked[0], ranked[1], name)
                if entry is direct:
                    best = ("exact", EXACT, entry.names[0])
                if best:
                    hits.append(Hit(entry, best[0], best[2], best[1]))
        hits.sort(key=lambda h: (h.key, h.entry.label.casefold(), h.entry.iri))
        return hits[:limit], len(hits)


def expand(value: str) -> str:
    """An IRI from an IRI, <IRI> or a prefixed name of the project's prefixes."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def build_index() -> SearchIndex:
    """Every thing with a page here and a name, from the engine (three queries), normalised."""
    engine = get_engine()
    names = labels()
    entries: dict[str, Entry] = {}
    for row in engine.select(NAMES, max_rows=BIG):
        iri = row["s"].value
        entry = entries.get(iri)
        if entry is None:
            href = local_href(iri)
            if href is None:
                continue
            entry = entries[iri] = Entry(iri, names.get(iri) or compact(iri), href)
        literal = row["name"]
        normal = normalise(literal.value)
        if normal and all(n.text != literal.value for n in entry.names):
            entry.names.append(Name(literal.value, literal.language, normal, " " + normal,
                                    normal.count(" ") + 1, row["p"].value in PREFERRED))
    for row in engine.select(TYPES, max_rows=BIG):
        entry = entries.get(row["s"].value)
        if entry is not None:
            entry.types = set(row["all"].value.split())
            informative = set(row["asserted"].value.split()) - UNINFORMATIVE_TYPES
            ours = sorted(t for t in informative if t.startswith(ONTOLOGY))
            entry.kinds = ours or sorted(informative, key=curie)
    kept = [e for e in entries.values() if e.names]
    for entry in kept:
        entry.names.sort(key=lambda n: (not n.preferred, n.words))
        if entry.iri not in names:  # no rdfs:label or skos:prefLabel: its first other name (a title)
            entry.label = entry.names[0].text
    classes = {row["class"].value for row in engine.select(CLASSES, max_rows=BIG)}
    kept.sort(key=lambda e: (not e.iri.startswith(DATA), e.label.casefold()))
    return SearchIndex(kept, classes)


def search_index() -> SearchIndex:
    """The app's index, built at its first use."""
    return memo("search_index", build_index)


def type_filter_choices() -> list[dict]:
    """The classes the search page offers as a filter: ours that some thing has, with their counts."""

    def compute():
        counts: dict[str, int] = {}
        for entry in search_index().entries:
            for t in entry.types:
                if t.startswith(ONTOLOGY):
                    counts[t] = counts.get(t, 0) + 1
        names = labels()
        return sorted(
            ({"iri": t, "curie": compact(t), "label": names.get(t) or curie(t), "count": n} for t, n in counts.items()),
            key=lambda c: c["label"].casefold(),
        )

    return memo("search_type_choices", compute)
