"""Linked data and HTML pages: every IRI of the graph's namespaces dereferences on this server.

URI patterns, both from the W3C note "Cool URIs for the Semantic Web" (2008), each used for the kind
of IRI the note prescribes it for, and nowhere else:

* Slash IRIs of things - individuals https://w3id.org/tskg/id/NAME and SKOS concepts
  https://w3id.org/tskg/concept/NAME - follow "303 URIs forwarding to different documents".
  A thing is not a document, so GET /id/NAME never answers 200: it answers 303 See Other to the
  document chosen by content negotiation (Accept with q-values, or ?format=html|ttl|jsonld|nt|rdf):
      /page/NAME            HTML for people
      /data/NAME.ttl        Turtle; .jsonld JSON-LD; .nt N-Triples; .rdf RDF/XML
  (concepts: /page/concept/NAME, /data/concept/NAME.EXT). Every 303 carries Vary: Accept.
  The documents are ordinary 200 responses; each HTML page links its data documents and back.
* Ontology terms are hash IRIs (https://w3id.org/tskg/ontology#Person) and follow "hash URIs with
  content negotiation". The client drops the fragment and asks for /ontology, which names a document
  (the ontology), so it answers 200 directly in the negotiated format, with Content-Location naming
  the variant (/ontology.html, /ontology.ttl, ...) and Vary: Accept.

The ontology's version IRI (/ontology/0.1.0) answers as /ontology while it is the version served.

A data document is the concise bounded description of the thing: the triples with it as subject, with
blank-node objects expanded. Asserted triples (ontology and data graphs) by default; ?inferred=1 adds
those of the OWL RL graph. Unknown IRIs in our namespaces get a 404 page that says so and suggests
near names.

Where the data comes from: descriptions and the ontology are read from the build's quads as parsed
(`source_dataset`), because the pyoxigraph store normalises some literals (xsd:nonNegativeInteger
becomes xsd:integer); everything else - labels, incoming links, quotes, counts - goes through the
engine API (server/engine.py) with variables pre-bound (`bindings`). Over a remote endpoint (no build)
the descriptions come from the engine too, so the same pages work in both modes.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .. import diagram
from ..namespaces import (
    CONCEPT, DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPHS, ONTOLOGY, ONTOLOGY_IRI,
    PREFIXES,
)

bp = Blueprint("pages", __name__)

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
XSD = PREFIXES["xsd"]
DCT = PREFIXES["dcterms"]
OA = PREFIXES["oa"]
RDF_TYPE = RDF + "type"
LABELS = (RDFS + "label", SKOS + "prefLabel")
ALT_LABEL = SKOS + "altLabel"
EVIDENCE = ONTOLOGY + "evidence"
# Shown in the page header, so left out of the property table.
HEADER_PROPERTIES = {RDF_TYPE, RDFS + "label", SKOS + "prefLabel", ALT_LABEL}
# Always true of everything after OWL RL reasoning; listed as a count only.
TRIVIAL_TYPES = {OWL + "Thing", RDFS + "Resource"}


# --- formats and negotiation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocFormat:
    key: str          # file extension and ?format= value
    label: str
    media_type: str
    rdf: ox.RdfFormat | None  # None: HTML


DOC_FORMATS = {
    f.key: f
    for f in [
        DocFormat("html", "HTML", "text/html", None),
        DocFormat("ttl", "Turtle", "text/turtle", ox.RdfFormat.TURTLE),
        DocFormat("jsonld", "JSON-LD", "application/ld+json", ox.RdfFormat.JSON_LD),
        DocFormat("nt", "N-Triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        DocFormat("rdf", "RDF/XML", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ]
}
RDF_DOC_FORMATS = [f for f in DOC_FORMATS.values() if f.rdf is not None]
FORMAT_ALIASES = {
    "turtle": "ttl", "json-ld": "jsonld", "json": "jsonld", "ntriples": "nt", "n-triples": "nt",
    "rdfxml": "rdf", "xml": "rdf", "rdf/xml": "rdf", "htm": "html",
}
# Media types we answer, in order of preference when the client rates several equally (browsers first).
NEGOTIABLE = [
    ("text/html", "html"), ("application/xhtml+xml", "html"),
    ("text/turtle", "ttl"), ("application/x-turtle", "ttl"),
    ("application/ld+json", "jsonld"), ("application/json", "jsonld"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "rdf"),
]


class NotAcceptable(Exception):
    pass


def negotiate() -> DocFormat:
    """The format from ?format=, else from Accept; NotAcceptable when neither gives one we serve.
    A missing or empty Accept means anything, hence HTML."""
    name = request.args.get("format")
    if name:
        key = FORMAT_ALIASES.get(name.lower(), name.lower())
        if key not in DOC_FORMATS:
            raise NotAcceptable(f"unknown format {name!r}; use one of: {', '.join(DOC_FORMATS)}")
        return DOC_FORMATS[key]
    header = request.headers.get("Accept", "").strip() or "*/*"
    accept = parse_accept_header(header, MIMEAccept)
    best = accept.best_match([m for m, _ in NEGOTIABLE], default=None)
    if best is None:
        offered = ", ".join(dict.fromkeys(m for m, _ in NEGOTIABLE))
        raise NotAcceptable(f"nothing here matches Accept: {header}; this resource is offered as {offered}")
    return DOC_FORMATS[dict(NEGOTIABLE)[best]]


def not_acceptable(err: NotAcceptable) -> Response:
    status = 400 if request.args.get("format") else 406
    return Response(f"{err}\n", status=status, mimetype="text/plain", headers={"Vary": "Accept"})


def want_inferred() -> bool:
    return request.args.get("inferred", "").lower() in ("1", "true", "yes", "on")


# --- the engine ------------------------------------------------------------------------------------------


def engine():
    """The app's query engine (server/engine.py), started by create_app."""
    return current_app.extensions["tskg.engine"]


