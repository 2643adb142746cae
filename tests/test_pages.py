"""Linked data and pages: dereferencing (303 + content negotiation, per the Cool URIs note), the
resource, home, ontology and query pages, and the downloads.

Expected values come from the Turtle sources (parsed here with rdflib), the article's text, or the
build's store opened directly with pyoxigraph, never from the pages' own queries."""

from __future__ import annotations

import html
import re
import xml.dom.minidom

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef

from server.namespaces import CONCEPT, DATA, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPHS, ONTOLOGY

TSK = rdflib.Namespace(ONTOLOGY)
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
PERSON = "aleksandar-vucic"
PERSON_IRI = URIRef(DATA + PERSON)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def sources(app):
    """The Turtle sources the app was built from, parsed by rdflib (the checkout, or $TSKG_ROOT)."""
    from server.build import parse_sources
    from server.project import Project

    return parse_sources(Project.locate(app.config["TSKG_ROOT"]))


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    """The store the app serves, opened directly (read-only)."""
    built = app.extensions["tskg.build"]
    return built.open_store()


def triples_of(graph: rdflib.Graph, subject) -> set:
    return {(subject, p, o) for p, o in graph.predicate_objects(subject) if not isinstance(o, rdflib.BNode)}


def parsed(body: bytes, fmt: ox.RdfFormat) -> rdflib.Graph:
    """A document parsed by pyoxigraph, as an rdflib graph for comparison."""
    from server.terms import to_rdflib

    g = rdflib.Graph()
    for t in ox.parse(body, format=fmt):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def section(page: str, ident: str) -> str:
    """The HTML of <section id="ident">...</section> (our templates do not nest sections)."""
    match = re.search(rf'<section id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {ident}"
    return match.group(1)


# --- dereferencing: 303 See Other to a document chosen by Accept -------------------------------------


@pytest.mark.parametrize(
    "accept, location",
    [
        (BROWSER_ACCEPT, f"/page/{PERSON}"),
        ("text/turtle", f"/data/{PERSON}.ttl"),
        ("application/ld+json", f"/data/{PERSON}.jsonld"),
        ("application/n-triples", f"/data/{PERSON}.nt"),
        ("application/rdf+xml", f"/data/{PERSON}.rdf"),
        ("text/turtle;q=0.5, application/ld+json", f"/data/{PERSON}.jsonld"),
        ("application/ld+json;q=0.2, text/turtle;q=0.9, text/html;q=0.1", f"/data/{PERSON}.ttl"),
        ("*/*", f"/page/{PERSON}"),
        (None, f"/page/{PERSON}"),
    ],
)
def test_thing_iri_redirects_303_by_accept(client, accept, location):
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(f"/id/{PERSON}", headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"] == location
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("fmt, ext", [("ttl", "ttl"), ("turtle", "ttl"), ("jsonld", "jsonld"), ("nt", "nt"), ("html", None)])
def test_format_parameter_overrides_accept(client, fmt, ext):
    response = client.get(f"/id/{PERSON}?format={fmt}", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"] == (f"/data/{PERSON}.{ext}" if ext else f"/page/{PERSON}")


def test_inferred_parameter_is_carried_to_the_document(client):
    response = client.get(f"/id/{PERSON}?inferred=1&name=x&doc=y", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/data/{PERSON}.ttl?inferred=1"


def test_nothing_acceptable_is_406_and_unknown_format_400(client):
    response = client.get(f"/id/{PERSON}", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)
    assert client.get(f"/id/{PERSON}?format=docx").status_code == 400


@pytest.mark.parametrize(
    "ext, fmt, media_type",
    [
        ("ttl", ox.RdfFormat.TURTLE, "text/turtle"),
        ("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json"),
        ("nt", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
        ("rdf", ox.RdfFormat.RDF_XML, "application/rdf+xml"),
    ],
)
def test_data_document_is_the_asserted_description(client, sources, ext, fmt, media_type):
    response = client.get(f"/data/{PERSON}.{ext}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    doc = parsed(response.data, fmt)
    # Every asserted triple about the person, as written in graph/*.ttl, and nothing inferred.
    assert triples_of(doc, PERSON_IRI) == triples_of(sources.data, PERSON_IRI)
    assert (PERSON_IRI, RDFS.label, Literal("Aleksandar Vucic", lang="en")) in doc


def test_data_document_with_inferences(client, store, sources):
    inferred = {
        (URIRef(q.predicate.value), q.object)
        for q in store.quads_for_pattern(ox.NamedNode(str(PERSON_IRI)), None, None, ox.NamedNode(GRAPH_INFERRED))
        if isinstance(q.object, ox.NamedNode)
    }
    assert inferred, "reasoning should add something about the person (at least inferred types)"
    doc = parsed(client.get(f"/data/{PERSON}.ttl?inferred=1").data, ox.RdfFormat.TURTLE)
    for p, o in inferred:
        assert (PERSON_IRI, p, URIRef(o.value)) in doc
    assert triples_of(sources.data, PERSON_IRI) <= set(doc)


def test_blank_nodes_of_a_quote_are_expanded(client, sources):
    """A quote's selectors are blank nodes: its description carries them (concise bounded description)."""
    quote = URIRef(DATA + "quote-s02")
    selectors = list(sources.data.objects(quote, OA.hasSelector))
    exact = {o for b in selectors for o in sources.data.objects(b, OA.exact)}
    starts = {o for b in selectors for o in sources.data.objects(b, OA.start)}
    assert exact and starts, "graph/source.ttl should give quote-s02 its text and offsets"
    doc = parsed(client.get("/data/quote-s02.ttl").data, ox.RdfFormat.TURTLE)
    doc_selectors = list(doc.objects(quote, OA.hasSelector))
    assert len(doc_selectors) == len(selectors)
    assert {o for b in doc_selectors for o in doc.objects(b, OA.exact)} == exact
    assert {o for b in doc_selectors for o in doc.objects(b, OA.start)} == starts


def test_concept_iri_dereferences(client, sources):
    concept = next(
        s for s in sources.ontology.subjects(RDF.type, SKOS.Concept) if str(s).startswith(CONCEPT)
    )
    name = str(concept)[len(CONCEPT):]
    response = client.get(f"/concept/{name}", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/page/concept/{name}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    label = str(next(sources.ontology.objects(concept, SKOS.prefLabel)))
    assert html.escape(label, quote=False) in page
    ttl = client.get(f"/concept/{name}", headers={"Accept": "text/turtle"})
    doc = parsed(client.get(ttl.headers["Location"]).data, ox.RdfFormat.TURTLE)
    assert triples_of(doc, concept) == triples_of(sources.ontology, concept)


def test_ontology_document_negotiates_in_place(client, sources):
    """Hash IRIs: /ontology is the document itself, 200 with Content-Location and Vary."""
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert response.headers["Content-Location"] == "/ontology.ttl"
    assert "Accept" in response.headers["Vary"]
    doc = parsed(response.data, ox.RdfFormat.TURTLE)
    classes = {c for c in sources.ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(ONTOLOGY)}
    assert classes and all((c, RDF.type, OWL.Class) in doc for c in classes)
    html_response = client.get("/ontology", headers={"Accept": BROWSER_ACCEPT})
    assert html_response.status_code == 200 and html_response.mimetype == "text/html"
    assert html_response.headers["Content-Location"] == "/ontology.html"
    jsonld = client.get("/ontology?format=jsonld")
    assert jsonld.headers["Content-Location"] == "/ontology.jsonld"
    assert len(parsed(jsonld.data, ox.RdfFormat.JSON_LD)) == len(doc)


def test_ontology_version_iri_dereferences(client, sources):
    ont = URIRef(ONTOLOGY.rstrip("#"))
    version = sources.ontology.value(ont, OWL.versionIRI)
    assert version is not None and str(version).startswith(str(ont) + "/")
    response = client.get(str(version)[len("https://w3id.org/tskg"):], headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Content-Location"] == "/ontology.ttl"
    assert client.get("/ontology/0.0.0-no-such-version").status_code == 404


# --- unknown IRIs ---------------------------------------------------------------------------------------


def test_unknown_iri_is_a_helpful_404(client):
    response = client.get("/id/aleksandar-vucik", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not in the graph" in page
    assert "https://w3id.org/tskg/id/aleksandar-vucik" in page
    assert f'href="/page/{PERSON}"' in page  # the near name is suggested
    assert client.get("/page/no-such-thing").status_code == 404
    assert client.get("/concept/no-such-concept").status_code == 404
    machine = client.get("/id/no-such-thing", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.mimetype == "text/plain"
    assert client.get("/data/no-such-thing.ttl").status_code == 404
    assert client.get(f"/data/{PERSON}.docx").status_code == 404


# --- the resource page ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def person_page(app) -> str:
    response = app.test_client().get(f"/page/{PERSON}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_person_page_shows_labels_and_tenure(person_page, sources):
    assert "<h1>Aleksandar Vucic</h1>" in person_page
    for alt in sources.data.objects(PERSON_IRI, SKOS.altLabel):
        assert html.escape(str(alt), quote=False) in person_page
    tenures = list(sources.data.subjects(TSK.holder, PERSON_IRI))
    assert tenures, "the data should give Vucic an office tenure"
    for tenure in tenures:
        assert f'href="/page/{str(tenure)[len(DATA):]}"' in section(person_page, "incoming")


def test_person_page_quotes_occur_in_the_article(person_page, source_text):
    quotes = re.findall(
        r"<blockquote>(.*?)</blockquote>\s*<figcaption>\s*<a [^>]*>Sentence (\d+)</a>, characters (\d+)–(\d+)",
        section(person_page, "quotes"), re.S,
    )
    assert quotes, "the person page should show supporting quotes"
    for text, _number, start, end in quotes:
        text = html.unescape(text)
        assert text in source_text
        assert source_text[int(start):int(end)] == text


def test_person_page_keeps_inferences_apart(person_page, store):
    inferred_holds = [
        q.object.value
        for q in store.quads_for_pattern(ox.NamedNode(str(PERSON_IRI)), ox.NamedNode(ONTOLOGY + "holds"), None,
                                         ox.NamedNode(GRAPH_INFERRED))
    ]
    assert inferred_holds, "tsk:holds is the inverse of tsk:holder, so reasoning should add it"
    inferred = section(person_page, "inferred")
    asserted = section(person_page, "asserted")
    for tenure in inferred_holds:
        assert f'href="/page/{tenure[len(DATA):]}"' in inferred
        assert f'href="/page/{tenure[len(DATA):]}"' not in asserted
    assert 'href="/ontology#Agent"' in inferred  # an inferred type
    assert 'href="/ontology#Agent"' not in person_page.split('<section id="asserted">')[0]


# --- home -----------------------------------------------------------------------------------------------


def test_home_counts_match_the_store(client, store):
    page = client.get("/").get_data(as_text=True)
    held = {g.value for g in store.named_graphs()}
    for name, iri in GRAPHS.items():
        if iri not in held:  # the derived graph, when no rule derived anything
            continue
        expected = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
        match = re.search(rf'<tr data-graph="{re.escape(iri)}">.*?<td class="num triples">(\d+)</td>', page, re.S)
        assert match, f"no row for graph {name}"
        assert int(match.group(1)) == expected, name
    rows = re.findall(
        r'<tr data-class="([^"]+)">.*?<td class="num asserted">(\d+)</td><td class="num all">(\d+)</td>', page, re.S
    )
    assert len(rows) > 10
    for cls, asserted, everything in rows:
        c = ox.NamedNode(cls)
        direct = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), c, ox.NamedNode(GRAPH_ASSERTED))}
        union = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), c, None)}
        assert (int(asserted), int(everything)) == (len(direct), len(union)), cls
    for link in ("/query", "/queries", "/ontology", "/sparql", "/downloads/tskg.nq"):
        assert f'href="{link}"' in page


def test_home_links_browse_pages(client, sources):
    persons = {str(s) for s in sources.data.subjects(RDF.type, TSK.Person)}
    page = client.get("/browse/Person").get_data(as_text=True)
    for iri in persons:
        assert f'href="/page/{iri[len(DATA):]}"' in page


# --- ontology -------------------------------------------------------------------------------------------


def test_ontology_page_lists_every_class_and_the_diagram_shows_them(client, sources):
    page = client.get("/ontology", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    svg = client.get("/ontology/diagram.svg")
    assert svg.mimetype == "image/svg+xml"
    svg_text = svg.get_data(as_text=True)
    xml.dom.minidom.parseString(svg.data)  # well-formed XML
    classes = {c for c in sources.ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(ONTOLOGY)}
    assert len(classes) > 10
    for c in classes:
        local = str(c)[len(ONTOLOGY):]
        label = str(sources.ontology.value(c, RDFS.label))
        assert f'id="{local}"' in page, local
        assert f">{html.escape(label, quote=False)}</text>" in svg_text, label
        assert f'data-iri="{c}"' in page  # the inline diagram
    header = sources.ontology
    ont = URIRef(ONTOLOGY.rstrip("#"))
    for p in (rdflib.URIRef("http://purl.org/dc/terms/title"), OWL.versionInfo):
        for value in header.objects(ont, p):
            assert html.escape(str(value), quote=False) in page


def test_ontology_page_shows_property_domains_and_ranges(client, sources):
    page = client.get("/ontology.html").get_data(as_text=True)
    holder = section(page, "object-properties")
    entry = re.search(r'<article class="term" id="holder">(.*?)</article>', holder, re.S)
    assert entry, "tsk:holder should be documented"
    assert 'href="/ontology#Tenure"' in entry.group(1) and 'href="/ontology#Person"' in entry.group(1)


# --- downloads ------------------------------------------------------------------------------------------

DOWNLOADS = [
    ("tskg.nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("tskg.nq", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("tskg.trig", "application/trig", ox.RdfFormat.TRIG),
    ("tskg.ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ("tskg.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("tskg.rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
]


@pytest.mark.parametrize("name, media_type, fmt", DOWNLOADS)
def test_downloads_parse_back(live_server, store, name, media_type, fmt):
    response = requests.get(f"{live_server.url}/downloads/{name}", timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    quads = list(ox.parse(response.content, format=fmt))
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        for iri in GRAPHS.values():
            expected = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(iri)))
            assert sum(1 for q in quads if q.graph_name == ox.NamedNode(iri)) == expected, iri
    else:
        named = {(q.subject, q.predicate, q.object) for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
        expected = {
            (q.subject, q.predicate, q.object) for q in store
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        }
        assert len(named) == len(expected)


def test_unknown_download_is_404(client):
    response = client.get("/downloads/tskg.docx")
    assert response.status_code == 404
    assert "tskg.ttl" in response.get_data(as_text=True)


# --- over real HTTP ---------------------------------------------------------------------------------------


def test_dereferencing_over_http(live_server, sources):
    session = requests.Session()
    r = session.get(f"{live_server.url}/id/{PERSON}", headers={"Accept": "text/turtle"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/data/{PERSON}.ttl")
    followed = session.get(f"{live_server.url}/id/{PERSON}", headers={"Accept": "application/ld+json"}, timeout=30)
    assert followed.status_code == 200
    assert followed.headers["Content-Type"].startswith("application/ld+json")
    assert triples_of(parsed(followed.content, ox.RdfFormat.JSON_LD), PERSON_IRI) == triples_of(sources.data, PERSON_IRI)
    page = session.get(f"{live_server.url}/id/{PERSON}", headers={"Accept": BROWSER_ACCEPT}, timeout=30)
    assert page.status_code == 200 and "<h1>Aleksandar Vucic</h1>" in page.text
    assert [h.status_code for h in page.history] == [303]


# --- remote mode: the same pages over a SPARQL endpoint ------------------------------------------------


@pytest.fixture(scope="module")
def remote_client(remote_front):
    """The pages in front of a remote SPARQL 1.1 endpoint (tests/conftest.py remote_front)."""
    return remote_front.test_client()


def test_remote_mode_pages_match_embedded(remote_client, client, sources):
    assert remote_client.get(f"/id/{PERSON}", headers={"Accept": "text/turtle"}).status_code == 303
    doc = parsed(remote_client.get(f"/data/{PERSON}.ttl").data, ox.RdfFormat.TURTLE)
    assert triples_of(doc, PERSON_IRI) == triples_of(sources.data, PERSON_IRI)
    remote_page = remote_client.get(f"/page/{PERSON}").get_data(as_text=True)
    local_page = client.get(f"/page/{PERSON}").get_data(as_text=True)
    for ident in ("quotes", "incoming", "inferred"):
        assert section(remote_page, ident) == section(local_page, ident), ident
    assert remote_client.get("/id/no-such-thing").status_code == 404
    ontology = remote_client.get("/ontology", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    assert section(ontology, "diagram") == section(client.get("/ontology.html").get_data(as_text=True), "diagram")


def test_remote_mode_download(remote_client, store):
    response = remote_client.get("/downloads/tskg.nq")
    assert response.status_code == 200
    quads = list(ox.parse(response.data, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(store)


def test_empty_names_are_404_not_a_redirect_loop(client):
    """/page/concept/ used to redirect to itself."""
    for path in ("/page/concept/", "/page/", "/id/", "/concept/", "/data/"):
        response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
        assert response.status_code == 404, path


def test_derived_facts_stay_apart_from_what_the_data_says(client, store):
    """Triples of the derived graph (computed at build time for the views) are not shown as asserted: a
    data document carries them only with ?inferred=1, like the OWL RL inferences."""
    from server.namespaces import GRAPH_DERIVED

    derived = next(q for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DERIVED))
                   if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(DATA))
    name = derived.subject.value[len(DATA):]
    predicate = URIRef(derived.predicate.value)
    plain = parsed(client.get(f"/data/{name}.nt").data, ox.RdfFormat.N_TRIPLES)
    assert not list(plain.triples((None, predicate, None))), predicate
    full = parsed(client.get(f"/data/{name}.nt?inferred=1").data, ox.RdfFormat.N_TRIPLES)
    assert list(full.triples((None, predicate, None)))
