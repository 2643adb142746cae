"""The graph's data against its source: every file parses strictly, every quote is where it says it is in the
article, every fact rests on a quote, every sentence of the article supports some fact, and nothing is left
undescribed. The checks are functions over an rdflib graph, so that the tests at the end can show each of them
catching a broken graph."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import rdflib
from rdflib import Literal, URIRef

from server.namespaces import DATA, ONTOLOGY
from server.sources.quotes import locate, sentences
from server.terms import rdflib_graph
from server.sources.turtle import parse_turtle_file

# Plain namespaces: rdflib's DefinedNamespace objects warn when pytest inspects the module.
RDF = rdflib.Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = rdflib.Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
TSK = rdflib.Namespace(ONTOLOGY)
TSKR = rdflib.Namespace(DATA)
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SCHEMA = rdflib.Namespace("https://schema.org/")
TIME = rdflib.Namespace("http://www.w3.org/2006/time#")

EXPECTED_FILES = {
    "source.ttl", "actors.ttl", "places.ttl", "offices.ttl", "memberships.ttl", "agreements.ttl",
    "events.ttl", "statements.ttl", "economy.ttl", "claims.ttl", "periods.ttl",
}
# Classes whose instances state a fact and so must cite a quote (subclasses listed: no reasoning here).
FACT_CLASSES = [
    TSK.Event, TSK.Statement, TSK.Retraction, TSK.Agreement, TSK.Tenure, TSK.Membership,
    TSK.Stance, TSK.Claim, TSK.EconomicStake, TSK.Inference,
]
DATE_PROPERTIES = [TSK.date, TSK.startDate, TSK.endDate, TSK.attestedDate]
_MONTH, _DAY = r"(0[1-9]|1[0-2])", r"(0[1-9]|[12]\d|3[01])"
DATE_TYPES = {  # lexical forms, without time zones (the article gives none)
    XSD.date: rf"\d{{4}}-{_MONTH}-{_DAY}",
    XSD.gYearMonth: rf"\d{{4}}-{_MONTH}",
    XSD.gYear: r"\d{4}",
    XSD.gMonthDay: rf"--{_MONTH}-{_DAY}",
}


# ---------------------------------------------------------------- loading

@pytest.fixture(scope="module")
def graph_files(project):
    return project.graph_files


@pytest.fixture(scope="module")
def data(graph_files) -> rdflib.Graph:
    g = rdflib.Graph()
    for path in graph_files:
        rdflib_graph(parse_turtle_file(path), g)
    return g


# ---------------------------------------------------------------- checks (each returns a list of problems)

def quote_spans(g: rdflib.Graph) -> dict[URIRef, tuple[str, int, int, int]]:
    """quote -> (exact, start, end, sentence number)."""
    spans = {}
    for quote in g.subjects(RDF.type, TSK.Quote):
        exact = start = end = None
        for selector in g.objects(quote, OA.hasSelector):
            if (selector, RDF.type, OA.TextQuoteSelector) in g:
                exact = str(g.value(selector, OA.exact))
            if (selector, RDF.type, OA.TextPositionSelector) in g:
                start, end = int(g.value(selector, OA.start)), int(g.value(selector, OA.end))
        number = g.value(quote, TSK.sentenceNumber)
        spans[quote] = (exact, start, end, int(number) if number is not None else None)
    return spans


def misplaced_quotes(g: rdflib.Graph, text: str) -> list[str]:
    problems = []
    by_number = {s.number: s for s in sentences(text)}
    for quote, (exact, start, end, number) in quote_spans(g).items():
        if exact is None or start is None:
            problems.append(f"{quote}: lacks a TextQuoteSelector or a TextPositionSelector")
        elif text[start:end] != exact:
            problems.append(f"{quote}: text[{start}:{end}] is {text[start:end]!r}, not {exact!r}")
        elif number not in by_number or not (by_number[number].start <= start and end <= by_number[number].end):
            problems.append(f"{quote}: [{start}, {end}) is not inside sentence {number}")
        if (quote, OA.hasSource, TSKR.article) not in g:
            problems.append(f"{quote}: oa:hasSource is not tskr:article")
    return problems


def fact_nodes(g: rdflib.Graph) -> set:
    return {node for cls in FACT_CLASSES for node in g.subjects(RDF.type, cls)}


def facts_without_evidence(g: rdflib.Graph) -> list[str]:
    problems = []
    for node in sorted(fact_nodes(g)):
        quotes = list(g.objects(node, TSK.evidence))
        if not quotes:
            problems.append(f"{node}: no tsk:evidence")
        for quote in quotes:
            if (quote, RDF.type, TSK.Quote) not in g:
                problems.append(f"{node}: evidence {quote} is not a tsk:Quote")
    return problems


def uncovered_sentences(g: rdflib.Graph, text: str) -> list[int]:
    """Sentences of the body (not the title) that no fact node cites."""
    spans = quote_spans(g)
    cited = {spans[q][3] for node in fact_nodes(g) for q in g.objects(node, TSK.evidence) if q in spans}
    return [s.number for s in sentences(text) if s.number > 0 and s.number not in cited]


def undescribed_iris(g: rdflib.Graph) -> list[str]:
    """tskr: IRIs used in a triple but never given a type."""
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(DATA)}
    return sorted(str(t) for t in used if g.value(t, RDF.type) is None)


def bad_dates(g: rdflib.Graph) -> list[str]:
    problems = []
    for prop in DATE_PROPERTIES:
        for node, value in g.subject_objects(prop):
            pattern = DATE_TYPES.get(getattr(value, "datatype", None))
            if pattern is None:
                problems.append(f"{node} {prop}: {value!r} is not one of {sorted(DATE_TYPES)}")
            elif not re.fullmatch(pattern, str(value)):
                problems.append(f"{node} {prop}: {value!r} is not a valid {value.datatype}")
    for node, value in g.subject_objects(TIME.inXSDgYear):
        if getattr(value, "datatype", None) != XSD.gYear or not re.fullmatch(DATE_TYPES[XSD.gYear], str(value)):
            problems.append(f"{node} time:inXSDgYear: {value!r} is not an xsd:gYear")
    return problems


def label_problems(g: rdflib.Graph) -> list[str]:
    problems = []
    subjects = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(DATA)}
    for node in sorted(subjects):
        labels = list(g.objects(node, RDFS.label))
        if len(labels) != 1 or getattr(labels[0], "language", None) != "en":
            problems.append(f"{node}: rdfs:label {labels!r}, wanted exactly one @en")
    for node, alt in g.subject_objects(SKOS.altLabel):
        if not getattr(alt, "language", None):
            problems.append(f"{node}: skos:altLabel {alt!r} has no language tag")
    return problems


def unrecorded_inferences(g: rdflib.Graph) -> list[str]:
    """Every tsk:hasInference names a property the node really has, and every inference is used."""
    problems = []
    for node, inference in g.subject_objects(TSK.hasInference):
        prop = g.value(inference, TSK.inferredProperty)
        if prop is None or g.value(node, prop) is None:
            problems.append(f"{node}: inference {inference} is about {prop}, which the node does not have")
        reason = g.value(inference, TSK.reason)
        if not reason or getattr(reason, "language", None) != "en":
            problems.append(f"{inference}: no English tsk:reason")
    for inference in g.subjects(RDF.type, TSK.Inference):
        if g.value(None, TSK.hasInference, inference) is None:
            problems.append(f"{inference}: no node has this inference")
    return problems


# ---------------------------------------------------------------- the data

def test_graph_files_are_all_there(graph_files):
    assert EXPECTED_FILES <= {p.name for p in graph_files}


def test_every_graph_file_passes_the_strict_gate(graph_files):
    for path in graph_files:
        assert parse_turtle_file(path), f"{path.name} is empty"


def test_source_document_holds_the_article_text(data, source_text):
    texts = list(data.objects(TSKR.article, SCHEMA.text))
    assert len(texts) == 1
    assert str(texts[0]) == source_text
    title = source_text.split("\n", 1)[0]
    assert str(data.value(TSKR.article, SCHEMA.headline)) == title
    assert (TSKR.article, RDF.type, TSK.SourceDocument) in data
    assert (TSKR.article, SCHEMA.author, TSKR["laszlo-szerencses"]) in data
    assert (TSKR.article, SCHEMA.publisher, TSKR.birn) in data
    assert data.value(TSKR.article, SCHEMA.datePublished) is None  # not in the text


def test_there_is_one_quote_per_sentence(data, source_text):
    spans = quote_spans(data)
    for s in sentences(source_text):
        quote = TSKR[f"quote-s{s.number:02d}"]
        assert spans.get(quote) == (s.text, s.start, s.end, s.number), quote


def test_every_quote_is_verbatim_at_its_offsets(data, source_text):
    assert misplaced_quotes(data, source_text) == []


def test_every_fact_node_cites_a_quote(data):
    assert len(fact_nodes(data)) > 60
    assert facts_without_evidence(data) == []


def test_every_sentence_supports_a_fact(data, source_text):
    assert uncovered_sentences(data, source_text) == []


def test_no_tskr_iri_is_left_undescribed(data):
    assert undescribed_iris(data) == []


def test_dates_have_allowed_datatypes(data):
    assert bad_dates(data) == []


def test_labels_one_english_label_and_tagged_native_spellings(data):
    assert label_problems(data) == []
    assert (TSKR["aleksandar-vucic"], SKOS.altLabel, Literal("Aleksandar Vučić", lang="sr-Latn")) in data
    assert (TSKR.erdogan, SKOS.altLabel, Literal("Erdoğan", lang="tr")) in data


def test_inferred_values_are_recorded(data):
    assert unrecorded_inferences(data) == []


def test_the_retraction_retracts_the_october_8_accusation(data):
    retractions = list(data.subjects(RDF.type, TSK.Retraction))
    assert retractions
    for retraction in retractions:
        statement = data.value(retraction, TSK.retracts)
        assert statement is not None
        assert data.value(statement, TSK.date) == Literal("--10-08", datatype=XSD.gMonthDay)
        assert data.value(statement, TSK.quotedText) == Literal("dreaming of restoring the Ottoman Empire", lang="en")
        assert data.value(statement, TSK.speaker) == data.value(retraction, TSK.speaker)
        assert data.value(retraction, TSK.date) == Literal("--10-09", datatype=XSD.gMonthDay)
        assert data.value(retraction, TSK.hasInference) is not None  # "A day later" is read, not stated


def test_inferred_2024_and_stated_2013_dates(data):
    agreement = TSKR["agreement-turkey-kosovo-military-cooperation"]
    assert data.value(agreement, TSK.date) == Literal("2024", datatype=XSD.gYear)
    inference = data.value(agreement, TSK.hasInference)
    assert data.value(inference, TSK.inferredProperty) == TSK.date
    stance = TSKR["stance-serbia-deems-turkey-kosovo-military-agreement-illegal"]
    assert data.value(stance, TSK.stanceOn) == agreement
    assert data.value(stance, TSK.legalBasis) == TSKR["unsc-resolution-1244"]
    backlash = TSKR["event-2013-turkey-serbia-backlash"]
    assert data.value(backlash, TSK.date) == Literal("2013", datatype=XSD.gYear)
    assert data.value(backlash, TSK.hasInference) is None  # "in 2013" is stated


def test_nothing_invented_about_erdogan(data):
    """The article names no office for Erdogan and no first name."""
    assert not list(data.subjects(TSK.holder, TSKR.erdogan))
    assert str(data.value(TSKR.erdogan, RDFS.label)) == "Erdogan"


def test_claims_are_the_authors(data):
    claims = list(data.subjects(RDF.type, TSK.Claim))
    assert len(claims) >= 25
    for claim in claims:
        assert data.value(claim, TSK.claimedBy) == TSKR["laszlo-szerencses"], claim
        assert data.value(claim, TSK.claimKind) is not None, claim


# ---------------------------------------------------------------- server.sources.quotes

def test_sentence_splitting_keeps_closing_quotes_and_questions():
    text = "Title line\nHe said “no”. Then it was “yes.” Why? Because—\nA new paragraph."
    got = [(s.number, s.text) for s in sentences(text)]
    assert got == [
        (0, "Title line"), (1, "He said “no”."), (2, "Then it was “yes.”"), (3, "Why?"),
        (4, "Because—"), (5, "A new paragraph."),
    ]
    for s in sentences(text):
        assert text[s.start:s.end] == s.text


def test_the_article_has_50_sentences_after_its_title(source_text):
    found = sentences(source_text)
    assert len(found) == 51
    assert found[24].text.endswith("“dreaming of restoring the Ottoman Empire”.")
    assert found[8].text == "What happened in the meantime?"
    assert found[50].text.endswith("the views of BIRN.")


def test_locate_finds_a_unique_phrase_and_refuses_others(source_text):
    start, end = locate(source_text, "Kosovo is Turkey, Turkey is Kosovo")
    assert source_text[start:end] == "Kosovo is Turkey, Turkey is Kosovo"
    with pytest.raises(ValueError, match="not found"):
        locate(source_text, "Kosovo is Serbia")
    with pytest.raises(ValueError, match="more than once"):
        locate(source_text, "Kosovo")


def test_the_module_regenerates_the_quotes_of_source_ttl(project, data, shared_dir):
    article = shared_dir / "sources" / "turkey-drone-sales-to-kosovo.txt"
    out = subprocess.run(
        [sys.executable, "-m", "server.sources.quotes", str(article),
         "--phrase", "s05-kosovo-is-turkey", "Kosovo is Turkey, Turkey is Kosovo"],
        cwd=project.root, capture_output=True, text=True, check=True,
    ).stdout
    generated = rdflib.Graph().parse(data=out, format="turtle")
    assert quote_spans(generated).items() <= quote_spans(data).items()
    assert len(quote_spans(generated)) == 52


def test_the_module_says_what_is_wrong_in_one_line(project, tmp_path):
    missing = tmp_path / "missing.txt"
    run = subprocess.run([sys.executable, "-m", "server.sources.quotes", str(missing)],
                         cwd=project.root, capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "missing.txt" in run.stderr


# ---------------------------------------------------------------- the checks catch broken data

def test_checks_catch_broken_data(data, source_text):
    broken = rdflib.Graph()
    for triple in data:
        broken.add(triple)
    # a fact that lost its evidence, a quote at the wrong offsets, an undescribed IRI, a bad date
    fact = TSKR["event-2008-turkey-recognises-kosovo"]
    broken.remove((fact, TSK.evidence, None))
    selector = next(s for s in broken.objects(TSKR["quote-s27"], OA.hasSelector)
                    if (s, RDF.type, OA.TextPositionSelector) in broken)
    broken.set((selector, OA.start, Literal(3302, datatype=XSD.nonNegativeInteger)))
    broken.add((fact, TSK.target, TSKR["no-such-node"]))
    broken.set((fact, TSK.date, Literal("2008-13", datatype=XSD.gYearMonth)))
    broken.add((fact, TSK.hasInference, TSKR["inference-kosovo-purchase-seller"]))  # about tsk:seller
    broken.remove((fact, RDFS.label, None))

    assert facts_without_evidence(broken) == [f"{fact}: no tsk:evidence"]
    assert any("quote-s27" in p for p in misplaced_quotes(broken, source_text))
    assert undescribed_iris(broken) == [str(TSKR["no-such-node"])]
    assert len(bad_dates(broken)) == 1
    assert unrecorded_inferences(broken) == [
        f"{fact}: inference {TSKR['inference-kosovo-purchase-seller']} is about {TSK.seller}, which the node does not have"
    ]
    assert any(str(fact) in p for p in label_problems(broken))
    # with sentence 27's only facts stripped of evidence, coverage notices
    for node in list(broken.subjects(TSK.evidence, TSKR["quote-s27"])):
        broken.remove((node, TSK.evidence, TSKR["quote-s27"]))
    assert uncovered_sentences(broken, source_text) == [27]
