"""Search: /search?q=TEXT finds the graph's things by their names (server.web.pages.search_index says
which names, how they are normalised and how hits are ranked).

    GET /search?q=vucic                   an HTML page (the box in every page's header sends here)
    GET /search?q=vucic&format=json       JSON, also by Accept: application/json (the pickers' source)
    &type=tsk:Person                      only things of this class (inferred types count; repeatable: any of them)
    &limit=N                              at most N hits (default 20, at most 100)

With a type and no text, JSON lists the things of that type by label (a picker opening). Text over 200
characters, an unknown class or a bad limit: 400 with what is wrong.

JSON: {"query", "types", "total", "count", "results": [{"iri", "label", "curie", "href", "match",
"matched", "lang", "kind", "classes": [{"iri", "label"}]}]}.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from ..http import HttpError
from .search_index import DEFAULT_LIMIT, MAX_LIMIT, SearchError, search_index, type_filter_choices

bp = Blueprint("search", __name__)

JSON = "application/json"
HTML = "text/html"


def wanted_format() -> str:
    """"json" or "html", from ?format= or Accept (HTML when the client takes anything)."""
    fmt = request.args.get("format", "").strip().lower()
    if fmt:
        if fmt not in ("json", "html"):
            raise HttpError(400, f"format={fmt} does not apply to /search; use json or html")
        return fmt
    if not request.headers.get("Accept", "").strip():
        return "html"
    best = request.accept_mimetypes.best_match([HTML, JSON])
    if best is None:
        raise HttpError(406, "not acceptable: /search is served as text/html or application/json (or format=json|html)")
    return "json" if best == JSON else "html"


def read_limit(default: int) -> int:
    raw = request.args.get("limit", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise HttpError(400, f"limit={raw[:20]!r}: give a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


@bp.get("/search")
def search():
    fmt = wanted_format()
    text = request.args.get("q", "")
    type_values = [t for t in request.args.getlist("type") if t.strip()]
    limit = read_limit(DEFAULT_LIMIT if fmt == "json" else 50)
    index = search_index()
    try:
        types = index.resolve_types(type_values) if type_values else None
        if not text.strip() and not types and fmt == "json":
            raise SearchError("give q, the text to look for (or a type, to list the things of that class)")
        hits, total = index.search(text, types, limit) if text.strip() or types else ([], 0)
    except SearchError as err:
        raise HttpError(400, str(err)) from None
    if fmt == "json":
        body = {
            "query": text,
            "types": sorted(types or []),
            "total": total,
            "count": len(hits),
            "results": [h.to_json() for h in hits],
        }
        response = Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", mimetype=JSON)
    else:
        html = render_template("search/search.html", q=text, hits=[h.to_json() for h in hits], total=total,
                               types=type_values, choices=type_filter_choices(), limit=limit)
        response = Response(html, mimetype=HTML)
    response.vary.add("Accept")
    return response
