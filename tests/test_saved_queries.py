"""Saved queries: the queries/ folder, its grlc-style decorators and typed parameters, and
/queries, /queries/<name> and /openapi.json on a real server on loopback.

The expected results come from the source article (which events, offices, agreements,
dates and words it gives), not from whatever the queries happen to return.
"""

from __future__ import annotations

import csv
import html
import io
import json
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from server.store.saved_queries import ParameterError, SavedQueryError, load_folder, load_query, parse_query

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = REPO_ROOT / "queries"
TSK = "https://w3id.org/tskg/ontology#"
TSKC = "https://w3id.org/tskg/concept/"
TSKR = "https://w3id.org/tskg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPARQL_JSON = "application/sparql-results+json"

QUERIES = load_folder(QUERIES_DIR)


# --- helpers ---------------------------------------------------------------------------------------------


def get(live_server, name: str, params: dict | None = None, accept: str = SPARQL_JSON, **kwargs) -> requests.Response:
    return requests.get(f"{live_server.url}/queries/{name}", params=params or {}, headers={"Accept": accept},
                        timeout=60, **kwargs)


def bindings(live_server, name: str, **params) -> list[dict]:
    """The rows of a saved query as SPARQL JSON bindings (type, value, datatype, xml:lang)."""
    response = get(live_server, name, params)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def rows(live_server, name: str, **params) -> list[dict[str, str]]:
    """The rows with plain values (IRIs and lexical forms)."""
    return [{k: v["value"] for k, v in b.items()} for b in bindings(live_server, name, **params)]


def index_of(found: list[dict], key: str, value: str) -> int:
    for i, row in enumerate(found):
        if row.get(key) == value:
            return i
    raise AssertionError(f"no row with {key} = {value!r} in {[r.get(key) for r in found]}")


def sparql_ask(live_server, query: str) -> bool:
    response = requests.get(f"{live_server.url}/sparql", params={"query": query},
                            headers={"Accept": SPARQL_JSON}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


# --- the folder ----------------------------------------------------------------------------------------


def test_at_least_fifteen_documented_queries():
    assert len(QUERIES) >= 15
    for query in QUERIES.values():
        assert query.title and query.description, query.path
        assert query.tags, f"{query.path}: no #+ tags"
        assert len(query.description) > len(query.title), f"{query.path}: the description should say more than the title"


@pytest.mark.parametrize("path", sorted(QUERIES_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_every_query_file_parses_with_pyoxigraph(path):
    text = path.read_text(encoding="utf-8")
    # An empty store: pyoxigraph parses the whole query (raising SyntaxError) before it finds nothing.
    result = ox.Store().query(text)
    answer = bool(result) if isinstance(result, ox.QueryBoolean) else list(result)
    assert answer in (False, []), "an empty store has no answers"
    query = load_query(path)
    assert query.name == path.stem
    assert query.kind in ("select", "construct", "describe", "ask")


@pytest.mark.parametrize("name", sorted(QUERIES), ids=str)
def test_parameters_follow_grlc_conventions(name):
    """grlc takes the name between the underscores of ?_name_type, and replaces the ?-spelling in the
    text; a SELECT projects each parameter (pyoxigraph binds only projected variables) with a $."""
    query = QUERIES[name]
    for p in query.parameters:
        assert "_" not in p.name
        assert p.variable.lstrip("_").startswith(p.name)
        if query.kind == "select":
            head = query.query.split("WHERE")[0]
            assert f"${p.variable}" in head, f"{name}: project ${p.variable} in the SELECT clause"
        if p.default is not None:
            p.parse(p.default)  # a default fits its own type


@pytest.mark.parametrize("name", sorted(QUERIES), ids=str)
def test_the_folder_works_with_grlc(name):
    """grlc parses a query with rdflib, then replaces each ?_param spelling in the text with the value
    written as a term. Both the query and the rewritten text must parse with rdflib and pyoxigraph."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    query = QUERIES[name]
    translateQuery(parseQuery(query.text))
    rewritten = query.text
    for p in query.parameters:
        value = p.default or (p.enum[0] if p.enum else TSKR + "x" if p.type == "iri" else "x")
        rewritten = rewritten.replace(f"?{p.variable}", str(p.parse(value)))
        assert f"?{p.variable}" not in rewritten
    translateQuery(parseQuery(rewritten))
    ox.Store().query(rewritten)


def test_enumerated_event_types_are_the_schemes_concepts(live_server):
    query = QUERIES["events-by-type"]
    enumerated = set(query.parameter("type").enum)
    concepts = {r["c"] for r in _sparql_select(live_server, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/tskg/concept/event-types> }""")}
    used = {r["t"] for r in _sparql_select(live_server, """
        PREFIX tsk: <https://w3id.org/tskg/ontology#>
        SELECT DISTINCT ?t WHERE { ?e tsk:eventType ?t }""")}
    assert enumerated <= concepts, f"not event types: {sorted(enumerated - concepts)}"
    assert used <= enumerated, f"event types in the data missing from the enumeration: {sorted(used - enumerated)}"
    sectors = {r["c"] for r in _sparql_select(live_server, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/tskg/concept/sectors> }""")}
    assert set(QUERIES["economic-stakes"].parameter("sector").enum) <= sectors
    kinds = {r["c"] for r in _sparql_select(live_server, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/tskg/concept/claim-kinds> }""")}
    assert set(QUERIES["author-claims"].parameter("kind").enum) == kinds


