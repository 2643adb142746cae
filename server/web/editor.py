"""The query editor: YASGUI served from this server, with our vocabulary and our labels.

    GET  /query                  the editor (YASGUI from static/vendor/yasgui/, static/editor.js);
                                 /query?query=TEXT opens with that query and runs it
    GET  /query/vocabulary.json  what autocompletion offers: the project's prefixes (server.namespaces),
                                 and the classes and properties the ontology declares or the data uses
    POST /query/labels           {"iris": [...]} -> for each IRI its label, the page on this server that
                                 documents it, its prefixed name, and whether it is one of the graph's
                                 things (/id/, /concept/: shown by label) rather than a vocabulary term
                                 (shown by prefixed name); the results table shows these

Nothing in the editor is fetched from another host: YASGUI's look-ups on outside services (the LOV
term search, prefix.cc) are replaced in editor.js by these two endpoints.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from ..namespaces import CONCEPT, DATA, GRAPH_ONTOLOGY, ONTOLOGY, PREFIXES
from .engine import get_engine, memo
from .pages.present import BIG, curie, labels, local_href

bp = Blueprint("editor", __name__)

EXAMPLE_QUERY = """\
PREFIX tsk: <https://w3id.org/tskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Who held which office, and since when (where the article says)
SELECT ?person ?office ?start WHERE {
  ?tenure a tsk:Tenure ;
          tsk:holder ?person ;
          tsk:office ?office .
  OPTIONAL { ?tenure tsk:startDate ?start }
}
ORDER BY ?person
"""

MAX_LABEL_IRIS = 5_000  # IRIs in one /query/labels request; the page sends them in batches below this

OWL = PREFIXES["owl"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]

# The terms the ontology graph declares, by kind.
DECLARED_TERMS = f"""
SELECT DISTINCT ?term ?kind WHERE {{
  GRAPH <{GRAPH_ONTOLOGY}> {{ ?term a ?type }}
  VALUES (?type ?kind) {{
    (<{OWL}Class> "class") (<{RDFS}Class> "class")
    (<{OWL}ObjectProperty> "property") (<{OWL}DatatypeProperty> "property")
    (<{OWL}AnnotationProperty> "property") (<{RDF}Property> "property")
  }}
  FILTER(isIRI(?term))
}}"""

# The terms the data uses: every predicate, and every class something is typed with (rdfs:label,
# rdf:type and the like are used everywhere but declared by no ontology of ours).
USED_TERMS = f"""
SELECT DISTINCT ?term ?kind WHERE {{
  {{ ?s ?term ?o BIND("property" AS ?kind) }}
  UNION
  {{ ?s <{RDF}type> ?term FILTER(isIRI(?term)) BIND("class" AS ?kind) }}
}}"""


def vocabulary() -> dict:
    """Prefixes, classes and properties for autocompletion, ours (tsk:) first, then by prefixed name."""

    def compute():
        kinds: dict[str, set[str]] = {}
        for query in (DECLARED_TERMS, USED_TERMS):
            for row in get_engine().select(query, max_rows=BIG):
                kinds.setdefault(row["term"].value, set()).add(row["kind"].value)
        names = labels()
        out = {"prefixes": dict(PREFIXES), "classes": [], "properties": []}
        for iri in sorted(kinds, key=lambda i: (not i.startswith(ONTOLOGY), curie(i))):
            term = {"iri": iri, "curie": curie(iri), "label": names.get(iri)}
            if "class" in kinds[iri]:
                out["classes"].append(term)
            if "property" in kinds[iri]:
                out["properties"].append(term)
        return out

    return memo("vocabulary", compute)


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.get("/query")
def query_page():
    settings = {
        "endpoint": url_for("sparql.sparql"),
        "vocabulary": url_for("editor.vocabulary_json"),
        "labels": url_for("editor.labels_json"),
        "savedQueries": url_for("saved_queries.index", format="json"),
        "savedQueryPage": url_for("saved_queries.index"),
        "example": EXAMPLE_QUERY,
        "maxLabelIris": MAX_LABEL_IRIS,
    }
    shared = request.args.get("query")
    return render_template("editor/query.html", settings=settings, query=shared or EXAMPLE_QUERY)


@bp.get("/query/vocabulary.json")
def vocabulary_json():
    response = jsonify(vocabulary())
    response.cache_control.max_age = 300
    return response


@bp.post("/query/labels")
def labels_json():
    body = request.get_json(silent=True)
    iris = body.get("iris") if isinstance(body, dict) else None
    if not isinstance(iris, list) or not all(isinstance(i, str) for i in iris):
        return _json_error(400, 'send a JSON object {"iris": ["https://…", …]}: a list of IRIs as strings')
    if len(iris) > MAX_LABEL_IRIS:
        return _json_error(413, f"{len(iris)} IRIs in one request; send at most {MAX_LABEL_IRIS} at a time")
    names = labels()
    terms = {}
    for iri in dict.fromkeys(iris):
        shown = curie(iri)
        terms[iri] = {
            "label": names.get(iri),
            "href": local_href(iri),
            "curie": shown if shown != iri else None,
            "thing": iri.startswith((DATA, CONCEPT)),
        }
    return jsonify({"terms": terms})
