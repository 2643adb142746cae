"""/timeline: every dated event, statement, agreement, office held, stance and economic stake, drawn with
vis-timeline from /timeline.json; month-day dates without a year in a lane of their own."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from .links import timeline

bp = Blueprint("timeline", __name__)

# The colour of each kind of item: the network's colour for the same kind of link (static/views.css).
SWATCH = {"event": "event", "statement": "statement", "agreement": "agreement", "office": "office",
          "membership": "membership", "stance": "stance", "economic stake": "stake"}


@bp.route("/timeline")
def timeline_page():
    data = timeline()
    return render_template("timeline/timeline.html", actors=data["actors"], lanes=data["lanes"], years=data["years"], swatch=SWATCH,
                           count=len(data["items"]), chosen=(request.args.get("a", ""), request.args.get("b", "")))


@bp.route("/timeline.json")
def timeline_json():
    return jsonify(timeline())