def _sparql_select(live_server, query: str) -> list[dict[str, str]]:
    response = requests.get(f"{live_server.url}/sparql", params={"query": query},
                            headers={"Accept": SPARQL_JSON}, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# --- parsing and binding (no server) -------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "q") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


GRLC_QUERY = """\
#+ summary: Offices of a person
#+ description: >
#+   Every tenure of the person,
#+   over two lines.
#+ tags:
#+   - people
#+ defaults:
#+   - person: https://w3id.org/tskg/id/hashim-thaci
#+   - year: 2018
#+ enumerate:
#+   - lang:
#+     - en
#+     - sq
#+ params:
#+   - person: The person
PREFIX tsk: <https://w3id.org/tskg/ontology#>
# a comment naming ?_notaparam_iri is no parameter, nor is "?_inastring"
SELECT $_person_iri $__year_xsd_gYear $__n_integer $__label_en $__lang $__x_number ?t WHERE {
  ?t tsk:holder ?_person_iri ; tsk:attestedDate ?__year_xsd_gYear .
  OPTIONAL { ?t tsk:rank ?__n_integer } OPTIONAL { ?t tsk:label ?__label_en } OPTIONAL { ?t tsk:l ?__lang }
  OPTIONAL { ?t tsk:x ?__x_number }
}
"""


def test_grlc_decorators_and_parameter_types(tmp_path):
    query = load_query(_write(tmp_path, GRLC_QUERY, "offices"))
    assert query.name == "offices"
    assert query.title == "Offices of a person"
    assert query.description == "Every tenure of the person, over two lines."
    assert query.tags == ("people",)
    params = {p.name: p for p in query.parameters}
    assert set(params) == {"person", "year", "n", "label", "lang", "x"}
    assert params["person"].type == "iri" and params["person"].required
    assert params["person"].default == "https://w3id.org/tskg/id/hashim-thaci"
    assert params["person"].description == "The person"
    assert params["year"].datatype == XSD + "gYear" and not params["year"].required
    assert params["year"].default == "2018"  # YAML reads 2018 as a number; parameters keep text
    assert params["n"].datatype == XSD + "integer"
    assert params["label"].lang == "en"
    assert params["lang"].type == "string" and params["lang"].enum == ("en", "sq")
    assert params["x"].type == "number"


def test_bindings_are_typed_terms(tmp_path):
    query = load_query(_write(tmp_path, GRLC_QUERY))
    bound = query.bindings({"person": "tskr:aleksandar-vucic", "n": "007", "label": "x", "x": "1.5"})
    assert bound["_person_iri"] == ox.NamedNode(TSKR + "aleksandar-vucic")
    assert bound["__year_xsd_gYear"] == ox.Literal("2018", datatype=ox.NamedNode(XSD + "gYear"))  # the default
    assert bound["__n_integer"] == ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))  # canonical form
    assert bound["__label_en"] == ox.Literal("x", language="en")
    assert bound["__x_number"] == ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal"))
    assert "__lang" not in bound  # optional, no default, not given: a free variable
    assert query.bindings({"person": "<https://example.org/a>"})["_person_iri"] == ox.NamedNode("https://example.org/a")
    assert query.bindings({"person": ""})["_person_iri"] == ox.NamedNode(TSKR + "hashim-thaci")  # empty field


@pytest.mark.parametrize("values, message", [
    ({"person": '"} ; DROP ALL ; #'}, "parameter 'person'"),
    ({"person": "> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o"}, "not an IRI"),
    ({"person": "not an iri"}, "not an IRI"),
    ({"year": "2018-01-01"}, "not a valid xsd:gYear"),
    ({"year": '2018"^^<x> } SERVICE'}, "not a valid xsd:gYear"),
    ({"n": "1.5"}, "not a valid xsd:integer"),
    ({"x": "1e"}, "not a number"),
    ({"lang": "de"}, "is not one of: en, sq"),
    ({"persn": "x"}, "unknown parameter 'persn'"),
])
def test_bad_values_are_refused_with_the_reason(tmp_path, values, message):
    query = load_query(_write(tmp_path, GRLC_QUERY))
    with pytest.raises(ParameterError) as err:
        query.bindings(values)
    assert message in err.value.message
    assert "\n" not in err.value.message


def test_a_required_parameter_without_default_must_be_given(tmp_path):
    query = load_query(_write(tmp_path, "#+ summary: s\n#+ description: d d\nSELECT $_who_iri WHERE { ?_who_iri ?p ?o }\n"))
    with pytest.raises(ParameterError, match="parameter 'who' \\(IRI\\) is required"):
        query.bindings({})


@pytest.mark.parametrize("text, message", [
    ("SELECT ?s WHERE { ?s ?p ?o }\n", "no title"),
    ("#+ summary: s\nSELECT ?s WHERE { ?s ?p ?o }\n", "no description"),
    ("#+ summary: [unclosed\n#+ description: d\nSELECT ?s WHERE { ?s ?p ?o }\n", "not valid YAML"),
    ("#+ summary: s\n#+ description: d\n#+ defaults:\n#+   - s: not an iri\nSELECT $_s_iri WHERE { ?_s_iri ?p ?o }\n",
     "default or enumerated value does not fit"),
    ("#+ summary: s\n#+ description: d\n#+ defaults:\n#+   - t: 1\nSELECT $_s_iri WHERE { ?_s_iri ?p ?o }\n",
     "not a parameter of the query"),
    ("#+ summary: s\n#+ description: d\n#+ enumerate:\n#+   - s\nSELECT $_s_iri WHERE { ?_s_iri ?p ?o }\n",
     "must list its values"),
    ("#+ summary: s\n#+ description: d\nSELECT $_s_foo_bar WHERE { ?x ?p ?_s_foo_bar }\n", "unknown prefix 'foo'"),
    ("#+ summary: s\n#+ description: d\nnothing to see\n", "not a SELECT"),
])
def test_broken_query_files_are_reported_by_name(tmp_path, text, message):
    path = _write(tmp_path, text, "broken")
    with pytest.raises(SavedQueryError) as err:
        load_query(path)
    assert message in str(err.value)
    assert "broken.rq" in str(err.value)


