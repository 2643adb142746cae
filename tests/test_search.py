"""Search (/search and server.web.pages.search_index) on the curated graph.

Expected things come from the Turtle sources parsed by rdflib (labels, native spellings, classes) or
from the build's store, never from the index itself; the normalisation is checked against letters
written out here and against unicodedata's own decompositions."""

from __future__ import annotations

import unicodedata

import pytest
import rdflib
from rdflib import RDF, RDFS, SKOS, URIRef

from server.namespaces import DATA, ONTOLOGY
from server.web.pages.search_index import MAX_QUERY_LENGTH, normalise

TSK = rdflib.Namespace(ONTOLOGY)
VUCIC = DATA + "aleksandar-vucic"
VETEVENDOSJE = DATA + "vetevendosje"


@pytest.fixture(scope="module")
def sources(app):
    from server.build import parse_sources
    from server.project import Project

    return parse_sources(Project.locate(app.config["TSKG_ROOT"]))


def search(client, **params) -> dict:
    response = client.get("/search", query_string={"format": "json", **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


# --- normalisation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("written, typed", [
    ("Aleksandar Vučić", "aleksandar vucic"),
    ("Vetëvendosje", "vetevendosje"),
    ("Recep Tayyip Erdoğan", "recep tayyip erdogan"),
    ("Hashim Thaçi", "hashim thaci"),
    ("Đorđe", "dorde"),            # đ has no decomposition: its Unicode name is "D WITH STROKE"
    ("Kılıçdaroğlu", "kilicdaroglu"),  # dotless ı: "LATIN SMALL LETTER DOTLESS I"
    ("İstanbul", "istanbul"),
    ("Straße", "strasse"),
    ("Turkey–Serbia", "turkey serbia"),
    ("  Kosovo's  ", "kosovo s"),
])
def test_normalise_folds_case_and_accents(written, typed):
    assert normalise(written) == typed


def test_normalise_drops_exactly_the_combining_marks():
    """Every Latin letter with a decomposition normalises to its base letter, as unicodedata says."""
    checked = 0
    for code in range(0x00C0, 0x0250):
        char = chr(code)
        decomposed = unicodedata.normalize("NFD", char)
        if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
            assert normalise(char) == decomposed[0].casefold(), char
            checked += 1
    assert checked > 100


# --- what it finds ------------------------------------------------------------------------------------------


def test_vucic_finds_vucic_first(client, sources):
    natives = {str(o) for o in sources.data.objects(URIRef(VUCIC), SKOS.altLabel)}
    assert "Aleksandar Vučić" in natives, "the data should give Vucic's native spelling"
    for typed in ("vucic", "Vučić", "VUČIĆ", "vučic"):
        found = search(client, q=typed)
        assert found["results"][0]["iri"] == VUCIC, typed
        assert found["results"][0]["label"] == str(sources.data.value(URIRef(VUCIC), RDFS.label))
    # By his Cyrillic name too, and by his prefixed name.
    assert search(client, q="Вучић")["results"][0]["iri"] == VUCIC
    assert search(client, q="tskr:aleksandar-vucic")["results"][0] == {
        **search(client, q="tskr:aleksandar-vucic")["results"][0], "iri": VUCIC, "match": "exact"}


def test_vetevendosje_finds_the_party(client, sources):
    native = [str(o) for o in sources.data.objects(URIRef(VETEVENDOSJE), SKOS.altLabel)]
    assert "Vetëvendosje" in native
    top = search(client, q="vetevendosje")["results"][0]
    assert top["iri"] == VETEVENDOSJE and top["match"] == "exact"
    assert (URIRef(VETEVENDOSJE), RDF.type, TSK.PoliticalParty) in sources.data
    assert top["kind"] == "political party", "the kind of thing is its class's label"
    assert top["classes"] == [{"iri": str(TSK.PoliticalParty), "label": "political party"}]


def test_every_labelled_thing_is_found_by_its_label(client, sources):
    """Each individual's English label, typed without accents in lower case, finds it among the first hits."""
    missed = []
    things = sorted({(s, str(o)) for s, o in sources.data.subject_objects(RDFS.label)
                     if str(s).startswith(DATA) and (o.language or "en") == "en"})
    assert len(things) > 250
    for iri, label in things:
        results = search(client, q=normalise(label), limit=100)["results"]
        if str(iri) not in [r["iri"] for r in results]:
            missed.append(label)
    assert not missed


def test_ranking_exact_then_words_then_substring(client, sources):
    found = search(client, q="serbia", limit=100)
    order = {"exact": 0, "prefix": 1, "word": 1, "substring": 2}
    tiers = [order[r["match"]] for r in found["results"]]
    assert tiers == sorted(tiers), "exact hits, then word hits, then substrings"
    assert found["results"][0]["iri"] == DATA + "serbia" and found["results"][0]["match"] == "exact"
    # Within the word hits the shortest names come first: the office before a statement that names Serbia.
    iris = [r["iri"] for r in found["results"]]
    assert iris.index(DATA + "office-president-of-serbia") < iris.index(DATA + "statement-2016-serbia-condemns-coup-plotters")
    # "ser" is a prefix of Serbia and Serbs, and inside "intelligence service"'s words only as a word start.
    prefix = search(client, q="ser", limit=100)["results"]
    assert {r["iri"] for r in prefix[:2]} == {DATA + "serbia", DATA + "serbs"}
    substring = search(client, q="erbia", limit=100)["results"]
    assert substring and all(r["match"] == "substring" for r in substring)
    # Several words in any order.
    assert search(client, q="vucic aleksandar")["results"][0]["iri"] == VUCIC