BIG = 10**9  # max_rows for queries whose whole answer we need (the store is small)


def _cached(key: str, compute):
    """Per-app memo for figures that cannot change while the app runs (the data is read-only)."""
    store = current_app.extensions.setdefault("tskg.pages.cache", {})
    if key not in store:
        store[key] = compute()
    return store[key]


# --- IRIs, labels and terms ---------------------------------------------------------------------------


def local_href(iri: str) -> str | None:
    """The path on this server that documents `iri`, or None for IRIs of other namespaces."""
    if iri.startswith(DATA) and len(iri) > len(DATA):
        return url_for("pages.page", name=iri[len(DATA):])
    if iri.startswith(CONCEPT) and len(iri) > len(CONCEPT):
        return url_for("pages.concept_page", name=iri[len(CONCEPT):])
    if iri == ONTOLOGY_IRI:
        return url_for("pages.ontology")
    if iri.startswith(ONTOLOGY):
        return url_for("pages.ontology") + "#" + iri[len(ONTOLOGY):]
    return None


# Prefixes for display only (the shared PREFIXES plus vocabularies the ontology aligns to).
DISPLAY_PREFIXES = {
    **PREFIXES,
    "dbo": "http://dbpedia.org/ontology/",
    "wd": "http://www.wikidata.org/entity/",
    "vann": "http://purl.org/vocab/vann/",
}


_LONGEST_FIRST = sorted(DISPLAY_PREFIXES.items(), key=lambda kv: -len(kv[1]))


def curie(iri: str) -> str:
    for prefix, ns in _LONGEST_FIRST:
        if iri.startswith(ns) and re.fullmatch(r"[\w.\-]*", iri[len(ns):]):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def labels() -> dict[str, str]:
    """One label per IRI: rdfs:label or skos:prefLabel, English preferred."""

    def compute():
        rows = engine().select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "SELECT ?n ?l WHERE { ?n rdfs:label|skos:prefLabel ?l FILTER(isIRI(?n)) }",
            max_rows=BIG,
        )
        best: dict[str, tuple[int, str]] = {}
        for row in rows:
            lit = row["l"]
            lang = getattr(lit, "language", None) or ""
            rank = 0 if lang.startswith("en") else 1 if not lang else 2
            iri = row["n"].value
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, lit.value)
        return {iri: value for iri, (_, value) in best.items()}

    return _cached("labels", compute)


