"""/network: the actors and what links them (offices, memberships, agreement parties, stances, shared
events, statements, economic stakes, nationality and country), drawn with cytoscape from /network.json."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from .links import network

bp = Blueprint("network", __name__)


@bp.route("/network")
def network_page():
    data = network()
    return render_template("network/network.html", kinds=data["kinds"], actor_kinds=data["actor_kinds"],
                           years=data["years"], actors=data["actors"],
                           count=len(data["links"]))


@bp.route("/network.json")
def network_json():
    return jsonify(network())