@pytest.fixture(scope="module")
def store(app):
    return app.extensions["tskg.build"].open_store()


def test_type_filter(client, sources, store):
    persons = {str(s) for s in sources.data.subjects(RDF.type, TSK.Person)}
    assert len(persons) == 6
    listed = search(client, type="tsk:Person", limit=100)
    assert {r["iri"] for r in listed["results"]} == persons, "a type without text lists its things"
    assert [r["label"] for r in listed["results"]] == sorted((r["label"] for r in listed["results"]), key=str.casefold)
    # Inferred types count: a person is an agent; and the full IRI works as the prefixed name does.
    agents = search(client, q="vucic", type=ONTOLOGY + "Agent", limit=100)
    named = {r["iri"] for r in search(client, q="vucic", limit=100)["results"]}
    typed_agent = {r["x"].value for r in store.query(f"SELECT ?x WHERE {{ ?x a <{ONTOLOGY}Agent> }}",
                                                     use_default_graph_as_union=True)}
    assert {r["iri"] for r in agents["results"]} == named & typed_agent
    assert VUCIC in typed_agent and len(named) > len(named & typed_agent), "statements about him are not agents"
    # Repeated: any of the classes.
    either = search(client, type=["tsk:Person", "tsk:State"], limit=100)
    states = {str(s) for s in sources.data.subjects(RDF.type, TSK.State)}
    assert {r["iri"] for r in either["results"]} == persons | states


def test_json_shape_and_bounds(client):
    found = search(client, q="a", limit=5)
    assert set(found) == {"query", "types", "total", "count", "results"}
    assert found["count"] == len(found["results"]) == 5 < found["total"]
    for hit in found["results"]:
        assert set(hit) == {"iri", "label", "curie", "href", "match", "matched", "lang", "kind", "classes"}
        assert hit["href"].startswith("/")
    assert len(search(client, q="e")["results"]) == 20, "20 hits unless asked"
    native = next(h for h in search(client, q="vučić")["results"] if h["iri"] == VUCIC)
    assert native["matched"] == "Aleksandar Vučić" and native["lang"] == "sr-latn"


def test_html_page(client):
    page = client.get("/search?q=vucic", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<a href="/page/aleksandar-vucic">Aleksandar Vucic</a>' in page
    assert 'value="vucic"' in page, "the box keeps the text"
    by_accept = client.get("/search?q=vucic", headers={"Accept": "application/json"})
    assert by_accept.mimetype == "application/json" and by_accept.headers["Vary"] == "Accept"
    assert client.get("/search").status_code == 200, "the page without a query"
    empty = client.get("/search?q=zzzzqqq").get_data(as_text=True)
    assert "Nothing found" in empty


@pytest.mark.parametrize("params, status, said", [
    ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, 400, f"at most {MAX_QUERY_LENGTH}"),
    ({"q": "vucic", "type": "tsk:Persn"}, 400, "did you mean tsk:Person"),
    ({"q": "vucic", "limit": "0"}, 400, "from 1 to 100"),
    ({"q": "vucic", "limit": "1000"}, 400, "from 1 to 100"),
    ({"q": "vucic", "limit": "-1"}, 400, "from 1 to 100"),
    ({"q": "vucic", "format": "xml"}, 400, "use json or html"),
    ({"q": ""}, 400, "give q"),
])
def test_bad_input_is_a_clear_400(client, params, status, said):
    response = client.get("/search", query_string={"format": "json", **params})
    assert response.status_code == status
    assert said in response.get_data(as_text=True)


@pytest.mark.parametrize("text", [
    "\x00", "'; DROP TABLE x; --", "<script>alert(1)</script>", "?x ?y ?z } UNION {", "\\u0000", "%00",
    "\u202e\u0301\u0301", "💥" * 50, "a" * MAX_QUERY_LENGTH, "   ", "((((((((((", "*", ".*", "\ud7ff",
])
def test_hostile_queries_never_fail(client, text):
    for fmt in ("json", "html"):
        response = client.get("/search", query_string={"q": text, "format": fmt})
        assert response.status_code in (200, 400), (text, response.status_code)
    page = client.get("/search", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_every_page_has_the_search_box(client):
    for path in ("/", "/ontology.html", "/queries?format=html", "/queries/actor-offices?format=html",
                 "/page/serbia", "/query", "/search", "/id/no-such-thing?format=html"):
        page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'role="search"' in page and 'id="site-search"' in page, path
        assert '<label for="site-search"' in page, path
