"""The saved queries as files: the queries/ folder, its grlc-style decorators and typed parameters,
parsing and binding without a server (server.store.saved_queries)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from server.store.saved_queries import ParameterError, SavedQueryError, load_query, parse_query

from saved_query_support import (
    QUERIES, QUERIES_DIR, TSKR, XSD, sparql_select,
)


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
    concepts = {r["c"] for r in sparql_select(live_server, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/tskg/concept/event-types> }""")}
    used = {r["t"] for r in sparql_select(live_server, """
        PREFIX tsk: <https://w3id.org/tskg/ontology#>
        SELECT DISTINCT ?t WHERE { ?e tsk:eventType ?t }""")}
    assert enumerated <= concepts, f"not event types: {sorted(enumerated - concepts)}"
    assert used <= enumerated, f"event types in the data missing from the enumeration: {sorted(used - enumerated)}"
    sectors = {r["c"] for r in sparql_select(live_server, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/tskg/concept/sectors> }""")}
    assert set(QUERIES["economic-stakes"].parameter("sector").enum) <= sectors
    kinds = {r["c"] for r in sparql_select(live_server, """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c WHERE { ?c skos:inScheme <https://w3id.org/tskg/concept/claim-kinds> }""")}
    assert set(QUERIES["author-claims"].parameter("kind").enum) == kinds




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


