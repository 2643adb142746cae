"""Resource pages that lead with the facts (server.web.pages.facts), and linked-data documents that carry
the triples pointing at the resource.

Expected facts, dates and sentences come from the Turtle sources (rdflib) and the article's text; the
inferred triples from the build's store opened directly; never from the page's own read model."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, RDFS, URIRef

from server.namespaces import DATA, GRAPH_INFERRED, ONTOLOGY

TSK = rdflib.Namespace(ONTOLOGY)
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
XSD = "http://www.w3.org/2001/XMLSchema#"
VUCIC = URIRef(DATA + "aleksandar-vucic")
SERBIA = URIRef(DATA + "serbia")
DELIVERY = URIRef(DATA + "event-drone-delivery-to-kosovo")


@pytest.fixture(scope="module")
def sources(app):
    from server.build import parse_sources
    from server.project import Project

    return parse_sources(Project.locate(app.config["TSKG_ROOT"]))


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


@pytest.fixture(scope="module")
def pages(app):
    client = app.test_client()
    out = {}
    for iri in (VUCIC, SERBIA, DELIVERY):
        response = client.get("/page/" + str(iri)[len(DATA):])
        assert response.status_code == 200
        out[iri] = response.get_data(as_text=True)
    return out


def first_part(page: str) -> str:
    """What comes before the provenance detail (the supporting quotes and the property tables)."""
    return page.split('<section id="quotes"')[0]


def section(page: str, ident: str) -> str:
    match = re.search(rf'<section id="{ident}"[^>]*>(.*?)</section>', page, re.S)
    assert match, f"no section {ident}"
    return match.group(1)


def rows(part: str) -> list[dict]:
    """The facts of a section: link, label, when, and each citation's number and tooltip text."""
    out = []
    for item in re.findall(r'<li class="fact">(.*?)</li>', part, re.S):
        link = re.search(r'<span class="what">\s*<a href="([^"]+)">(.*?)</a>', item, re.S)
        when = re.search(r'<span class="when">(.*?)</span>\s*<span class="what">', item, re.S).group(1)
        cites = re.findall(
            r'<span class="visually-hidden">Sentence </span><span aria-hidden="true">s</span>(\d+)</a>\s*'
            r'<span class="tip" role="tooltip" id="([^"]+)">“(.*?)” <span class="tip-source">', item, re.S)
        out.append({
            "href": link.group(1), "label": html.unescape(link.group(2)),
            "when": html.unescape(re.sub(r"<[^>]+>", "", when)).strip(),
            "cites": {int(n): html.unescape(re.sub(r"</?mark>", "", text)) for n, _, text in cites},
            "marked": re.findall(r"<mark>(.*?)</mark>", item), "html": item,
        })
    return out


def sentences_of(sources, fact) -> dict[int, str]:
    """Sentence number → the sentence's text, for the quotes `fact` cites (the longest quote of a number)."""
    by_number: dict[int, str] = {}
    for quote in sources.data.objects(fact, TSK.evidence):
        number = int(sources.data.value(quote, TSK.sentenceNumber))
        whole = max((str(o) for q in sources.data.subjects(TSK.sentenceNumber, rdflib.Literal(number))
                     for s in sources.data.objects(q, OA.hasSelector) for o in sources.data.objects(s, OA.exact)), key=len)
        by_number[number] = whole
    return by_number


def href(iri) -> str:
    return "/page/" + str(iri)[len(DATA):]


# --- the person -------------------------------------------------------------------------------------------


def test_vucic_leads_with_office_statements_and_stances(pages, sources, source_text):
    page = pages[VUCIC]
    lead = first_part(page)
    assert lead.index('id="facts-offices"') < lead.index('id="facts-statements"') < lead.index('id="facts-stances"')
    assert page.index('id="facts-offices"') < page.index('<section id="asserted">') < page.index('<section id="incoming">')

    expected = {
        "facts-offices": set(sources.data.subjects(TSK.holder, VUCIC)),
        "facts-statements": set(sources.data.subjects(TSK.speaker, VUCIC)),
        "facts-stances": set(sources.data.subjects(TSK.stanceHolder, VUCIC)) | set(sources.data.subjects(TSK.stanceOn, VUCIC)),
    }
    assert all(expected.values()), "the data should give Vucic an office, statements and stances"
    for ident, facts in expected.items():
        shown = rows(section(lead, ident))
        assert {r["href"] for r in shown} == {href(f) for f in facts}, ident
        for row in shown:
            fact = URIRef(DATA + row["href"][len("/page/"):])
            assert row["label"] == str(sources.data.value(fact, RDFS.label))
            sentences = sentences_of(sources, fact)
            assert row["cites"] == sentences, f"{row['label']}: each of its sentences, with its text"
            for text in row["cites"].values():
                assert text in source_text


