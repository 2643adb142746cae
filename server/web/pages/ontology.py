"""The ontology, documented at /ontology: its terms are hash IRIs (https://w3id.org/tskg/ontology#Person)
and follow "hash URIs with content negotiation" (Cool URIs for the Semantic Web): the client drops the
fragment and asks for /ontology, which names a document (the ontology), so it answers 200 directly in the
negotiated format, with Content-Location naming the variant (/ontology.html, /ontology.ttl, ...) and
Vary: Accept. The ontology's version IRI (/ontology/0.1.0) answers as /ontology while it is the version
served. The HTML page shows every class, property and concept scheme, and a class diagram drawn from
the ontology (server.web.pages.diagram).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, url_for

from ...namespaces import ONTOLOGY, ONTOLOGY_IRI, PREFIXES
from ..engine import memo
from ..http import RDF_DOC_FORMATS, DocFormat, doc_format, negotiate_document
from . import diagram
from .describe import PropertyRow, ontology_document, ontology_triples
from .present import DCT, OWL, RDF, RDF_TYPE, RDFS, SKOS, curie, labels, local_href, serialize_document, view
from .resources import unknown

bp = Blueprint("ontology", __name__)


def ontology_model() -> dict:
    return memo("ontology_model", lambda: build_ontology_model(ontology_triples(), labels()))


def build_ontology_model(triples: list[ox.Triple], names: dict[str, str]) -> dict:
    idx: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        idx[t.subject][t.predicate.value].append(t.object)

    def first(s, p):
        values = idx[s].get(p, [])
        english = [v for v in values if isinstance(v, ox.Literal) and (v.language or "en").startswith("en")]
        return (english or values or [None])[0]

    def text(s, *props):
        for p in props:
            v = first(s, p)
            if v is not None:
                return v.value
        return None

    def members(term) -> list:
        """A class expression as a list of named classes (owl:unionOf is expanded)."""
        if isinstance(term, ox.NamedNode):
            return [term]
        union = first(term, OWL + "unionOf")
        return rdf_list(union) if union is not None else []

    def rdf_list(node) -> list:
        out, guard = [], 0
        while isinstance(node, ox.BlankNode) and guard < 1000:
            item = first(node, RDF + "first")
            if item is not None:
                out.append(item)
            node = first(node, RDF + "rest")
            guard += 1
        return out

    def expression(term) -> dict:
        """A blank-node class expression in words (restrictions, unions, intersections)."""
        if not isinstance(term, ox.BlankNode):
            return view(term, names)
        for key, word in ((OWL + "unionOf", " or "), (OWL + "intersectionOf", " and ")):
            lst = first(term, key)
            if lst is not None:
                return {"kind": "expr", "parts": [expression(m) for m in rdf_list(lst)], "joiner": word}
        prop = first(term, OWL + "onProperty")
        if prop is not None:
            for key, word in (
                ("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value"),
                ("minQualifiedCardinality", "min"), ("maxQualifiedCardinality", "max"), ("qualifiedCardinality", "exactly"),
                ("minCardinality", "min"), ("maxCardinality", "max"), ("cardinality", "exactly"),
            ):
                v = first(term, OWL + key)
                if v is not None:
                    parts = [view(prop, names), {"kind": "word", "value": word}, expression(v)]
                    on_class = first(term, OWL + "onClass")
                    if on_class is not None and "Qualified" in key:
                        parts.append(expression(on_class))
                    return {"kind": "expr", "parts": parts, "joiner": " "}
        return {"kind": "bnode", "id": term.value}

    def is_ours(term) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(ONTOLOGY)

    def typed(*classes) -> list:
        found = {s for s, props in idx.items() if isinstance(s, ox.NamedNode) and s.value.startswith(ONTOLOGY)
                 and any(ox.NamedNode(c) in props.get(RDF_TYPE, []) for c in classes)}
        return sorted(found, key=lambda s: (names.get(s.value) or s.value).lower())

    ont = ox.NamedNode(ONTOLOGY_IRI)
    header = {
        "iri": ONTOLOGY_IRI,
        "title": text(ont, DCT + "title", RDFS + "label"),
        "description": text(ont, DCT + "description", RDFS + "comment"),
        "version": text(ont, OWL + "versionInfo"),
        "version_iri": view(first(ont, OWL + "versionIRI"), names) if first(ont, OWL + "versionIRI") else None,
        "license": [view(v, names) for v in idx[ont].get(DCT + "license", [])],
        "creator": [view(v, names) for v in idx[ont].get(DCT + "creator", []) + idx[ont].get(PREFIXES["foaf"] + "maker", [])],
        "all": [PropertyRow(view(ox.NamedNode(p), names), [view(v, names) for v in vs]) for p, vs in sorted(idx[ont].items())],
    }

    classes = typed(OWL + "Class", RDFS + "Class")
    class_set = set(classes)
    properties = typed(OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property")

    def term_entry(s, supers_prop, equiv_prop):
        supers = idx[s].get(supers_prop, [])
        equivalents = idx[s].get(equiv_prop, [])
        match = sum((idx[s].get(SKOS + m, []) for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")), [])
        return {
            "iri": s.value,
            "local": s.value[len(ONTOLOGY):],
            "curie": curie(s.value),
            "label": names.get(s.value) or s.value[len(ONTOLOGY):],
            "definition": text(s, SKOS + "definition", RDFS + "comment", DCT + "description"),
            "note": text(s, SKOS + "scopeNote", SKOS + "example", SKOS + "editorialNote"),
            "supers": [expression(v) for v in supers if is_ours(v)],
            "alignments": [
                {"relation": curie(supers_prop), "target": view(v, names)} for v in supers if isinstance(v, ox.NamedNode) and not is_ours(v)
            ] + [{"relation": curie(equiv_prop), "target": expression(v)} for v in equivalents]
              + [{"relation": "skos match", "target": view(v, names)} for v in match],
            "restrictions": [expression(v) for v in supers if isinstance(v, ox.BlankNode)],
        }

    class_entries = []
    for c in classes:
        entry = term_entry(c, RDFS + "subClassOf", OWL + "equivalentClass")
        entry["subs"] = [view(s, names) for s in classes if c in idx[s].get(RDFS + "subClassOf", [])]
        entry["disjoint"] = [view(v, names) for v in idx[c].get(OWL + "disjointWith", [])]
        entry["domain_of"] = [view(p, names) for p in properties if any(c in members(d) for d in idx[p].get(RDFS + "domain", []))]
        entry["range_of"] = [view(p, names) for p in properties if any(c in members(r) for r in idx[p].get(RDFS + "range", []))]
        class_entries.append(entry)

    kinds = {OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "datatype", OWL + "AnnotationProperty": "annotation"}
    property_entries = []
    for p in properties:
        entry = term_entry(p, RDFS + "subPropertyOf", OWL + "equivalentProperty")
        entry["kind"] = next((kinds[t.value] for t in idx[p].get(RDF_TYPE, []) if t.value in kinds), "property")
        entry["characteristics"] = sorted(
            curie(t.value) for t in idx[p].get(RDF_TYPE, [])
            if t.value.startswith(OWL) and t.value not in kinds
        )
        entry["domain"] = [expression(v) for v in idx[p].get(RDFS + "domain", [])]
        entry["range"] = [expression(v) for v in idx[p].get(RDFS + "range", [])]
        entry["inverse"] = [view(v, names) for v in idx[p].get(OWL + "inverseOf", [])] + [
            view(q, names) for q in properties if p in idx[q].get(OWL + "inverseOf", [])
        ]
        property_entries.append(entry)

    schemes = []
    scheme_nodes = sorted(
        (s for s, props in idx.items() if ox.NamedNode(SKOS + "ConceptScheme") in props.get(RDF_TYPE, [])),
        key=lambda s: (names.get(s.value) or s.value).lower(),
    )
    for scheme in scheme_nodes:
        concepts = [s for s, props in idx.items() if scheme in props.get(SKOS + "inScheme", []) or scheme in props.get(SKOS + "topConceptOf", [])]
        schemes.append({
            "scheme": view(scheme, names),
            "definition": text(scheme, SKOS + "definition", RDFS + "comment", DCT + "description"),
            "concepts": sorted(
                ({**view(c, names), "notation": text(c, SKOS + "notation"), "definition": text(c, SKOS + "definition")} for c in concepts),
                key=lambda v: ((v["notation"] or ""), (v.get("label") or v["curie"]).lower()),
            ),
        })

    return {
        "header": header,
        "classes": class_entries,
        "object_properties": [e for e in property_entries if e["kind"] == "object"],
        "datatype_properties": [e for e in property_entries if e["kind"] == "datatype"],
        "other_properties": [e for e in property_entries if e["kind"] not in ("object", "datatype")],
        "schemes": schemes,
        "class_iris": [c.value for c in class_set],
    }


def class_diagram_svg() -> str:
    return memo("diagram", lambda: diagram.class_diagram(ontology_triples(), labels(), href=local_href))


@bp.route("/ontology")
def ontology():
    """The ontology document, negotiated in place (hash URIs with content negotiation)."""
    fmt = negotiate_document()
    response = ontology_variant(fmt)
    response.headers["Content-Location"] = url_for("ontology.ontology_file", ext=fmt.key)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/ontology/<version>")
def ontology_version(version):
    """The ontology's owl:versionIRI (https://w3id.org/tskg/ontology/0.1.0) is the same document, for
    as long as it is the version served; other versions are not kept here."""
    header = ontology_model()["header"]
    if header["version_iri"] is None or header["version_iri"]["iri"] != f"{ONTOLOGY_IRI}/{version}":
        return unknown(f"{ONTOLOGY_IRI}/{version}")
    return ontology()


@bp.route("/ontology.<ext>")
def ontology_file(ext):
    fmt = doc_format(ext)
    if fmt is None:
        abort(404)
    return ontology_variant(fmt)


def ontology_variant(fmt: DocFormat) -> Response:
    if fmt.rdf is None:
        def render():
            return render_template(
                "ontology/ontology.html", **ontology_model(), diagram=class_diagram_svg(),
                data_links=[{"label": f.label, "href": url_for("ontology.ontology_file", ext=f.key)} for f in RDF_DOC_FORMATS],
            )

        return Response(memo("ontology_html", render), mimetype="text/html")
    return Response(serialize_document(ontology_document(), fmt), mimetype=fmt.media_type)


@bp.route("/ontology/diagram.svg")
def ontology_diagram():
    return Response(class_diagram_svg(), mimetype="image/svg+xml")