def test_decorator_lines_stay_in_the_query_so_error_positions_match_the_file(tmp_path):
    query = parse_query("#+ summary: s\n#+ description: d\nSELECT ?s WHERE { ?s ?p ?o }\n", tmp_path / "x.rq")
    assert query.query.startswith("#+ summary: s")


# --- /queries --------------------------------------------------------------------------------------------


def test_the_list_in_json(live_server):
    for kwargs in ({"headers": {"Accept": "application/json"}}, {"params": {"format": "json"}}):
        response = requests.get(f"{live_server.url}/queries", timeout=30, **kwargs)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        listing = response.json()
        assert listing["count"] == len(QUERIES)
        assert {q["name"] for q in listing["queries"]} == set(QUERIES)
        for entry in listing["queries"]:
            assert entry["title"] == QUERIES[entry["name"]].title
            assert entry["description"] and entry["tags"]
            assert entry["url"].endswith(f"/queries/{entry['name']}")
    offices = next(q for q in listing["queries"] if q["name"] == "actor-offices")
    assert offices["parameters"] == [{
        "name": "person", "variable": "_person_iri", "required": True, "type": "iri", "datatype": None,
        "lang": None, "default": TSKR + "hashim-thaci", "enum": [],
        "description": QUERIES["actor-offices"].parameter("person").description,
    }]


def test_the_list_in_html(live_server):
    response = requests.get(f"{live_server.url}/queries", headers={"Accept": "text/html,*/*;q=0.8"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    page = html.unescape(response.text)
    for query in QUERIES.values():
        assert query.title in page
        assert f'href="/queries/{query.name}"' in page


def test_every_query_answers_with_its_defaults(live_server):
    for name, query in QUERIES.items():
        accept = "application/n-triples" if query.result_kind == "graph" else SPARQL_JSON
        response = get(live_server, name, accept=accept)
        assert response.status_code == 200, f"{name}: {response.text}"
        if query.result_kind == "graph":
            assert list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)), name
        else:
            assert response.json()["results"]["bindings"], f"{name} returned no rows"


# --- expected results, from the article ------------------------------------------------------------------


def test_timeline_turkey_serbia(live_server):
    found = rows(live_server, "timeline-turkey-serbia")
    remark = index_of(found, "event", TSKR + "statement-2013-erdogan-prizren-remark")
    backlash = index_of(found, "event", TSKR + "event-2013-turkey-serbia-backlash")
    council = index_of(found, "event", TSKR + "event-2017-turkey-serbia-establish-high-level-cooperation-council")
    defence = index_of(found, "event", TSKR + "event-2019-serbia-turkey-sign-defence-cooperation-agreement")
    industry = index_of(found, "event", TSKR + "event-2024-turkey-serbia-announce-defence-industry-cooperation")
    accusation = index_of(found, "event", TSKR + "statement-vucic-accuses-turkey-ottoman-empire")
    retraction = index_of(found, "event", TSKR + "retraction-vucic-ottoman-empire-accusation")
    # 2013 remark (and the backlash it caused) < 2017 council < 2019 agreement < 2024 announcement
    # < October 8 accusation < its retraction a day later (month and day only: the week of writing).
    delivery = index_of(found, "event", TSKR + "event-drone-delivery-to-kosovo")
    assert remark < backlash < council < defence < industry < accusation < retraction
    # This week's drone delivery has no date, but it caused the October 8 accusation: just before it.
    assert delivery == accusation - 1 and found[delivery]["role"] == "cause"
    assert found[remark]["role"] == "cause"  # the remark is Erdogan's about Kosovo; it caused the backlash
    assert found[backlash]["role"] == "relations"
    assert (found[remark]["date"], found[remark]["precision"]) == ("2013", "gYear")
    assert (found[council]["date"], found[defence]["date"], found[industry]["date"]) == ("2017", "2019", "2024")
    assert (found[accusation]["date"], found[accusation]["precision"]) == ("--10-08", "gMonthDay")
    assert found[retraction]["date"] == "--10-09"
    # Not Turkey–Serbia: Turkey's 2008 recognition of Kosovo.
    assert TSKR + "event-2008-turkey-recognises-kosovo" not in {r["event"] for r in found}


def test_timeline_turkey_kosovo(live_server):
    found = rows(live_server, "timeline-turkey-kosovo")
    recognition = index_of(found, "event", TSKR + "event-2008-turkey-recognises-kosovo")
    visits = index_of(found, "event", TSKR + "event-thaci-erdogan-visits-early-2010s")
    remark = index_of(found, "event", TSKR + "statement-2013-erdogan-prizren-remark")
    deportation = index_of(found, "event", TSKR + "event-2018-deportation-of-six-turkish-citizens")
    signing = index_of(found, "event", TSKR + "event-2024-turkey-kosovo-sign-military-cooperation-agreement")
    # 2008 recognition < visits in the early 2010s < 2013 remark < 2018 deportation < 2024 agreement
    assert recognition < visits < remark < deportation < signing
    assert found[visits]["period"] == "the early 2010s" and "date" not in found[visits]
    assert found[signing]["date"] == "2024"
    assert TSKR + "event-2017-turkey-serbia-establish-high-level-cooperation-council" not in {r["event"] for r in found}