def test_the_accusation_and_its_retraction(pages, sources):
    statements = {r["href"]: r for r in rows(section(first_part(pages[VUCIC]), "facts-statements"))}
    accusation = URIRef(DATA + "statement-vucic-accuses-turkey-ottoman-empire")
    retraction = next(sources.data.subjects(TSK.retracts, accusation))
    row = statements[href(accusation)]
    assert f'retracted by <a href="{href(retraction)}">' in row["html"]
    assert f'retracts <a href="{href(accusation)}">' in statements[href(retraction)]["html"]
    # Month-day dates without a year, at their precision, in order, the inferred one marked.
    assert str(sources.data.value(accusation, TSK.date)) == "--10-08"
    assert row["when"].startswith("8 October") and "year not given" in row["when"]
    assert statements[href(retraction)]["when"].startswith("9 October") and "inferred" in statements[href(retraction)]["when"]
    order = [r["href"] for r in rows(section(pages[VUCIC], "facts-statements"))]
    assert order.index(href(accusation)) < order.index(href(retraction))
    # The words the statement quotes are marked in its sentence.
    quoted = str(sources.data.value(accusation, TSK.quotedText))
    assert quoted in [html.unescape(m) for m in row["marked"]]


# --- the state ----------------------------------------------------------------------------------------------


def test_serbia_agreements_in_time_order_and_its_office(pages, sources):
    page = first_part(pages[SERBIA])
    agreements = rows(section(page, "facts-agreements"))
    expected = sorted(sources.data.subjects(TSK.party, SERBIA), key=lambda a: str(sources.data.value(a, TSK.date) or "~"))
    expected = [a for a in expected if (a, RDF.type, TSK.Agreement) in sources.data]
    assert [r["href"] for r in agreements] == [href(a) for a in expected]
    assert [r["when"] for r in agreements] == [str(sources.data.value(a, TSK.date)) for a in expected] == ["2017", "2019", "2024"]
    # The tenure of Serbia's office, two steps away (office → officeOf Serbia).
    offices = {o for o in sources.data.subjects(TSK.officeOf, SERBIA)}
    tenures = {t for o in offices for t in sources.data.subjects(TSK.office, o)}
    assert {r["href"] for r in rows(section(page, "facts-offices"))} == {href(t) for t in tenures}
    # Events: the dated ones in time order, before the undated ones.
    events = rows(section(page, "facts-events"))
    years = [int(r["when"][:4]) for r in events if re.match(r"\d{4}", r["when"])]
    assert len(years) >= 3 and years == sorted(years)
    undated = [i for i, r in enumerate(events) if not r["when"]]
    assert undated and undated == list(range(len(events) - len(undated), len(events))), "undated ones last"


# --- an event -------------------------------------------------------------------------------------------------


def test_event_page_says_what_happened_and_who_reacted(pages, sources):
    page = first_part(pages[DELIVERY])
    summary = re.search(r'<dl class="summary"[^>]*>(.*?)</dl>', page, re.S).group(1)
    for prop in (TSK.seller, TSK.buyer, TSK.place, TSK.eventType):
        for value in sources.data.objects(DELIVERY, prop):
            label = sources.data.value(value, RDFS.label) or sources.ontology.value(value, rdflib.SKOS.prefLabel)
            assert f">{html.escape(str(label))}</a>" in summary, (prop, label)
    description = str(sources.data.value(DELIVERY, TSK.description))
    assert description in [html.unescape(p) for p in re.findall(r'<p class="lead">(.*?)</p>', page, re.S)]
    about = {s for s in sources.data.subjects(TSK.about, DELIVERY) if (s, RDF.type, TSK.Statement) in sources.data}
    assert about and {r["href"] for r in rows(section(page, "facts-statements"))} == {href(s) for s in about}
    own = re.search(r'<p class="own-sources">(.*?)</p>', page, re.S).group(1)
    numbers = {int(n) for n in re.findall(r'aria-hidden="true">s</span>(\d+)</a>', own)}
    assert numbers == set(sentences_of(sources, DELIVERY))


