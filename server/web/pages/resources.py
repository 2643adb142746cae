"""Linked data: every IRI of the graph's namespaces dereferences on this server.

URI patterns, both from the W3C note "Cool URIs for the Semantic Web" (2008), each used for the kind
of IRI the note prescribes it for, and nowhere else:

* Slash IRIs of things - individuals https://w3id.org/tskg/id/NAME and SKOS concepts
  https://w3id.org/tskg/concept/NAME - follow "303 URIs forwarding to different documents".
  A thing is not a document, so GET /id/NAME never answers 200: it answers 303 See Other to the
  document chosen by content negotiation (Accept with q-values, or ?format=html|ttl|jsonld|nt|rdf):
      /page/NAME            HTML for people
      /data/NAME.ttl        Turtle; .jsonld JSON-LD; .nt N-Triples; .rdf RDF/XML
  (concepts: /page/concept/NAME, /data/concept/NAME.EXT). Every 303 carries Vary: Accept.
  The documents are ordinary 200 responses; each HTML page links its data documents and back.
* Ontology terms are hash IRIs: server.web.pages.ontology.

A data document is the symmetric concise bounded description of the thing (W3C CBD note, 2005): the
triples with it as subject, with blank-node objects expanded, and the triples with it as object (a
blank subject with the triples that lead to it), so that a crawler starting at a person finds their
offices, statements and events. Asserted triples (ontology and data graphs) by default; ?inferred=1
adds those of the OWL RL graph. Unknown IRIs in our namespaces get a 404 page that says so and suggests
near names.
"""

from __future__ import annotations

import difflib

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for

from ...namespaces import CONCEPT, DATA
from ..http import RDF_DOC_FORMATS, doc_format, negotiate_document
from .describe import describe, exists, known_names, page_model, pointing_at
from .present import serialize_document, valid_iri, view

bp = Blueprint("resources", __name__)


def want_inferred() -> bool:
    return request.args.get("inferred", "").lower() in ("1", "true", "yes", "on")


# --- things: 303 to a document --------------------------------------------------------------------------


def _see_other(kind: str, name: str) -> Response:
    iri = (DATA if kind == "id" else CONCEPT) + name
    fmt = negotiate_document()
    params = {k: request.args[k] for k in ("inferred",) if k in request.args}  # carried over to the document
    if fmt.key == "html":
        target = url_for("resources.page" if kind == "id" else "resources.concept_page", name=name, **params)
    else:
        doc = name if kind == "id" else f"concept/{name}"
        target = url_for("resources.data", doc=f"{doc}.{fmt.key}", **params)
    if not valid_iri(iri) or not exists(iri):
        return unknown(iri)
    response = redirect(target, 303)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/id/<path:name>")
def thing(name):
    return _see_other("id", name)


@bp.route("/concept/<path:name>")
def concept(name):
    return _see_other("concept", name)



# --- documents -----------------------------------------------------------------------------------------


def _resource_page(iri: str, kind: str, name: str):
    if not valid_iri(iri) or not exists(iri):
        return unknown(iri)
    model = page_model(iri)
    doc = name if kind == "id" else f"concept/{name}"
    model["data_links"] = [
        {"label": f.label, "media_type": f.media_type, "href": url_for("resources.data", doc=f"{doc}.{f.key}")}
        for f in RDF_DOC_FORMATS
    ]
    model["data_inferred"] = url_for("resources.data", doc=f"{doc}.ttl", inferred=1)
    model["thing_href"] = url_for("resources.thing" if kind == "id" else "resources.concept", name=name)
    response = Response(render_template("resources/resource.html", **model), mimetype="text/html")
    response.headers["Link"] = ", ".join(f'<{d["href"]}>; rel="alternate"; type="{d["media_type"]}"' for d in model["data_links"])
    return response


@bp.route("/page/<path:name>")
def page(name):
    if name.startswith("concept/"):
        rest = name[len("concept/"):]
        if not rest:  # /page/concept/ names no concept (it used to redirect to itself)
            return unknown(CONCEPT)
        return redirect(url_for("resources.concept_page", name=rest), 301)
    return _resource_page(DATA + name, "id", name)


@bp.route("/page/concept/<path:name>")
def concept_page(name):
    return _resource_page(CONCEPT + name, "concept", name)


@bp.route("/data/<path:doc>")
def data(doc):
    stem, dot, ext = doc.rpartition(".")
    fmt = doc_format(ext) if dot else None
    if fmt is None or fmt.rdf is None:
        return Response(
            f"/data/{doc}: the name must end in one of .{', .'.join(f.key for f in RDF_DOC_FORMATS)}\n",
            status=404, mimetype="text/plain",
        )
    iri = CONCEPT + stem[len("concept/"):] if stem.startswith("concept/") else DATA + stem
    if not valid_iri(iri) or not exists(iri):
        return Response(f"{iri} is not in the graph\n", status=404, mimetype="text/plain")
    inferred = want_inferred()
    own = describe(iri).triples(inferred=inferred)
    seen = set(own)
    incoming = sorted((t for t in pointing_at(iri).triples(inferred=inferred) if t not in seen), key=str)
    triples = own + incoming
    return Response(serialize_document(triples, fmt), mimetype=fmt.media_type)



# --- unknown IRIs --------------------------------------------------------------------------------------


def unknown(iri: str) -> Response:
    namespace = DATA if iri.startswith(DATA) else CONCEPT if iri.startswith(CONCEPT) else None
    suggestions = []
    if namespace:
        name = iri[len(namespace):]
        close = difflib.get_close_matches(name, known_names(namespace), n=5, cutoff=0.6)
        close += [n for n in known_names(namespace) if name and name in n and n not in close][: 5 - len(close)]
        suggestions = [view(ox.NamedNode(namespace + n)) for n in close]
    wants_html = request.accept_mimetypes.accept_html or not request.headers.get("Accept")
    if not wants_html and "format" not in request.args:
        return Response(f"{iri} is not in the graph\n", status=404, mimetype="text/plain")
    html = render_template("resources/not_found.html", iri=iri, suggestions=suggestions)
    return Response(html, status=404, mimetype="text/html")