def test_office_holders(live_server):
    found = rows(live_server, "office-holders")
    tenures = {(r["holder"], r["office"]): r for r in found}
    # The four offices the article names: "Serbian President Aleksandar Vucic", "then prime minister Hashim
    # Thaci" (early 2010s), Thaci "who approved the operation as president" and "Haradinaj, then prime
    # minister" (both at the 2018 deportation). Erdogan's office is never named.
    assert set(tenures) == {
        (TSKR + "aleksandar-vucic", TSKR + "office-president-of-serbia"),
        (TSKR + "hashim-thaci", TSKR + "office-prime-minister-of-kosovo"),
        (TSKR + "hashim-thaci", TSKR + "office-president-of-kosovo"),
        (TSKR + "ramush-haradinaj", TSKR + "office-prime-minister-of-kosovo"),
    }
    assert tenures[(TSKR + "hashim-thaci", TSKR + "office-prime-minister-of-kosovo")]["period"] == "the early 2010s"
    assert tenures[(TSKR + "hashim-thaci", TSKR + "office-president-of-kosovo")]["attested"] == "2018"
    assert tenures[(TSKR + "ramush-haradinaj", TSKR + "office-prime-minister-of-kosovo")]["attested"] == "2018"
    assert tenures[(TSKR + "aleksandar-vucic", TSKR + "office-president-of-serbia")]["of"] == TSKR + "serbia"
    # The article does not say whose prime minister Haradinaj was: Kosovo is inferred, and marked so.
    assert "office" in tenures[(TSKR + "ramush-haradinaj", TSKR + "office-prime-minister-of-kosovo")]["inferred"]


def test_actor_offices(live_server):
    thaci = rows(live_server, "actor-offices")  # the default person
    assert {r["office"] for r in thaci} == {TSKR + "office-prime-minister-of-kosovo", TSKR + "office-president-of-kosovo"}
    assert all(r["_person_iri"] == TSKR + "hashim-thaci" for r in thaci)
    # prime minister in the early 2010s, then president at the 2018 deportation
    assert [r["office"] for r in thaci] == [TSKR + "office-prime-minister-of-kosovo", TSKR + "office-president-of-kosovo"]
    vucic = rows(live_server, "actor-offices", person="tskr:aleksandar-vucic")
    assert [r["office"] for r in vucic] == [TSKR + "office-president-of-serbia"]
    assert "2" in vucic[0]["sentences"].split(", ")  # "Serbian President Aleksandar Vucic" is sentence 2
    assert rows(live_server, "actor-offices", person=TSKR + "erdogan") == []  # no office named for him


def test_agreements(live_server):
    found = {r["agreement"]: r for r in rows(live_server, "agreements")}
    expected = {
        # agreement: (parties, date, status) as the article gives them
        "agreement-turkey-serbia-high-level-cooperation-council": ({"Turkey", "Serbia"}, "2017", "established"),
        "agreement-serbia-turkey-defence-cooperation": ({"Turkey", "Serbia"}, "2019", "signed"),
        "agreement-turkey-serbia-defence-industry-cooperation": ({"Turkey", "Serbia"}, "2024", "announced"),
        "agreement-turkey-kosovo-military-cooperation": ({"Turkey", "Kosovo"}, "2024", "signed"),
        "agreement-kosovo-mke-ammunition-factory":
            ({"Kosovo", "Mechanical and Chemical Industry Corporation"}, None, "agreed"),
    }
    assert set(found) == {TSKR + name for name in expected}
    for name, (parties, date, status) in expected.items():
        row = found[TSKR + name]
        assert set(row["parties"].split(", ")) == parties, name
        assert row.get("date") == date, name
        assert row["status"] == status, name
    # "The following year" after 2023: the 2024 date is read from context, and says so.
    assert found[TSKR + "agreement-turkey-kosovo-military-cooperation"]["dateInferred"] == "true"
    assert found[TSKR + "agreement-serbia-turkey-defence-cooperation"]["dateInferred"] == "false"
    assert found[TSKR + "agreement-kosovo-mke-ammunition-factory"]["establishes"] .startswith("ammunition factory")
    dates = [r.get("date", "~") for r in rows(live_server, "agreements")]
    assert dates == sorted(dates)  # in date order, undated last


def test_stances_on_agreements_and_their_legal_basis(live_server):
    found = rows(live_server, "agreement-stances")
    # One stance on an agreement in the article: Belgrade deems the 2024 Turkey–Kosovo military cooperation
    # agreement illegal under UN Security Council Resolution 1244 (sentence 42).
    assert len(found) == 1
    row = found[0]
    assert row["agreement"] == TSKR + "agreement-turkey-kosovo-military-cooperation"
    assert row["holder"] == TSKR + "serbia"
    assert row["legalBasis"] == TSKR + "unsc-resolution-1244"
    assert "1244" in row["legalBasisLabel"]
    assert "illegal" in row["position"]
    assert row["sentences"] == "42"
    assert set(row["parties"].split(", ")) == {"Turkey", "Kosovo"}