def test_sentences_show_on_hover_and_focus_by_css(pages):
    """The tooltip is the link's description and is shown by :hover and :focus-within (checked in a
    browser by tests/test_browser_search.py)."""
    page = pages[VUCIC]
    for described in re.findall(r'aria-describedby="([^"]+)"', first_part(page)):
        assert page.count(f'id="{described}"') == 1, "each citation describes itself by one tooltip"


def test_remote_mode_shows_the_same_facts(remote_front, pages):
    for iri, local in pages.items():
        remote = remote_front.test_client().get(href(iri)).get_data(as_text=True)
        assert first_part(remote) == first_part(local), iri


# --- dates at their precision -------------------------------------------------------------------------------


@pytest.mark.parametrize("value, datatype, shown", [
    ("2016", "gYear", "2016"), ("2024-10", "gYearMonth", "October 2024"), ("2024-10-08", "date", "8 October 2024"),
    ("--10-09", "gMonthDay", "9 October"), ("2024-10-08T12:00:00", "dateTime", "8 October 2024"),
    ("-0044", "gYear", "-44"), ("sometime", "string", "sometime"),
])
def test_show_date(value, datatype, shown):
    from server.web.pages.facts import show_date

    assert show_date(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))) == shown


def test_date_order():
    from server.web.pages.facts import date_key

    terms = [ox.Literal(v, datatype=ox.NamedNode(XSD + d)) for v, d in
             [("--10-08", "gMonthDay"), ("2024-10-08", "date"), ("2013", "gYear"), ("2024", "gYear"), ("2024-09", "gYearMonth")]]
    ordered = sorted(terms + [None], key=date_key)
    assert [t.value if t else None for t in ordered] == ["2013", "2024", "2024-09", "2024-10-08", "--10-08", None]


# --- linked-data documents carry what points at the resource ----------------------------------------------------


FORMATS = [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
           ("rdf", ox.RdfFormat.RDF_XML)]


def pointing_at(graph: rdflib.Graph, iri) -> set[tuple[str, str]]:
    return {(str(s), str(p)) for s, p in graph.subject_predicates(iri) if isinstance(s, URIRef)}


@pytest.mark.parametrize("ext, fmt", FORMATS)
def test_data_documents_carry_incoming_triples(client, sources, ext, fmt):
    for iri in (VUCIC, SERBIA, DELIVERY):
        body = client.get(f"/data/{str(iri)[len(DATA):]}.{ext}").data
        doc = list(ox.parse(body, format=fmt))
        incoming = {(t.subject.value, t.predicate.value) for t in doc if t.object == ox.NamedNode(str(iri))
                    and isinstance(t.subject, ox.NamedNode) and t.subject.value != str(iri)}
        expected = pointing_at(sources.data, iri)
        assert expected and incoming == expected, (iri, ext)


def test_incoming_inferences_only_when_asked(client, store, sources):
    inferred = {(q.subject.value, q.predicate.value)
                for q in store.quads_for_pattern(None, None, ox.NamedNode(str(VUCIC)), ox.NamedNode(GRAPH_INFERRED))
                if isinstance(q.subject, ox.NamedNode) and q.subject.value != str(VUCIC)}
    assert inferred, "reasoning should add triples pointing at Vucic (schema:member of his tenure, …)"
    asserted = pointing_at(sources.data, VUCIC)
    plain = {(t.subject.value, t.predicate.value) for t in ox.parse(client.get("/data/aleksandar-vucic.nt").data,
                                                                   format=ox.RdfFormat.N_TRIPLES) if t.object.value == str(VUCIC)}
    assert not (inferred - asserted) & plain
    with_inferred = {(t.subject.value, t.predicate.value) for t in ox.parse(
        client.get("/data/aleksandar-vucic.nt?inferred=1").data, format=ox.RdfFormat.N_TRIPLES)
        if t.object.value == str(VUCIC)}
    assert inferred | asserted <= with_inferred | {(str(VUCIC), p) for _, p in inferred}


def test_a_crawler_finds_the_events_of_a_person(client, sources):
    """From the person's IRI, by content negotiation only, to the statements that name him and on."""
    response = client.get("/id/aleksandar-vucic", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    doc = list(ox.parse(client.get(response.headers["Location"]).data, format=ox.RdfFormat.TURTLE))
    statement = DATA + "statement-vucic-accuses-turkey-ottoman-empire"
    assert any(t.subject.value == statement for t in doc)
    followed = client.get("/id/statement-vucic-accuses-turkey-ottoman-empire", headers={"Accept": "text/turtle"})
    assert followed.status_code == 303
