"""The read models behind the pages: the SPARQL they run and the Python that shapes the answers for the
templates. No routes here (server.web.pages.resources, .home, .ontology and .downloads are the pages).

Where the data comes from: descriptions and the ontology are read from the build's quads as parsed
(`source_dataset`), because the pyoxigraph store normalises some literals (xsd:nonNegativeInteger
becomes xsd:integer); everything else - labels, incoming links, quotes, counts - goes through the
engine with variables bound as terms. Over a remote endpoint (no build) the descriptions come from the
engine too, so the same pages work in both modes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ...namespaces import COMPUTED_GRAPHS, GRAPH_ONTOLOGY, GRAPHS, ONTOLOGY, ONTOLOGY_IRI
from ..engine import get_build, get_engine, memo
from .facts import cites, facts_model, lead_text, summary
from .present import (
    ALT_LABEL, BIG, EVIDENCE, HEADER_PROPERTIES, LABELS, OA, OWL, RDF_TYPE, TRIVIAL_TYPES, curie, label_of, labels,
    local_href, natural, view,
)

# --- describing a resource ------------------------------------------------------------------------------

# The triples of ?s and of the blank nodes it leads to (three levels), with the graph of each.
DESCRIBE = """
SELECT ?s ?x ?p ?o ?g WHERE {
  { GRAPH ?g { ?s ?p ?o } BIND(?s AS ?x) }
  UNION { ?s ?p1 ?x . FILTER(isBlank(?x)) GRAPH ?g { ?x ?p ?o } }
  UNION { ?s ?p1 ?b1 . FILTER(isBlank(?b1)) ?b1 ?p2 ?x . FILTER(isBlank(?x)) GRAPH ?g { ?x ?p ?o } }
  UNION { ?s ?p1 ?b1 . FILTER(isBlank(?b1)) ?b1 ?p2 ?b2 . FILTER(isBlank(?b2))
          ?b2 ?p3 ?x . FILTER(isBlank(?x)) GRAPH ?g { ?x ?p ?o } }
}"""

# (pyoxigraph substitutes a bound variable only where the SELECT projects it, so every query projects ?s.)

# Who points at ?s; a blank subject is shown through the named node that owns it.
INCOMING = """
SELECT ?s ?x ?p ?g ?owner WHERE {
  { GRAPH ?g { ?x ?p ?s } FILTER(!isBlank(?x)) }
  UNION
  { GRAPH ?g { ?x ?p ?s } FILTER(isBlank(?x)) ?owner ?op ?x FILTER(!isBlank(?owner)) }
} LIMIT 5000"""

# The quotes supporting ?s: its own tsk:evidence, and that of the facts the data says point at it.
QUOTES = """
PREFIX tsk: <https://w3id.org/tskg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?s ?via ?quote ?n ?exact ?start ?end WHERE {
  { ?s tsk:evidence ?quote . BIND(?s AS ?via) }
  UNION
  { GRAPH <https://w3id.org/tskg/graph/asserted> { ?via ?p ?s } FILTER(?p != tsk:evidence && isIRI(?via))
    ?via tsk:evidence ?quote }
  OPTIONAL { ?quote tsk:sentenceNumber ?n }
  OPTIONAL { ?quote oa:hasSelector ?q1 . ?q1 oa:exact ?exact }
  OPTIONAL { ?quote oa:hasSelector ?q2 . ?q2 oa:start ?start ; oa:end ?end }
}"""

EXISTS = "ASK { { ?s ?p ?o } UNION { ?x ?p ?s } }"

# The triples that point at ?s, with the graph of each; a blank subject comes with the triple that leads to it.
POINTING_AT = """
SELECT ?s ?x ?p ?g ?owner ?op ?og WHERE {
  GRAPH ?g { ?x ?p ?s }
  OPTIONAL { FILTER(isBlank(?x)) GRAPH ?og { ?owner ?op ?x } }
}"""


@dataclass
class Description:
    iri: str
    rows: list[tuple]  # (subject, predicate, object, graph IRI)

    def triples(self, inferred: bool) -> list[ox.Triple]:
        seen, out = set(), []
        for s, p, o, g in self.rows:
            if g in COMPUTED_GRAPHS and not inferred:
                continue
            t = ox.Triple(s, p, o)
            if t not in seen:
                seen.add(t)
                out.append(t)
        return out


def source_dataset() -> ox.Dataset | None:
    """The build's quads with their terms as parsed, or None in remote mode.

    The pyoxigraph store normalises literals ("5"^^xsd:nonNegativeInteger becomes xsd:integer, see
    server/build.py), so descriptions are read from here when we can: a data document then says
    exactly what the Turtle source says, as the downloads do."""
    built = get_build()
    if built is None:
        return None

    def load():
        from ...exports.files import load_dataset

        return load_dataset(built)

    return memo("dataset", load)


def describe(iri: str) -> Description:
    """The concise bounded description of `iri`, per graph: from the build's dataset (blank nodes
    followed to any depth), else, over a remote engine, by SPARQL (three levels of blank nodes)."""
    dataset = source_dataset()
    if dataset is None:
        rows = get_engine().select(DESCRIBE, bindings={"s": ox.NamedNode(iri)}, max_rows=BIG)
        return Description(iri, [(r["x"], r["p"], r["o"], r["g"].value) for r in rows])
    return Description(iri, _walk(ox.NamedNode(iri), dataset.quads_for_subject, lambda q: q.object))


def pointing_at(iri: str) -> Description:
    """The triples whose object is `iri`, per graph, and for a blank subject the triples that lead to it
    (backwards, to any depth; one level over a remote engine): with `describe`, the symmetric concise
    bounded description of the W3C CBD note (2005), so that a client that starts at a person finds
    the events, statements and tenures that name them."""
    dataset = source_dataset()
    if dataset is None:
        rows = []
        for r in get_engine().select(POINTING_AT, bindings={"s": ox.NamedNode(iri)}, max_rows=BIG):
            rows.append((r["x"], r["p"], ox.NamedNode(iri), r["g"].value))
            if "owner" in r:
                rows.append((r["owner"], r["op"], r["x"], r["og"].value))
        return Description(iri, rows)
    return Description(iri, _walk(ox.NamedNode(iri), dataset.quads_for_object, lambda q: q.subject))


def _walk(start: ox.NamedNode, quads_of, onward) -> list[tuple]:
    """(subject, predicate, object, graph IRI) of the quads `quads_of(start)` gives, and of those it gives
    for each blank node `onward(quad)` leads to, to any depth (each node once)."""
    rows, todo, seen = [], [start], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for q in quads_of(node):
            if isinstance(q.graph_name, ox.NamedNode):
                rows.append((q.subject, q.predicate, q.object, q.graph_name.value))
                if isinstance(onward(q), ox.BlankNode):
                    todo.append(onward(q))
    return rows


def exists(iri: str) -> bool:
    return get_engine().ask(EXISTS, bindings={"s": ox.NamedNode(iri)})



# --- page model --------------------------------------------------------------------------------------


@dataclass
class PropertyRow:
    predicate: dict
    values: list  # list of value dicts (view(); blank nodes carry "props")


@dataclass
class Quote:
    iri: str
    href: str | None
    number: int | None
    exact: str | None
    start: int | None
    end: int | None
    via: list[dict] = field(default_factory=list)  # the facts it supports (view dicts)


def _int(term) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _trivial(s, p, o, g) -> bool:
    """An inference true of everything: x owl:sameAs x, x a owl:Thing."""
    return g in COMPUTED_GRAPHS and (
        (p.value == OWL + "sameAs" and o == s) or (p.value == RDF_TYPE and o.value in TRIVIAL_TYPES)
    )


def _property_rows(subject, by_subject, names, keep, nested_keep, skip=frozenset(), seen=frozenset()) -> list[PropertyRow]:
    """Rows for one subject: predicates in a stable order; blank-node objects nested with their own
    properties (those `nested_keep` accepts). `keep` picks the subject's triples by graph."""
    grouped: dict[str, list] = defaultdict(list)
    for p, o, g in by_subject.get(subject, []):
        if keep(g) and p.value not in skip and not _trivial(subject, p, o, g):
            grouped[p.value].append(o)
    rows = []
    for p in sorted(grouped, key=lambda iri: (label_of(iri).lower(), iri)):
        values = []
        for o in sorted(set(grouped[p]), key=lambda t: (not isinstance(t, ox.Literal), str(t))):
            v = view(o, names)
            if isinstance(o, ox.BlankNode) and o not in seen:
                v["props"] = _property_rows(o, by_subject, names, nested_keep, nested_keep, seen=seen | {o})
            values.append(v)
        rows.append(PropertyRow(view(ox.NamedNode(p), names), values))
    return rows