def test_retractions(live_server):
    found = bindings(live_server, "retractions")
    assert len(found) == 1  # Vucic's, "a day later"
    row = found[0]
    assert row["statement"]["value"] == TSKR + "statement-vucic-accuses-turkey-ottoman-empire"
    assert row["retraction"]["value"] == TSKR + "retraction-vucic-ottoman-empire-accusation"
    assert row["statementDate"] == {"type": "literal", "value": "--10-08", "datatype": XSD + "gMonthDay"}
    assert row["retractionDate"]["value"] == "--10-09"  # October 8 + "a day later"
    assert row["statementQuote"]["value"] == "dreaming of restoring the Ottoman Empire"
    assert row["retractionQuote"]["value"] == "the closest"
    assert row["speakerLabel"]["value"] == row["retractedByLabel"]["value"] == "Aleksandar Vucic"


def test_the_sentences_behind_a_fact(live_server, source_text):
    found = rows(live_server, "fact-sources")  # default: the Turkey–Kosovo military cooperation agreement
    assert {r["sentence"] for r in found} == {"42"}
    for row in found:
        start, end = int(row["start"]), int(row["end"])
        assert source_text[start:end] == row["exact"]  # offsets are code points into the article
    exacts = [r["exact"] for r in found]
    assert "The following year" in exacts  # the words the 2024 date is read from
    assert any(e.startswith("The following year, Turkey and Kosovo signed a military cooperation agreement") for e in exacts)

    retraction = rows(live_server, "fact-sources", fact="tskr:retraction-vucic-ottoman-empire-accusation")
    assert "25" in {r["sentence"] for r in retraction}
    assert "A day later" in {r["exact"] for r in retraction}
    for row in retraction:
        assert source_text[int(row["start"]):int(row["end"])] == row["exact"]


def test_facts_supported_by_a_sentence(live_server, source_text):
    found = rows(live_server, "sentence-facts")  # sentence 42
    facts = {r["fact"] for r in found}
    assert {
        TSKR + "agreement-turkey-kosovo-military-cooperation",
        TSKR + "event-2024-turkey-kosovo-sign-military-cooperation-agreement",
        TSKR + "stance-serbia-deems-turkey-kosovo-military-agreement-illegal",
    } <= facts
    sentence = found[0]["sentenceText"]
    assert sentence.startswith("The following year, Turkey and Kosovo signed") and sentence.endswith("Resolution 1244.")
    assert sentence in source_text
    assert len(facts) == len(found)  # one row per fact
    # Sentence 24: the October 8 accusation; "024" is the same number.
    assert TSKR + "statement-vucic-accuses-turkey-ottoman-empire" in {r["fact"] for r in rows(live_server, "sentence-facts", sentence="024")}


def test_author_claims(live_server):
    found = rows(live_server, "author-claims")
    assert {r["claimedBy"] for r in found} == {"Laszlo Szerencses"}
    kinds = {r["claimKind"] for r in found}
    assert {"judgement", "explanation", "prediction"} <= kinds
    predictions = rows(live_server, "author-claims", kind="tskc:claim-prediction")
    assert {r["claimKind"] for r in predictions} == {"prediction"}
    by_sentence = {r["sentence"]: r for r in predictions}
    # "the issue will not cause a lasting rift" (3) is about the drone shipment; "will endure" (48).
    assert {"3", "48"} <= set(by_sentence)
    assert TSKR + "event-drone-delivery-to-kosovo" in {r.get("fact") for r in predictions if r["sentence"] == "3"}


def test_events_by_type(live_server):
    signed = rows(live_server, "events-by-type", type="tskc:event-sign-agreement")
    # The article's two signings: 2019 (Serbia and Turkey) and "the following year" 2024 (Turkey and Kosovo).
    assert [r["event"] for r in signed] == [
        TSKR + "event-2019-serbia-turkey-sign-defence-cooperation-agreement",
        TSKR + "event-2024-turkey-kosovo-sign-military-cooperation-agreement",
    ]
    assert {r["code"] for r in signed} == {"057"}  # CAMEO: sign formal agreement
    material = {r["event"] for r in rows(live_server, "events-by-type")}  # default: material cooperation
    assert {  # narrower types come too: purchases, deliveries, military cooperation
        TSKR + "event-kosovo-purchases-drones-and-military-vehicles",
        TSKR + "event-drone-delivery-to-kosovo",
        TSKR + "event-turkey-serbia-defence-ties",
    } <= material
    assert TSKR + "event-2019-serbia-turkey-sign-defence-cooperation-agreement" not in material


def test_events_in_a_year(live_server):
    in_2016 = rows(live_server, "events-in-year")  # default 2016
    assert {
        TSKR + "event-2016-turkey-coup-attempt",
        TSKR + "event-2016-kosovo-applies-for-interpol-membership",
        TSKR + "statement-2016-serbia-condemns-coup-plotters",
    } <= {r["event"] for r in in_2016}
    assert all(r["date"].startswith("2016") for r in in_2016)
    in_2024 = {r["event"]: r for r in rows(live_server, "events-in-year", year="2024")}
    assert {
        TSKR + "event-2024-turkey-kosovo-sign-military-cooperation-agreement",
        TSKR + "event-2024-turkey-serbia-announce-defence-industry-cooperation",
    } <= set(in_2024)
    assert in_2024[TSKR + "event-2024-turkey-kosovo-sign-military-cooperation-agreement"]["dateInferred"] == "true"
    assert rows(live_server, "events-in-year", year="1999") == []


