"""/relations?a=NAME&b=NAME: everything that connects two actors, in time order with its sentences, and a
cooperation–conflict chart of their events on the Goldstein scale (scores derived at build time from the
event types' CAMEO codes). /relations.json answers the same as JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from ..http import HttpError
from .conflict_chart import chart
from .links import Actor, actor_named, actors, offered_pairs, relations

bp = Blueprint("relations", __name__)

DEFAULT_PAIR = ("turkey", "serbia")


def chosen_pair() -> tuple[Actor, Actor]:
    """The two actors of ?a= and ?b= (local names, as in /page/NAME); Turkey and Serbia when neither is given."""
    names = (request.args.get("a", "").strip(), request.args.get("b", "").strip())
    if not any(names):
        names = DEFAULT_PAIR
    if not all(names):
        raise HttpError(400, "Pick two actors: /relations?a=turkey&b=serbia (names as in /page/NAME).")
    found = []
    for param, name in zip("ab", names):
        actor = actor_named(name)
        if actor is None:
            raise HttpError(404, f"{param}={name}: there is no actor of that name in the graph; pick one from /relations.")
        found.append(actor)
    if found[0].iri == found[1].iri:
        raise HttpError(400, f"a and b are both {found[0].label}: pick two different actors.")
    return found[0], found[1]


def quote_parts(text: str, marks: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (part, is_quoted_words) so that the template can mark the quoted words."""
    spans = sorted((text.find(m), text.find(m) + len(m)) for m in marks if m and m in text)
    parts, at = [], 0
    for start, end in spans:
        if start < at:
            continue
        parts += [(text[at:start], False), (text[start:end], True)]
        at = end
    return [p for p in parts + [(text[at:], False)] if p[0]]


@bp.route("/relations")
def relations_page():
    a, b = chosen_pair()
    data = relations(a, b)
    return render_template("relations/relations.html", a=a, b=b, data=data, chart=chart(data["items"]),
                           actors=list(actors().values()), offered=offered_pairs(), quote_parts=quote_parts)


@bp.route("/relations.json")
def relations_json():
    a, b = chosen_pair()
    return jsonify(relations(a, b))
