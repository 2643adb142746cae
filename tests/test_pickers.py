"""Saved-query parameters as pickers (server.web.pickers) on every saved query of queries/.

What fits a parameter is checked against the build's store queried directly with pyoxigraph: the saved
query's own text, run unbound (a SELECT projects its parameters), gives the values with an answer; a
CONSTRUCT is run bound to each IRI of the graph. The classes come from the Turtle sources (rdflib)."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF

from server.namespaces import DATA, ONTOLOGY, PREFIXES
from server.store.saved_queries import load_folder
from server.web.pages.present import compact

TSK = rdflib.Namespace(ONTOLOGY)


@pytest.fixture(scope="module")
def saved(project):
    return load_folder(project.queries_dir)


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


@pytest.fixture(scope="module")
def sources(app):
    from server.build import parse_sources
    from server.project import Project

    return parse_sources(Project.locate(app.config["TSKG_ROOT"]))


@pytest.fixture(scope="module")
def computed(app, saved):
    from server.web.pickers import parameter_values, pickers

    with app.test_request_context():
        return {name: (pickers(q), {p.name: parameter_values(q, p) for p in q.parameters}) for name, q in saved.items()}


def answering(store, query, parameter) -> set[str]:
    """The IRIs for which the saved query has an answer, computed on the store without our rewrite."""
    if query.kind == "select":
        rows = store.query(query.query, use_default_graph_as_union=True)
        return {r[parameter.variable].value for r in rows if isinstance(r[parameter.variable], ox.NamedNode)}
    assert query.kind == "construct"
    everything = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    everything |= {q.object.value for q in store if isinstance(q.object, ox.NamedNode)}
    found = set()
    for iri in everything:
        bound = query.query.replace(f"?{parameter.variable}", f"<{iri}>")
        if next(iter(store.query(bound, use_default_graph_as_union=True)), None) is not None:
            found.add(iri)
    return found


def iri_parameters(saved):
    return [(name, p.name) for name, q in sorted(saved.items()) for p in q.parameters if p.type == "iri"]


def test_every_iri_parameter_offers_what_fits(saved, computed, store, sources):
    checked = 0
    for name, pname in iri_parameters(saved):
        query = saved[name]
        parameter = query.parameter(pname)
        picker = computed[name][0][pname]
        if parameter.enum:
            assert picker.widget == "select"
            assert [c.value for c in picker.choices] == list(parameter.enum), f"{name}: its #+ enumerate values"
            assert all(c.label != compact(c.value) for c in picker.choices), f"{name}: shown by label"
            continue
        expected = answering(store, query, parameter)
        assert expected, f"{name}: the query should have answers"
        values = {v.value for v in computed[name][1][pname] if isinstance(v, ox.NamedNode)}
        assert values == expected, f"{name}.{pname}: the values with an answer"
        if picker.widget == "select":
            assert {c.value for c in picker.choices if c.answers} == {compact(i) for i in expected}, name
            offered = {c.value for c in picker.choices}
            if picker.kind:  # a shared class: every thing of it is offered
                classes = {o for i in expected for o in sources.data.objects(rdflib.URIRef(i), RDF.type)}
                things = set.intersection(*({compact(str(s)) for s in sources.data.subjects(RDF.type, c)} for c in classes))
                assert offered == things, name
            else:
                assert offered == {compact(i) for i in expected}, name
        else:
            assert picker.widget == "search" and len(expected) > 300, f"{name}: long lists are searched"
        checked += 1
    assert checked >= 4


def test_actor_offices_offers_the_six_persons(client, sources, store, saved):
    persons = {str(s) for s in sources.data.subjects(RDF.type, TSK.Person)}
    holders = {str(s) for s in sources.data.subjects(TSK.holds, None)} | {str(o) for o in sources.data.objects(None, TSK.holder)}
    assert len(persons) == 6 and holders < persons
    page = client.get("/queries/actor-offices", headers={"Accept": "text/html"}).get_data(as_text=True)
    select = re.search(r'<select id="param-person" name="person">(.*?)</select>', page, re.S)
    assert select, "person is a choice, not a free box"
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select.group(1))
    assert {v for v, _ in options} == {compact(p) for p in persons}
    with_results = re.search(r'<optgroup label="With results">(.*?)</optgroup>', select.group(1), re.S).group(1)
    assert set(re.findall(r'value="([^"]+)"', with_results)) == {compact(h) for h in holders}
    labels = {compact(str(s)): str(o) for s, o in sources.data.subject_objects(rdflib.RDFS.label)}
    assert all(html.unescape(text) == labels[value] for value, text in options), "by label"
    # The default is chosen; each choice runs.
    default = saved["actor-offices"].parameter("person").default
    assert re.search(rf'<option value="{re.escape(compact(default))}"[^>]* selected>', select.group(1))
    for value, _ in options:
        rows = client.get("/queries/actor-offices", query_string={"person": value, "format": "json"}).get_json()
        assert bool(rows["results"]["bindings"]) == (DATA + value.split(":")[1] in holders), value


def test_a_value_not_listed_is_kept(client):
    page = client.get("/queries/actor-offices?person=https://example.org/x",
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<option value="https://example.org/x" selected>https://example.org/x (as given)</option>' in page


def test_enumerated_values_by_label(client, sources):
    page = client.get("/queries/events-by-type", headers={"Accept": "text/html"}).get_data(as_text=True)
    select = re.search(r'<select id="param-type" name="type">(.*?)</select>', page, re.S).group(1)
    label = str(sources.ontology.value(rdflib.URIRef(PREFIXES["tskc"] + "event-accuse"), rdflib.SKOS.prefLabel))
    assert f'value="https://w3id.org/tskg/concept/event-accuse" data-match' in select
    assert f">{html.escape(label)}</option>" in select
    assert 'id="filter-type"' in page, "a long list gets a filter box"
    optional = client.get("/queries/author-claims", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<option value="">(any)</option>' in optional, "an optional parameter may be left out"


def test_long_lists_are_searched(client, computed):
    picker = computed["entity-graph"][0]["entity"]
    assert picker.widget == "search"
    page = client.get("/queries/entity-graph", headers={"Accept": "text/html"}).get_data(as_text=True)
    box = re.search(r'<input id="param-entity"[^>]*>', page, re.S).group(0)
    assert 'data-suggest="/search"' in box and "data-suggest-pick" in box and 'name="entity"' in box


def test_literal_parameters_get_their_input(client, store):
    year = client.get("/queries/events-in-year", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(r'<input id="param-year" name="year" type="text" inputmode="numeric" pattern="-\?\[0-9\]\{4,\}"', year)
    numbers = [int(r["n"].value) for r in store.query(
        f"SELECT DISTINCT ?n WHERE {{ ?q <{ONTOLOGY}sentenceNumber> ?n }}", use_default_graph_as_union=True)]
    sentence = client.get("/queries/sentence-facts", headers={"Accept": "text/html"}).get_data(as_text=True)
    box = re.search(r'<input id="param-sentence"[^>]*>', sentence, re.S).group(0)
    assert 'type="number"' in box and 'step="1"' in box
    assert f'min="{min(numbers)}"' in box and f'max="{max(numbers)}"' in box
    text = client.get("/queries/label-search", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(r'<input id="param-text" name="text" size="48"', text)


def test_where_group_reads_the_query_as_the_engine_does():
    from server.web.pickers import where_group

    text = 'PREFIX x: <http://e/>\n# a { comment }\nCONSTRUCT { ?s x:p "}" } WHERE { ?s ?p ?o . { ?o ?q "{" } } ORDER BY ?s'
    prologue, group = where_group(text)
    assert prologue == "PREFIX x: <http://e/>\n# a { comment }\n"
    assert group == '{ ?s ?p ?o . { ?o ?q "{" } }'
    assert where_group("SELECT * WHERE { ?s ?p ?o") is None
    assert where_group("not sparql ((") is None
    assert where_group("ASK { ?s ?p ?o }")[1] == "{ ?s ?p ?o }"