def view(term, names: dict[str, str] | None = None) -> dict:
    """A term as the templates show it (see the `term` macro in _macros.html)."""
    names = labels() if names is None else names
    if isinstance(term, ox.NamedNode):
        iri = term.value
        return {"kind": "iri", "iri": iri, "href": local_href(iri), "label": names.get(iri), "curie": curie(iri)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "id": term.value}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        shown = None if term.language or dt in (XSD + "string", RDF + "langString") else curie(dt)
        return {"kind": "literal", "value": term.value, "lang": term.language, "datatype": shown}
    return {"kind": "literal", "value": str(term), "lang": None, "datatype": None}


def natural(text: str) -> list:
    """A sort key that puts "Sentence 2" before "Sentence 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def label_of(iri: str) -> str:
    return labels().get(iri) or curie(iri)


# --- describing a resource -----------------------------------------------------------------------------

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


@dataclass
class Description:
    iri: str
    rows: list[tuple]  # (subject, predicate, object, graph IRI)

    def triples(self, inferred: bool) -> list[ox.Triple]:
        seen, out = set(), []
        for s, p, o, g in self.rows:
            if g == GRAPH_INFERRED and not inferred:
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
    built = current_app.extensions.get("tskg.build")
    if built is None:
        return None

    def load():
        from ..exports.files import load_dataset

        return load_dataset(built)

    return _cached("dataset", load)


def describe(iri: str) -> Description:
    """The concise bounded description of `iri`, per graph: from the build's dataset (blank nodes
    followed to any depth), else, over a remote engine, by SPARQL (three levels of blank nodes)."""
    dataset = source_dataset()
    if dataset is None:
        rows = engine().select(DESCRIBE, bindings={"s": ox.NamedNode(iri)}, max_rows=BIG)
        return Description(iri, [(r["x"], r["p"], r["o"], r["g"].value) for r in rows])
    rows, todo, seen = [], [ox.NamedNode(iri)], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for q in dataset.quads_for_subject(subject):
            if isinstance(q.graph_name, ox.NamedNode):
                rows.append((q.subject, q.predicate, q.object, q.graph_name.value))
                if isinstance(q.object, ox.BlankNode):
                    todo.append(q.object)
    return Description(iri, rows)


def exists(iri: str) -> bool:
    return engine().ask(EXISTS, bindings={"s": ox.NamedNode(iri)})


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of `triples` starts with (a short Turtle header)."""
    iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    iris |= {tr.object.datatype.value for tr in triples if isinstance(tr.object, ox.Literal)}
    return {p: ns for p, ns in DISPLAY_PREFIXES.items() if any(i.startswith(ns) for i in iris)}