def test_defence_cooperation_and_arms_transfers(live_server):
    found = {r["fact"]: r for r in rows(live_server, "defence-cooperation")}
    assert {
        TSKR + "agreement-serbia-turkey-defence-cooperation",
        TSKR + "agreement-turkey-kosovo-military-cooperation",
        TSKR + "agreement-kosovo-mke-ammunition-factory",
        TSKR + "event-turkey-contributes-troops-to-kfor",
    } <= set(found)
    delivery = found[TSKR + "event-drone-delivery-to-kosovo"]
    assert (delivery["buyer"], delivery["seller"], delivery["sellerInferred"]) == ("Kosovo", "Turkey", "false")
    purchase = found[TSKR + "event-kosovo-purchases-drones-and-military-vehicles"]
    # "Pristina purchased drones and military vehicles": the seller is not named, Turkey is read from context.
    assert (purchase["buyer"], purchase["seller"], purchase["sellerInferred"]) == ("Kosovo", "Turkey", "true")
    assert "military vehicles" in purchase["items"]
    acquisition = found[TSKR + "event-2023-kosovo-acquires-bayraktar-tb2"]
    assert acquisition["date"] == "2023" and "seller" not in acquisition and "Bayraktar TB2" in acquisition["items"]


def test_economic_stakes(live_server):
    found = {r["stake"]: r for r in rows(live_server, "economic-stakes")}  # all sectors
    magnitude = {name: found[TSKR + name].get("magnitude") for name in (
        "stake-turkish-companies-kosovo-airport", "stake-turkish-companies-kosovo-electricity-distribution",
        "stake-turkish-companies-kosovo-banking", "stake-turkey-fdi-in-serbia")}
    # "major stakes in Kosovo's economy: from the airport and electricity distribution to a significant share
    # of the banking sector"; Turkey's FDI in Serbia "is modest, ranking around 15th".
    assert magnitude == {
        "stake-turkish-companies-kosovo-airport": "major",
        "stake-turkish-companies-kosovo-electricity-distribution": "major",
        "stake-turkish-companies-kosovo-banking": "a significant share",
        "stake-turkey-fdi-in-serbia": "modest",
    }
    assert found[TSKR + "stake-turkey-fdi-in-serbia"]["rank"] == "15"
    banking = rows(live_server, "economic-stakes", sector="tskc:sector-banking")
    assert [r["stake"] for r in banking] == [TSKR + "stake-turkish-companies-kosovo-banking"]


def test_memberships_and_leaders(live_server):
    found = rows(live_server, "memberships")
    assert found[0]["organisationClass"] == TSK + "PoliticalParty"  # parties first
    pairs = {(r["member"], r["organisation"]): r for r in found}
    leader = pairs[(TSKR + "ramush-haradinaj", TSKR + "alliance-for-the-future-of-kosovo")]
    assert leader["role"] == "leader" and leader["roleInferred"] == "true"  # "Haradinaj's ... party"
    alleged = pairs[(TSKR + "six-turkish-citizens", TSKR + "gulen-movement")]
    assert alleged["alleged"] == "true" and alleged["sentence"] == "34"  # "allegedly members of the Gulen movement"
    assert pairs[(TSKR + "fethullah-gulen", TSKR + "gulen-movement")]["role"] == "founder"
    assert pairs[(TSKR + "alliance-for-the-future-of-kosovo", TSKR + "kosovo-liberation-army")]["role"] == "faction"