def _asserted(g) -> bool:
    return g not in COMPUTED_GRAPHS


def _inferred(g) -> bool:
    return g in COMPUTED_GRAPHS


def _anything(g) -> bool:
    return True


def _own_text(node, by_subject) -> dict | None:
    """For a quote: the text its selectors give, and where it stands in the article."""
    found = {}
    for p, selector, g in by_subject.get(node, []):
        if p.value != OA + "hasSelector":
            continue
        for q, value, _ in by_subject.get(selector, []):
            if q.value in (OA + "exact", OA + "start", OA + "end"):
                found[q.value[len(OA):]] = value.value
    return found if "exact" in found else None


def page_model(iri: str) -> dict:
    names = labels()
    node = ox.NamedNode(iri)
    desc = describe(iri)
    by_subject: dict = defaultdict(list)
    for s, p, o, g in desc.rows:
        by_subject[s].append((p, o, g))

    own = by_subject.get(node, [])
    types = sorted({o.value for p, o, g in own if p.value == RDF_TYPE and g not in COMPUTED_GRAPHS}, key=label_of)
    inferred_types = sorted(
        {o.value for p, o, g in own if p.value == RDF_TYPE and g in COMPUTED_GRAPHS} - set(types) - TRIVIAL_TYPES,
        key=label_of,
    )
    alt = sorted({(o.value, o.language or "") for p, o, g in own if p.value == ALT_LABEL and g not in COMPUTED_GRAPHS})
    asserted_rows = _property_rows(node, by_subject, names, _asserted, _asserted, skip=HEADER_PROPERTIES)
    inferred_rows = _property_rows(node, by_subject, names, _inferred, _anything, skip={RDF_TYPE})
    hidden = sum(1 for p, o, g in own if _trivial(node, p, o, g))

    incoming = incoming_model(node, names)
    quotes = quotes_model(node, names)
    literal_label = next((o.value for p, o, g in own if p.value in LABELS and (o.language or "en").startswith("en")), None)
    own_quotes = sorted({o.value for p, o, g in own if p.value == EVIDENCE and g not in COMPUTED_GRAPHS and isinstance(o, ox.NamedNode)})
    return {
        # first, what a reader wants (server.web.pages.facts)
        "lead": lead_text(own),
        "summary": summary(own, names),
        "own_cites": cites(own_quotes),
        "facts": facts_model(iri),
        # then the provenance detail and every triple
        "iri": iri,
        "curie": curie(iri),
        "label": names.get(iri) or literal_label or curie(iri),
        "alt_labels": alt,
        "types": [view(ox.NamedNode(t), names) for t in types],
        "inferred_types": [view(ox.NamedNode(t), names) for t in inferred_types],
        "asserted": asserted_rows,
        "inferred": inferred_rows,
        "hidden_inferred": hidden,
        "incoming": incoming,
        "quotes": quotes,
        "own_text": _own_text(node, by_subject),
    }


