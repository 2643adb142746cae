"""Hints for terms of our ontology that it does not define (server.web.term_hints, X-TSKG-Warning on /sparql).

Which names the ontology defines is read from ontology/*.ttl with rdflib here; the messages are checked
as a person reads them."""

from __future__ import annotations

import pytest
import rdflib

from server.namespaces import ONTOLOGY

HEADER = "X-TSKG-Warning"


@pytest.fixture(scope="module")
def defined(app) -> set[str]:
    from server.build import parse_sources
    from server.project import Project

    ontology = parse_sources(Project.locate(app.config["TSKG_ROOT"])).ontology
    return {str(s)[len(ONTOLOGY):] for s in ontology.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(ONTOLOGY)}


def warnings(client, query: str) -> list[str]:
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.headers.getlist(HEADER)


def test_a_misspelt_class_is_answered_with_a_hint(client, defined):
    assert "Person" in defined and "Persn" not in defined and "holds" in defined
    said = warnings(client, "SELECT ?x WHERE { ?x a tsk:Persn ; tsk:holdz ?t }")
    assert said == ["tsk:Persn is not in the ontology; did you mean tsk:Person?",
                    "tsk:holdz is not in the ontology; did you mean tsk:holds?"]


def test_every_defined_term_passes(client, defined):
    terms = " ".join(f"tsk:{name}" for name in sorted(defined) if name and "." not in name)
    assert warnings(client, f"SELECT * WHERE {{ VALUES ?t {{ {terms} }} }} LIMIT 1") == []


def test_other_spellings_of_the_namespace(client):
    said = warnings(client, f"PREFIX o: <{ONTOLOGY}>\nSELECT * WHERE {{ ?x a o:person ; <{ONTOLOGY}holdz> ?y }}")
    assert said == ["o:person is not in the ontology; did you mean o:Person?",
                    f"<{ONTOLOGY}holdz> is not in the ontology; did you mean <{ONTOLOGY}holds>?"]
    # tsk: bound to another namespace is not ours.
    assert warnings(client, "PREFIX tsk: <http://example.org/> SELECT * WHERE { ?x a tsk:Persn }") == []
    far = warnings(client, "SELECT * WHERE { ?x a tsk:Zqxwv }")
    assert far == ["tsk:Zqxwv is not in the ontology; its terms are listed at /ontology"]


def test_names_in_strings_and_comments_are_not_terms(client):
    query = 'SELECT * WHERE {\n  # tsk:Persn\n  ?x ?p "tsk:Persn" \n} LIMIT 1'
    assert warnings(client, query) == []


def test_a_warning_never_refuses_the_query(client):
    """Legal SPARQL that matches nothing: the usual answer, with the hint beside it."""
    response = client.get("/sparql", query_string={"query": "ASK { ?x a tsk:Persn }", "format": "json"})
    assert response.status_code == 200 and response.get_json()["boolean"] is False
    assert response.headers[HEADER].startswith("tsk:Persn is not in the ontology")


def test_header_values_are_latin1(client):
    said = warnings(client, "SELECT * WHERE { ?x a tsk:Persön }")
    assert said == ["tsk:Pers\\xf6n is not in the ontology; did you mean tsk:Person?"]