def test_what_reasoning_adds(live_server):
    found = {r["predicate"]: r for r in rows(live_server, "reasoning-by-predicate")}
    assert int(found["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]["aboutData"]) > 0
    # Kosovo is the buyer in the article's three transfers (2023 acquisition, purchase, this week's
    # drones): three schema:buyer triples, all inferred from tsk:buyer.
    assert found["https://schema.org/buyer"]["triples"] == "3"
    counts = [int(r["triples"]) for r in rows(live_server, "reasoning-by-predicate")]
    assert counts == sorted(counts, reverse=True)
    direct = _sparql_select(live_server, """SELECT (COUNT(*) AS ?n) WHERE {
        GRAPH <https://w3id.org/tskg/graph/inferred> { ?s <http://www.w3.org/2004/02/skos/core#broader> ?o } }""")
    assert found.get("http://www.w3.org/2004/02/skos/core#broader", {"triples": "0"})["triples"] == direct[0]["n"]


def test_inferred_types(live_server):
    found = rows(live_server, "inferred-types")  # default: Vucic
    asserted = {r["class"] for r in found if r["source"] == "asserted"}
    inferred = {r["class"] for r in found if r["source"] == "inferred"}
    assert asserted == {TSK + "Person"}
    assert {"http://xmlns.com/foaf/0.1/Person", "https://schema.org/Person", "http://www.w3.org/ns/prov#Person",
            TSK + "Agent"} <= inferred
    state = rows(live_server, "inferred-types", entity="tskr:kosovo")
    assert "https://schema.org/Country" in {r["class"] for r in state if r["source"] == "inferred"}


def test_values_inferred_from_context(live_server):
    found = rows(live_server, "inferred-values")
    by_node = {(r["node"], r["property"]): r for r in found}
    date = by_node[(TSKR + "agreement-turkey-kosovo-military-cooperation", TSK + "date")]
    assert date["value"] == "2024" and "following year" in date["reason"].lower()
    assert "42" in date["sentences"].split(", ")
    retraction = by_node[(TSKR + "retraction-vucic-ottoman-empire-accusation", TSK + "date")]
    assert retraction["value"] == "--10-09" and "day later" in retraction["reason"].lower()
    author = by_node[(TSKR + "article", "https://schema.org/author")]  # no byline: read from the author note
    assert author["value"] == TSKR + "laszlo-szerencses"


def test_actors_and_how_often_they_appear(live_server):
    found = rows(live_server, "actors-mentions")
    # The article is about three states; they are the most mentioned actors.
    assert {r["actor"] for r in found[:3]} == {TSKR + "turkey", TSKR + "serbia", TSKR + "kosovo"}
    sentences = [int(r["sentences"]) for r in found]
    assert sentences == sorted(sentences, reverse=True) and min(sentences) >= 1
    by_actor = {r["actor"]: r for r in found}
    assert int(by_actor[TSKR + "aleksandar-vucic"]["sentences"]) > int(by_actor[TSKR + "interpol"]["sentences"])


def test_schema_org_only_query_works_thanks_to_reasoning(live_server):
    found = {r["event"]: r for r in rows(live_server, "schema-org-transfers")}
    assert {r["buyer"] for r in found.values()} == {TSKR + "kosovo"}
    delivery = found[TSKR + "event-drone-delivery-to-kosovo"]
    assert delivery["seller"] == TSKR + "turkey" and delivery["location"] == TSKR + "pristina"
    assert "seller" not in found[TSKR + "event-2023-kosovo-acquires-bayraktar-tb2"]  # the seller is not named
    # None of the schema.org terms the query uses is written in the data.
    assert not sparql_ask(live_server, """PREFIX schema: <https://schema.org/>
        ASK { GRAPH <https://w3id.org/tskg/graph/asserted> { { ?e schema:buyer ?b } UNION { ?b a schema:Country }
              UNION { ?e a schema:Event } } }""")


def test_foaf_and_schema_org_people(live_server):
    found = {r["person"]: r for r in rows(live_server, "people-foaf-schema")}
    # The six people the article names.
    assert set(found) == {TSKR + n for n in ("aleksandar-vucic", "erdogan", "hashim-thaci", "ramush-haradinaj",
                                              "fethullah-gulen", "laszlo-szerencses")}
    assert found[TSKR + "fethullah-gulen"]["jobTitle"] == "cleric"  # "cleric Fethullah Gulen"
    author = found[TSKR + "laszlo-szerencses"]  # "a postdoctoral researcher at the Institute for Turkish Studies"
    assert author["jobTitle"] == "postdoctoral researcher"
    assert author["memberOf"] == author["listedBy"] == TSKR + "institute-for-turkish-studies"
    assert not sparql_ask(live_server, """PREFIX schema: <https://schema.org/> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        ASK { GRAPH <https://w3id.org/tskg/graph/asserted> { { ?p a foaf:Person } UNION { ?p a schema:Person }
              UNION { ?p schema:jobTitle ?j } UNION { ?p schema:memberOf ?o } UNION { ?o foaf:member ?p } } }""")


def test_entity_graph_in_turtle(live_server):
    response = get(live_server, "entity-graph", accept="text/turtle")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    graph = {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}
    agreement = ox.NamedNode(TSKR + "agreement-turkey-kosovo-military-cooperation")
    party = ox.NamedNode(TSK + "party")
    assert ox.Triple(agreement, party, ox.NamedNode(TSKR + "turkey")) in graph
    assert ox.Triple(agreement, party, ox.NamedNode(TSKR + "kosovo")) in graph
    stance = ox.NamedNode(TSKR + "stance-serbia-deems-turkey-kosovo-military-agreement-illegal")
    assert ox.Triple(stance, ox.NamedNode(TSK + "stanceOn"), agreement) in graph
    exacts = {t.object.value for t in graph if t.predicate == ox.NamedNode("http://www.w3.org/ns/oa#exact")}
    assert "The following year" in exacts


def test_label_search(live_server):
    assert TSKR + "aleksandar-vucic" in {r["node"] for r in rows(live_server, "label-search", text="Vučić")}
    assert TSKR + "hashim-thaci" in {r["node"] for r in rows(live_server, "label-search", text="thaci")}


# --- formats and negotiation ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, media_type, results_format", [
    ("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("csv", "text/csv", None),  # lossy: pyoxigraph does not read it back
    ("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_every_result_format_of_a_select(live_server, fmt, media_type, results_format):
    for response in (get(live_server, "agreements", {"format": fmt}, accept="*/*"),
                     get(live_server, "agreements", accept=media_type)):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type
        assert response.headers["X-TSKG-Truncated"] == "false"
        assert response.headers["X-TSKG-Rows"] == "5"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Accept" in response.headers["Vary"]
        if results_format is None:
            table = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
            assert table[0][:2] == ["agreement", "label"] and len(table) == 1 + 5
            assert TSKR + "agreement-turkey-kosovo-military-cooperation" in {r[0] for r in table[1:]}
        else:
            solutions = list(ox.parse_query_results(response.content, format=results_format))
            assert len(solutions) == 5


@pytest.mark.parametrize("fmt, media_type, rdf_format", [
    ("turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("nquads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ("trig", "application/trig", ox.RdfFormat.TRIG),
])
def test_every_graph_format_of_a_construct(live_server, fmt, media_type, rdf_format):
    expected = ox.Triple(ox.NamedNode(TSKR + "agreement-turkey-kosovo-military-cooperation"), ox.NamedNode(TSK + "party"),
                         ox.NamedNode(TSKR + "kosovo"))
    for response in (get(live_server, "entity-graph", {"format": fmt}, accept="*/*"),
                     get(live_server, "entity-graph", accept=media_type)):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type
        parsed = list(ox.parse(response.content, format=rdf_format))
        triples = {q.triple if isinstance(q, ox.Quad) else q for q in parsed}
        assert expected in triples


def test_html_page_shows_query_form_and_table(live_server):
    response = get(live_server, "actor-offices", {"person": "tskr:aleksandar-vucic"}, accept="text/html,*/*;q=0.8")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = html.unescape(response.text)
    assert QUERIES["actor-offices"].title in page
    assert '<form method="get"' in page and 'name="person"' in page and 'value="tskr:aleksandar-vucic"' in page
    assert "<table" in page and "President of Serbia" in page
    assert "#+ summary:" in page  # the query text
    assert get(live_server, "actor-offices", {"format": "html"}, accept="*/*").headers["Content-Type"].startswith("text/html")
    enum_page = html.unescape(get(live_server, "events-by-type", accept="text/html").text)
    assert '<select id="param-type" name="type">' in enum_page


def test_negotiation_errors(live_server):
    assert get(live_server, "agreements", accept="image/png").status_code == 406
    response = get(live_server, "agreements", {"format": "turtle"})
    assert response.status_code == 400 and "SELECT" in response.text
    assert get(live_server, "agreements", {"timeout": "soon"}).status_code == 400
    missing = get(live_server, "no-such-query", accept="text/plain")
    assert missing.status_code == 404
    assert "no saved query named 'no-such-query'" in missing.text and "timeline-turkey-serbia" in missing.text


def test_bad_parameters_get_a_clear_400(live_server):
    response = get(live_server, "events-in-year", {"year": "20x"})
    assert response.status_code == 400
    assert response.json()["error"] == "parameter 'year': '20x' is not a valid xsd:gYear (for example 2019)"
    assert response.json()["parameter"] == "year"
    response = get(live_server, "actor-offices", {"persn": "tskr:erdogan"}, accept="text/csv")
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/plain")
    assert "unknown parameter 'persn'" in response.text and "person" in response.text
    response = get(live_server, "actor-offices", {"person": ["tskr:erdogan", "tskr:hashim-thaci"]})
    assert response.status_code == 400 and response.json()["error"] == "parameter 'person' given 2 times; send it once"
    response = get(live_server, "events-by-type", {"type": "tskc:no-such-type"})
    assert response.status_code == 400 and "is not one of" in response.json()["error"]
    page = get(live_server, "actor-offices", {"person": "not an iri"}, accept="text/html")
    assert page.status_code == 400 and "is not an IRI" in html.unescape(page.text) and "<form" in page.text


# --- injection ------------------------------------------------------------------------------------------


@pytest.fixture()
def listener():
    """A local TCP listener that must see no connection: a SERVICE call would knock here."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.5)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    try:
        connection, _ = sock.accept()
    except (socket.timeout, TimeoutError):
        pass
    else:
        connection.close()
        pytest.fail("a query parameter made the server connect to a SERVICE")
    finally:
        sock.close()


def test_injection_into_an_iri_parameter_is_refused(live_server, listener):
    for attempt in ('"} ; DROP ALL ; SELECT * { ?s ?p ?o',
                    f"> }} SERVICE <{listener}> {{ ?s ?p ?o }} }} #",
                    f"{TSKR}x> }} UNION {{ SERVICE <{listener}> {{ ?s ?p ?o }} }} <{TSKR}y"):
        response = get(live_server, "actor-offices", {"person": attempt})
        assert response.status_code == 400, attempt
        assert response.json()["parameter"] == "person"


def test_injection_into_a_text_parameter_is_a_harmless_literal(live_server, listener):
    for attempt in ('"} ; DROP ALL ; SELECT * { ?s ?p ?o',
                    f'") }} SERVICE <{listener}> {{ ?s ?p ?o }} FILTER(1 = 1 || "',
                    f"> }} SERVICE <{listener}> {{ ?s ?p ?o }} }} #"):
        found = bindings(live_server, "label-search", text=attempt)
        assert found == []  # no label contains that text; the text was a literal, nothing else
    echo = bindings(live_server, "label-search", text="Vučić")[0]["_text"]
    assert echo == {"type": "literal", "value": "Vučić"}
    assert get(live_server, "events-in-year", {"year": '2016"^^xsd:gYear) } SERVICE <x> {'}).status_code == 400


# --- OpenAPI ---------------------------------------------------------------------------------------------


def test_openapi_document(live_server):
    response = requests.get(f"{live_server.url}/openapi.json", timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    spec = response.json()
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": live_server.url}]
    paths = spec["paths"]
    assert {"/sparql", "/queries"} <= set(paths)
    assert {"get", "post"} <= set(paths["/sparql"])
    for name, query in QUERIES.items():
        operation = paths[f"/queries/{name}"]["get"]
        assert operation["summary"] == query.title and operation["description"] == query.description
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == {p.name for p in query.parameters} | {"format", "timeout"}
        for p in query.parameters:
            assert params[p.name]["in"] == "query"
            assert params[p.name]["required"] == (p.required and p.default is None)
            if p.default is not None:
                assert str(params[p.name]["schema"]["default"]) == p.default
        content = set(operation["responses"]["200"]["content"])
        if query.result_kind == "graph":
            assert {"text/turtle", "application/ld+json", "application/n-triples", "text/html"} <= content
        else:
            assert {SPARQL_JSON, "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
                    "text/html"} <= content
        assert {"400", "406"} <= set(operation["responses"])
    assert paths["/queries/events-in-year"]["get"]["parameters"][0]["schema"]["pattern"]
    operation_ids = [op["operationId"] for path in paths.values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_openapi_document_validates(live_server):
    validator = pytest.importorskip("openapi_spec_validator", reason="pip install -e '.[test]' adds it")
    spec = requests.get(f"{live_server.url}/openapi.json", timeout=30).json()
    validator.validate(spec)  # raises with the offending path when invalid
    json.dumps(spec)  # and it is plain JSON