def incoming_model(node: ox.NamedNode, names) -> dict:
    rows = get_engine().select(INCOMING, bindings={"s": node}, max_rows=BIG)
    groups: dict[tuple[str, bool], dict[str, dict]] = defaultdict(dict)
    for r in rows:
        subject = r["x"]
        if isinstance(subject, ox.BlankNode):
            subject = r.get("owner")
            if subject is None:
                continue
        if subject == node and r["p"].value == OWL + "sameAs":
            continue  # x owl:sameAs x
        inferred = r["g"].value in COMPUTED_GRAPHS
        groups[(r["p"].value, inferred)].setdefault(subject.value, view(subject, names))
    out = {"asserted": [], "inferred": []}
    for (p, inferred), subjects in sorted(groups.items(), key=lambda kv: (label_of(kv[0][0]).lower(), kv[0])):
        items = sorted(subjects.values(), key=lambda v: natural(v.get("label") or v.get("curie") or ""))
        out["inferred" if inferred else "asserted"].append(PropertyRow(view(ox.NamedNode(p), names), items))
    return out


def quotes_model(node: ox.NamedNode, names) -> list[Quote]:
    rows = get_engine().select(QUOTES, bindings={"s": node}, max_rows=BIG)
    quotes: dict[str, Quote] = {}
    for r in rows:
        q = r["quote"].value
        if q not in quotes:
            quotes[q] = Quote(
                iri=q, href=local_href(q), number=_int(r.get("n")),
                exact=r["exact"].value if "exact" in r else None,
                start=_int(r.get("start")), end=_int(r.get("end")),
            )
        via = r["via"]
        if via != node and all(v["iri"] != via.value for v in quotes[q].via):
            quotes[q].via.append(view(via, names))
    return sorted(quotes.values(), key=lambda q: (q.number if q.number is not None else 10**6, q.start or 0, q.iri))


# --- names, counts and lists ---------------------------------------------------------------------------


def known_names(namespace: str) -> list[str]:
    def compute():
        rows = get_engine().select(
            "SELECT DISTINCT ?ns ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns)) }",
            bindings={"ns": ox.Literal(namespace)}, max_rows=BIG,
        )
        return sorted(r["s"].value[len(namespace):] for r in rows)

    return memo(f"names:{namespace}", compute)


CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?x) AS ?all) (COUNT(DISTINCT ?a) AS ?asserted) WHERE {
  ?x a ?class .
  FILTER(STRSTARTS(STR(?class), "https://w3id.org/tskg/ontology#"))
  OPTIONAL { GRAPH <https://w3id.org/tskg/graph/asserted> { ?x a ?class } BIND(?x AS ?a) }
} GROUP BY ?class"""

SOURCES = """
PREFIX tsk: <https://w3id.org/tskg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
SELECT ?doc (SAMPLE(?t) AS ?title) (SAMPLE(?pub) AS ?publisher) (SAMPLE(?au) AS ?author) WHERE {
  ?doc a tsk:SourceDocument .
  OPTIONAL { ?doc dcterms:title|schema:headline|schema:name ?t }
  OPTIONAL { ?doc dcterms:publisher|schema:publisher ?pub }
  OPTIONAL { ?doc dcterms:creator|schema:author ?au }
} GROUP BY ?doc"""


def class_counts() -> list[dict]:
    def compute():
        rows = get_engine().select(CLASS_COUNTS, max_rows=BIG)
        out = [
            {
                "class": view(r["class"]),
                "local": r["class"].value[len(ONTOLOGY):],
                "all": int(r["all"].value),
                "asserted": int(r["asserted"].value),
            }
            for r in rows
        ]
        return sorted(out, key=lambda c: (-c["all"], c["local"]))

    return memo("class_counts", compute)


def graph_counts() -> list[dict]:
    stats = get_engine().stats()
    names = {iri: name for name, iri in GRAPHS.items()}
    out = []
    for iri, figures in stats.items():
        if isinstance(figures, int):
            figures = {"triples": figures}
        out.append({"iri": iri, "name": names.get(iri, iri), **figures})
    order = list(GRAPHS.values())
    return sorted(out, key=lambda g: order.index(g["iri"]) if g["iri"] in order else len(order))




def sources() -> list[dict]:
    """The source documents: title, publisher, author."""
    out = []
    for r in get_engine().select(SOURCES, max_rows=BIG):
        out.append({
            "doc": view(r["doc"]),
            "title": r["title"].value if "title" in r else None,
            "publisher": view(r["publisher"]) if "publisher" in r else None,
            "author": view(r["author"]) if "author" in r else None,
        })
    return out


INSTANCES = """
SELECT DISTINCT ?class ?x ?g WHERE { GRAPH ?g { ?x a ?class } FILTER(isIRI(?x)) } LIMIT 5000"""


def is_used_class(iri: str) -> bool:
    return get_engine().ask("ASK { ?class ?p ?o }", bindings={"class": ox.NamedNode(iri)})


def instances(iri: str) -> list[dict]:
    """The things typed with the class `iri`, by label, each saying whether its type is only inferred."""
    rows = get_engine().select(INSTANCES, bindings={"class": ox.NamedNode(iri)}, max_rows=BIG)
    asserted = {r["x"].value for r in rows if r["g"].value not in COMPUTED_GRAPHS}
    items = {}
    for r in rows:
        items[r["x"].value] = {**view(r["x"]), "inferred": r["x"].value not in asserted}
    return sorted(items.values(), key=lambda v: natural(v.get("label") or v["curie"]))


# --- the ontology --------------------------------------------------------------------------------------------

ONTOLOGY_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def ontology_triples() -> list[ox.Triple]:
    """The ontology graph: from the build's dataset (terms as written), else from the engine."""

    def compute():
        dataset = source_dataset()
        if dataset is not None:
            return [q.triple for q in dataset.quads_for_graph_name(ox.NamedNode(GRAPH_ONTOLOGY))]
        return get_engine().construct(ONTOLOGY_TRIPLES, bindings={"g": ox.NamedNode(GRAPH_ONTOLOGY)}, max_rows=BIG)

    return memo("ontology_triples", compute)


def ontology_document() -> list[ox.Triple]:
    """The ontology proper: the triples about the ontology IRI and the tsk: terms, with the blank nodes
    they lead to (OWL restrictions, lists). The SKOS concepts have their own documents."""

    def compute():
        triples = ontology_triples()
        by_subject = defaultdict(list)
        for t in triples:
            by_subject[t.subject].append(t)
        out, seen = [], set()
        todo = [s for s in by_subject if isinstance(s, ox.NamedNode) and (s.value == ONTOLOGY_IRI or s.value.startswith(ONTOLOGY))]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            for t in by_subject.get(s, []):
                out.append(t)
                if isinstance(t.object, ox.BlankNode):
                    todo.append(t.object)
        return out

    return memo("ontology_document", compute)