def serialize(triples: list[ox.Triple], fmt: DocFormat) -> bytes:
    if fmt.rdf in (ox.RdfFormat.TURTLE,):
        return ox.serialize(triples, format=fmt.rdf, prefixes=used_prefixes(triples))
    if fmt.rdf == ox.RdfFormat.RDF_XML:
        # RDF/XML needs NCName node ids; the store's blank labels may start with a digit.
        relabel: dict[str, ox.BlankNode] = {}

        def fix(t):
            if isinstance(t, ox.BlankNode):
                return relabel.setdefault(t.value, ox.BlankNode(f"b{len(relabel)}"))
            return t

        triples = [ox.Triple(fix(t.subject), t.predicate, fix(t.object)) for t in triples]
        return ox.serialize(triples, format=fmt.rdf, prefixes=used_prefixes(triples))
    return ox.serialize(triples, format=fmt.rdf)


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
    return g == GRAPH_INFERRED and (
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
    return g != GRAPH_INFERRED


def _inferred(g) -> bool:
    return g == GRAPH_INFERRED


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
    types = sorted({o.value for p, o, g in own if p.value == RDF_TYPE and g != GRAPH_INFERRED}, key=label_of)
    inferred_types = sorted(
        {o.value for p, o, g in own if p.value == RDF_TYPE and g == GRAPH_INFERRED} - set(types) - TRIVIAL_TYPES,
        key=label_of,
    )
    alt = sorted({(o.value, o.language or "") for p, o, g in own if p.value == ALT_LABEL and g != GRAPH_INFERRED})
    asserted_rows = _property_rows(node, by_subject, names, _asserted, _asserted, skip=HEADER_PROPERTIES)
    inferred_rows = _property_rows(node, by_subject, names, _inferred, _anything, skip={RDF_TYPE})
    hidden = sum(1 for p, o, g in own if _trivial(node, p, o, g))

    incoming = incoming_model(node, names)
    quotes = quotes_model(node, names)
    literal_label = next((o.value for p, o, g in own if p.value in LABELS and (o.language or "en").startswith("en")), None)
    return {
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
    rows = engine().select(INCOMING, bindings={"s": node}, max_rows=BIG)
    groups: dict[tuple[str, bool], dict[str, dict]] = defaultdict(dict)
    for r in rows:
        subject = r["x"]
        if isinstance(subject, ox.BlankNode):
            subject = r.get("owner")
            if subject is None:
                continue
        if subject == node and r["p"].value == OWL + "sameAs":
            continue  # x owl:sameAs x
        inferred = r["g"].value == GRAPH_INFERRED
        groups[(r["p"].value, inferred)].setdefault(subject.value, view(subject, names))
    out = {"asserted": [], "inferred": []}
    for (p, inferred), subjects in sorted(groups.items(), key=lambda kv: (label_of(kv[0][0]).lower(), kv[0])):
        items = sorted(subjects.values(), key=lambda v: natural(v.get("label") or v.get("curie") or ""))
        out["inferred" if inferred else "asserted"].append(PropertyRow(view(ox.NamedNode(p), names), items))
    return out


def quotes_model(node: ox.NamedNode, names) -> list[Quote]:
    rows = engine().select(QUOTES, bindings={"s": node}, max_rows=BIG)
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


# --- routes: things (303) ----------------------------------------------------------------------------


def _see_other(kind: str, name: str) -> Response:
    iri = (DATA if kind == "id" else CONCEPT) + name
    try:
        fmt = negotiate()
    except NotAcceptable as err:
        return not_acceptable(err)
    params = {k: request.args[k] for k in ("inferred",) if k in request.args}  # carried over to the document
    if fmt.key == "html":
        target = url_for("pages.page" if kind == "id" else "pages.concept_page", name=name, **params)
    else:
        doc = name if kind == "id" else f"concept/{name}"
        target = url_for("pages.data", doc=f"{doc}.{fmt.key}", **params)
    if not _valid_iri(iri) or not exists(iri):
        return unknown(iri)
    response = redirect(target, 303)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/id/<path:name>")
def thing(name):
    return _see_other("id", name)


@bp.route("/concept/<path:name>")
def concept(name):
    return _see_other("concept", name)


def _valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return not re.search(r"[\s<>\"{}|\\^`]", iri)


# --- routes: documents ----------------------------------------------------------------------------------


def _resource_page(iri: str, kind: str, name: str):
    if not _valid_iri(iri) or not exists(iri):
        return unknown(iri)
    model = page_model(iri)
    doc = name if kind == "id" else f"concept/{name}"
    model["data_links"] = [
        {"label": f.label, "media_type": f.media_type, "href": url_for("pages.data", doc=f"{doc}.{f.key}")}
        for f in RDF_DOC_FORMATS
    ]
    model["data_inferred"] = url_for("pages.data", doc=f"{doc}.ttl", inferred=1)
    model["thing_href"] = url_for("pages.thing" if kind == "id" else "pages.concept", name=name)
    response = Response(render_template("resource.html", **model), mimetype="text/html")
    response.headers["Link"] = ", ".join(f'<{d["href"]}>; rel="alternate"; type="{d["media_type"]}"' for d in model["data_links"])
    return response


@bp.route("/page/<path:name>")
def page(name):
    if name.startswith("concept/"):
        rest = name[len("concept/"):]
        if not rest:  # /page/concept/ names no concept (it used to redirect to itself)
            return unknown(CONCEPT)
        return redirect(url_for("pages.concept_page", name=rest), 301)
    return _resource_page(DATA + name, "id", name)


@bp.route("/page/concept/<path:name>")
def concept_page(name):
    return _resource_page(CONCEPT + name, "concept", name)


@bp.route("/data/<path:doc>")
def data(doc):
    stem, dot, ext = doc.rpartition(".")
    fmt = DOC_FORMATS.get(FORMAT_ALIASES.get(ext, ext)) if dot else None
    if fmt is None or fmt.rdf is None:
        return Response(
            f"/data/{doc}: the name must end in one of .{', .'.join(f.key for f in RDF_DOC_FORMATS)}\n",
            status=404, mimetype="text/plain",
        )
    iri = CONCEPT + stem[len("concept/"):] if stem.startswith("concept/") else DATA + stem
    if not _valid_iri(iri) or not exists(iri):
        return Response(f"{iri} is not in the graph\n", status=404, mimetype="text/plain")
    triples = describe(iri).triples(inferred=want_inferred())
    return Response(serialize(triples, fmt), mimetype=fmt.media_type)


# --- unknown IRIs ------------------------------------------------------------------------------------------


def known_names(namespace: str) -> list[str]:
    def compute():
        rows = engine().select(
            "SELECT DISTINCT ?ns ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?ns)) }",
            bindings={"ns": ox.Literal(namespace)}, max_rows=BIG,
        )
        return sorted(r["s"].value[len(namespace):] for r in rows)

    return _cached(f"names:{namespace}", compute)


def unknown(iri: str) -> Response:
    namespace = DATA if iri.startswith(DATA) else CONCEPT if iri.startswith(CONCEPT) else None
    suggestions = []
    if namespace:
        name = iri[len(namespace):]
        close = difflib.get_close_matches(name, known_names(namespace), n=5, cutoff=0.6)
        close += [n for n in known_names(namespace) if name and name in n and n not in close][: 5 - len(close)]
        suggestions = [view(ox.NamedNode(namespace + n)) for n in close]
    wants_html = request.accept_mimetypes.accept_html or not request.headers.get("Accept")
    if not wants_html and "format" not in request.args:
        return Response(f"{iri} is not in the graph\n", status=404, mimetype="text/plain")
    html = render_template("not_found.html", iri=iri, suggestions=suggestions)
    return Response(html, status=404, mimetype="text/html")


# --- home -----------------------------------------------------------------------------------------------

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
        rows = engine().select(CLASS_COUNTS, max_rows=BIG)
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

    return _cached("class_counts", compute)


def graph_counts() -> list[dict]:
    stats = engine().stats()
    names = {iri: name for name, iri in GRAPHS.items()}
    out = []
    for iri, figures in stats.items():
        if isinstance(figures, int):
            figures = {"triples": figures}
        out.append({"iri": iri, "name": names.get(iri, iri), **figures})
    order = list(GRAPHS.values())
    return sorted(out, key=lambda g: order.index(g["iri"]) if g["iri"] in order else len(order))


@bp.route("/")
def home():
    sources = []
    for r in engine().select(SOURCES, max_rows=BIG):
        sources.append({
            "doc": view(r["doc"]),
            "title": r["title"].value if "title" in r else None,
            "publisher": view(r["publisher"]) if "publisher" in r else None,
            "author": view(r["author"]) if "author" in r else None,
        })
    header = ontology_model()["header"]
    return render_template(
        "home.html",
        graphs=graph_counts(),
        classes=class_counts(),
        sources=sources,
        description=header.get("description"),
        downloads=download_list(),
    )


# --- browse: the instances of a class ----------------------------------------------------------------

INSTANCES = """
SELECT DISTINCT ?class ?x ?g WHERE { GRAPH ?g { ?x a ?class } FILTER(isIRI(?x)) } LIMIT 5000"""


@bp.route("/browse/<local>")
def browse(local):
    iri = ONTOLOGY + local
    if not _valid_iri(iri) or not engine().ask("ASK { ?class ?p ?o }", bindings={"class": ox.NamedNode(iri)}):
        return unknown(iri)
    rows = engine().select(INSTANCES, bindings={"class": ox.NamedNode(iri)}, max_rows=BIG)
    asserted = {r["x"].value for r in rows if r["g"].value != GRAPH_INFERRED}
    items = {}
    for r in rows:
        items[r["x"].value] = {**view(r["x"]), "inferred": r["x"].value not in asserted}
    ordered = sorted(items.values(), key=lambda v: natural(v.get("label") or v["curie"]))
    return render_template("browse.html", cls=view(ox.NamedNode(iri)), items=ordered)


# --- ontology --------------------------------------------------------------------------------------------

ONTOLOGY_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def ontology_triples() -> list[ox.Triple]:
    """The ontology graph: from the build's dataset (terms as written), else from the engine."""

    def compute():
        dataset = source_dataset()
        if dataset is not None:
            return [q.triple for q in dataset.quads_for_graph_name(ox.NamedNode(GRAPH_ONTOLOGY))]
        return engine().construct(ONTOLOGY_TRIPLES, bindings={"g": ox.NamedNode(GRAPH_ONTOLOGY)}, max_rows=BIG)

    return _cached("ontology_triples", compute)


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

    return _cached("ontology_document", compute)


def ontology_model() -> dict:
    return _cached("ontology_model", lambda: build_ontology_model(ontology_triples(), labels()))


def build_ontology_model(triples: list[ox.Triple], names: dict[str, str]) -> dict:
    idx: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        idx[t.subject][t.predicate.value].append(t.object)

    def first(s, p):
        values = idx[s].get(p, [])
        english = [v for v in values if isinstance(v, ox.Literal) and (v.language or "en").startswith("en")]
        return (english or values or [None])[0]

    def text(s, *props):
        for p in props:
            v = first(s, p)
            if v is not None:
                return v.value
        return None

    def members(term) -> list:
        """A class expression as a list of named classes (owl:unionOf is expanded)."""
        if isinstance(term, ox.NamedNode):
            return [term]
        union = first(term, OWL + "unionOf")
        return rdf_list(union) if union is not None else []

    def rdf_list(node) -> list:
        out, guard = [], 0
        while isinstance(node, ox.BlankNode) and guard < 1000:
            item = first(node, RDF + "first")
            if item is not None:
                out.append(item)
            node = first(node, RDF + "rest")
            guard += 1
        return out

    def expression(term) -> dict:
        """A blank-node class expression in words (restrictions, unions, intersections)."""
        if not isinstance(term, ox.BlankNode):
            return view(term, names)
        for key, word in ((OWL + "unionOf", " or "), (OWL + "intersectionOf", " and ")):
            lst = first(term, key)
            if lst is not None:
                return {"kind": "expr", "parts": [expression(m) for m in rdf_list(lst)], "joiner": word}
        prop = first(term, OWL + "onProperty")
        if prop is not None:
            for key, word in (
                ("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value"),
                ("minQualifiedCardinality", "min"), ("maxQualifiedCardinality", "max"), ("qualifiedCardinality", "exactly"),
                ("minCardinality", "min"), ("maxCardinality", "max"), ("cardinality", "exactly"),
            ):
                v = first(term, OWL + key)
                if v is not None:
                    parts = [view(prop, names), {"kind": "word", "value": word}, expression(v)]
                    on_class = first(term, OWL + "onClass")
                    if on_class is not None and "Qualified" in key:
                        parts.append(expression(on_class))
                    return {"kind": "expr", "parts": parts, "joiner": " "}
        return {"kind": "bnode", "id": term.value}

    def is_ours(term) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(ONTOLOGY)

    def typed(*classes) -> list:
        found = {s for s, props in idx.items() if isinstance(s, ox.NamedNode) and s.value.startswith(ONTOLOGY)
                 and any(ox.NamedNode(c) in props.get(RDF_TYPE, []) for c in classes)}
        return sorted(found, key=lambda s: (names.get(s.value) or s.value).lower())

    ont = ox.NamedNode(ONTOLOGY_IRI)
    header = {
        "iri": ONTOLOGY_IRI,
        "title": text(ont, DCT + "title", RDFS + "label"),
        "description": text(ont, DCT + "description", RDFS + "comment"),
        "version": text(ont, OWL + "versionInfo"),
        "version_iri": view(first(ont, OWL + "versionIRI"), names) if first(ont, OWL + "versionIRI") else None,
        "license": [view(v, names) for v in idx[ont].get(DCT + "license", [])],
        "creator": [view(v, names) for v in idx[ont].get(DCT + "creator", []) + idx[ont].get(PREFIXES["foaf"] + "maker", [])],
        "all": [PropertyRow(view(ox.NamedNode(p), names), [view(v, names) for v in vs]) for p, vs in sorted(idx[ont].items())],
    }

    classes = typed(OWL + "Class", RDFS + "Class")
    class_set = set(classes)
    properties = typed(OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property")

    def term_entry(s, supers_prop, equiv_prop):
        supers = idx[s].get(supers_prop, [])
        equivalents = idx[s].get(equiv_prop, [])
        match = sum((idx[s].get(SKOS + m, []) for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")), [])
        return {
            "iri": s.value,
            "local": s.value[len(ONTOLOGY):],
            "curie": curie(s.value),
            "label": names.get(s.value) or s.value[len(ONTOLOGY):],
            "definition": text(s, SKOS + "definition", RDFS + "comment", DCT + "description"),
            "note": text(s, SKOS + "scopeNote", SKOS + "example", SKOS + "editorialNote"),
            "supers": [expression(v) for v in supers if is_ours(v)],
            "alignments": [
                {"relation": curie(supers_prop), "target": view(v, names)} for v in supers if isinstance(v, ox.NamedNode) and not is_ours(v)
            ] + [{"relation": curie(equiv_prop), "target": expression(v)} for v in equivalents]
              + [{"relation": "skos match", "target": view(v, names)} for v in match],
            "restrictions": [expression(v) for v in supers if isinstance(v, ox.BlankNode)],
        }

    class_entries = []
    for c in classes:
        entry = term_entry(c, RDFS + "subClassOf", OWL + "equivalentClass")
        entry["subs"] = [view(s, names) for s in classes if c in idx[s].get(RDFS + "subClassOf", [])]
        entry["disjoint"] = [view(v, names) for v in idx[c].get(OWL + "disjointWith", [])]
        entry["domain_of"] = [view(p, names) for p in properties if any(c in members(d) for d in idx[p].get(RDFS + "domain", []))]
        entry["range_of"] = [view(p, names) for p in properties if any(c in members(r) for r in idx[p].get(RDFS + "range", []))]
        class_entries.append(entry)

    kinds = {OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "datatype", OWL + "AnnotationProperty": "annotation"}
    property_entries = []
    for p in properties:
        entry = term_entry(p, RDFS + "subPropertyOf", OWL + "equivalentProperty")
        entry["kind"] = next((kinds[t.value] for t in idx[p].get(RDF_TYPE, []) if t.value in kinds), "property")
        entry["characteristics"] = sorted(
            curie(t.value) for t in idx[p].get(RDF_TYPE, [])
            if t.value.startswith(OWL) and t.value not in kinds
        )
        entry["domain"] = [expression(v) for v in idx[p].get(RDFS + "domain", [])]
        entry["range"] = [expression(v) for v in idx[p].get(RDFS + "range", [])]
        entry["inverse"] = [view(v, names) for v in idx[p].get(OWL + "inverseOf", [])] + [
            view(q, names) for q in properties if p in idx[q].get(OWL + "inverseOf", [])
        ]
        property_entries.append(entry)

    schemes = []
    scheme_nodes = sorted(
        (s for s, props in idx.items() if ox.NamedNode(SKOS + "ConceptScheme") in props.get(RDF_TYPE, [])),
        key=lambda s: (names.get(s.value) or s.value).lower(),
    )
    for scheme in scheme_nodes:
        concepts = [s for s, props in idx.items() if scheme in props.get(SKOS + "inScheme", []) or scheme in props.get(SKOS + "topConceptOf", [])]
        schemes.append({
            "scheme": view(scheme, names),
            "definition": text(scheme, SKOS + "definition", RDFS + "comment", DCT + "description"),
            "concepts": sorted(
                ({**view(c, names), "notation": text(c, SKOS + "notation"), "definition": text(c, SKOS + "definition")} for c in concepts),
                key=lambda v: ((v["notation"] or ""), (v.get("label") or v["curie"]).lower()),
            ),
        })

    return {
        "header": header,
        "classes": class_entries,
        "object_properties": [e for e in property_entries if e["kind"] == "object"],
        "datatype_properties": [e for e in property_entries if e["kind"] == "datatype"],
        "other_properties": [e for e in property_entries if e["kind"] not in ("object", "datatype")],
        "schemes": schemes,
        "class_iris": [c.value for c in class_set],
    }


def class_diagram_svg() -> str:
    return _cached("diagram", lambda: diagram.class_diagram(ontology_triples(), labels(), href=local_href))


@bp.route("/ontology")
def ontology():
    """The ontology document, negotiated in place (hash URIs with content negotiation)."""
    try:
        fmt = negotiate()
    except NotAcceptable as err:
        return not_acceptable(err)
    response = ontology_variant(fmt)
    response.headers["Content-Location"] = url_for("pages.ontology_file", ext=fmt.key)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/ontology/<version>")
def ontology_version(version):
    """The ontology's owl:versionIRI (https://w3id.org/tskg/ontology/0.1.0) is the same document, for
    as long as it is the version served; other versions are not kept here."""
    header = ontology_model()["header"]
    if header["version_iri"] is None or header["version_iri"]["iri"] != f"{ONTOLOGY_IRI}/{version}":
        return unknown(f"{ONTOLOGY_IRI}/{version}")
    return ontology()


@bp.route("/ontology.<ext>")
def ontology_file(ext):
    fmt = DOC_FORMATS.get(FORMAT_ALIASES.get(ext, ext))
    if fmt is None:
        abort(404)
    return ontology_variant(fmt)


def ontology_variant(fmt: DocFormat) -> Response:
    if fmt.rdf is None:
        def render():
            return render_template(
                "ontology.html", **ontology_model(), diagram=class_diagram_svg(),
                data_links=[{"label": f.label, "href": url_for("pages.ontology_file", ext=f.key)} for f in RDF_DOC_FORMATS],
            )

        return Response(_cached("ontology_html", render), mimetype="text/html")
    return Response(serialize(ontology_document(), fmt), mimetype=fmt.media_type)


@bp.route("/ontology/diagram.svg")
def ontology_diagram():
    return Response(class_diagram_svg(), mimetype="image/svg+xml")


# --- downloads ------------------------------------------------------------------------------------------


def download_list() -> list[dict]:
    from ..exports.files import FORMATS

    out = []
    for f in FORMATS:
        name = f"tskg{f.extensions[0]}"
        out.append({
            "name": name,
            "label": f.label,
            "media_type": f.rdf.media_type,
            "dataset": f.dataset,
            "href": url_for("pages.download", filename=name),
        })
    return out


def _download_bytes(filename: str) -> tuple[bytes, str] | None:
    from ..exports.files import BY_EXTENSION, load_dataset, serialize as export_serialize

    stem, dot, ext = filename.rpartition(".")
    fmt = BY_EXTENSION.get("." + ext)
    if stem != "tskg" or fmt is None:
        return None

    def compute():
        import io

        built = current_app.extensions.get("tskg.build")
        if built is not None:  # the build's quads, exactly as `tskg export` writes them
            dataset = load_dataset(built)
        else:  # a remote engine: its quads
            rows = engine().select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", max_rows=BIG)
            dataset = ox.Dataset(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        out = io.BytesIO()
        export_serialize(dataset, fmt, list(GRAPHS.values()), out)
        return out.getvalue()

    return _cached(f"download:{filename}", compute), fmt.rdf.media_type


@bp.route("/downloads/")
def downloads():
    return render_template("downloads.html", downloads=download_list())


@bp.route("/downloads/<filename>")
def download(filename):
    found = _download_bytes(filename)
    if found is None:
        names = ", ".join(d["name"] for d in download_list())
        return Response(f"no download named {filename!r}; there are: {names}\n", status=404, mimetype="text/plain")
    body, media_type = found
    return Response(
        body, mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
