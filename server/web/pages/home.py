"""The home page (what the graph holds: graphs, classes, sources, downloads) and the list of the
instances of a class (/browse/<local name>)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, render_template

from ...namespaces import ONTOLOGY
from .describe import class_counts, graph_counts, instances, is_used_class, sources
from .downloads import download_list
from .ontology import ontology_model
from .present import valid_iri, view
from .resources import unknown

bp = Blueprint("home", __name__)


@bp.route("/")
def home():
    header = ontology_model()["header"]
    return render_template(
        "home/home.html",
        graphs=graph_counts(),
        classes=class_counts(),
        sources=sources(),
        description=header.get("description"),
        downloads=download_list(),
    )


@bp.route("/browse/<local>")
def browse(local):
    iri = ONTOLOGY + local
    if not valid_iri(iri) or not is_used_class(iri):
        return unknown(iri)
    return render_template("home/browse.html", cls=view(ox.NamedNode(iri)), items=instances(iri))
