"""The query editor's server side (server/web/editor.py): the page, /query/vocabulary.json and
/query/labels, through Flask's test client. Expected terms and labels come from the build's store,
queried directly with pyoxigraph."""

from __future__ import annotations

import re
from html import unescape

import pyoxigraph as ox
import pytest

from server.namespaces import CONCEPT, DATA, GRAPH_ONTOLOGY, ONTOLOGY, PREFIXES

RDF_TYPE = PREFIXES["rdf"] + "type"
OWL = PREFIXES["owl"]
PERSON = DATA + "aleksandar-vucic"


@pytest.fixture(scope="module")
def store(app) -> ox.Store:
    return app.extensions["tskg.build"].open_store()


def english_label(store, iri: str) -> str | None:
    for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(PREFIXES["rdfs"] + "label"), None):
        if (q.object.language or "").startswith("en"):
            return q.object.value
    return None


def declared(store, *kinds: str) -> set[str]:
    return {
        q.subject.value
        for kind in kinds
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(kind), ox.NamedNode(GRAPH_ONTOLOGY))
        if isinstance(q.subject, ox.NamedNode)
    }


def test_the_page_loads_yasgui_from_this_server(client):
    response = client.get("/query")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/yasgui/yasgui.min.js" in sources and "/static/vendor/yasgui/yasgui.min.css" in sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), f"only local files: {sources}"
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get("/static/query.js").status_code == 404, "the old textarea page's script is gone"


def test_the_page_carries_a_shared_query(client):
    query = 'SELECT ?s WHERE { ?s ?p "a & <b>" }'
    page = client.get("/query", query_string={"query": query}).get_data(as_text=True)
    textarea = re.search(r'<textarea id="plain-query"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and unescape(textarea.group(1)) == query, "without JavaScript the form holds the query"
    link = re.search(r'<a id="share-link" href="([^"]+)"', page)
    assert link and link.group(1).startswith("/query?query=")


def test_the_query_page_has_one_route(app):
    assert [r.endpoint for r in app.url_map.iter_rules() if r.rule == "/query"] == ["editor.query_page"]
    assert "pages.query_page" not in app.view_functions


def test_vocabulary_is_ours(client, store):
    response = client.get("/query/vocabulary.json")
    assert response.status_code == 200 and response.is_json
    vocabulary = response.get_json()
    assert vocabulary["prefixes"] == PREFIXES

    classes = {t["iri"]: t for t in vocabulary["classes"]}
    properties = {t["iri"]: t for t in vocabulary["properties"]}
    assert declared(store, OWL + "Class") <= classes.keys()
    assert declared(store, OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty") <= properties.keys()
    used = {r["p"].value for r in store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", use_default_graph_as_union=True)}
    assert used <= properties.keys(), "every predicate the data uses can be completed"
    assert PREFIXES["rdfs"] + "label" in properties

    person = classes[ONTOLOGY + "Person"]
    assert person["curie"] == "tsk:Person" and person["label"] == english_label(store, ONTOLOGY + "Person")
    listed = [t["iri"] for t in vocabulary["classes"]]
    ours = [i for i in listed if i.startswith(ONTOLOGY)]
    assert listed[: len(ours)] == ours, "the ontology's own terms come first"


def test_labels_give_label_page_and_prefixed_name(client, store):
    concept = next(
        q.subject.value for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))
        if q.subject.value.startswith(CONCEPT)
    )
    iris = [PERSON, ONTOLOGY + "Person", concept, PREFIXES["rdfs"] + "label", "javascript:alert(1)", PERSON]
    response = client.post("/query/labels", json={"iris": iris})
    assert response.status_code == 200
    terms = response.get_json()["terms"]
    assert set(terms) == set(iris)
    assert terms[PERSON] == {
        "label": english_label(store, PERSON), "href": "/page/aleksandar-vucic", "curie": "tskr:aleksandar-vucic",
        "thing": True,
    }
    assert terms[ONTOLOGY + "Person"]["href"] == "/ontology#Person"
    assert terms[ONTOLOGY + "Person"]["curie"] == "tsk:Person" and terms[ONTOLOGY + "Person"]["thing"] is False
    assert terms[concept]["href"] == "/page/concept/" + concept[len(CONCEPT):] and terms[concept]["thing"] is True
    assert terms[PREFIXES["rdfs"] + "label"] == {"label": None, "href": None, "curie": "rdfs:label", "thing": False}
    assert terms["javascript:alert(1)"] == {"label": None, "href": None, "curie": None, "thing": False}


@pytest.mark.parametrize("body", [None, {"iris": "https://w3id.org/tskg/id/x"}, {"iris": [1, 2]}, ["a"]])
def test_labels_refuse_what_is_not_a_list_of_iris(client, body):
    response = client.post("/query/labels", json=body) if body is not None else client.post("/query/labels", data="x")
    assert response.status_code == 400
    assert "list of IRIs" in response.get_json()["error"]


def test_labels_refuse_too_many_at_once(client):
    from server.web.editor import MAX_LABEL_IRIS

    response = client.post("/query/labels", json={"iris": [f"{DATA}n{i}" for i in range(MAX_LABEL_IRIS + 1)]})
    assert response.status_code == 413
    assert f"at most {MAX_LABEL_IRIS}" in response.get_json()["error"]
