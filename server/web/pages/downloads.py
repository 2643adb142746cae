"""The whole graph to download (/downloads/tskg.nq, .trig, .nt, .ttl, .jsonld, .rdf): the build's quads
exactly as `tskg export` writes them (server.exports.files), made once per format and kept."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, url_for

from ...namespaces import GRAPHS
from ..engine import get_build, get_engine, memo
from .present import BIG

bp = Blueprint("downloads", __name__)


def download_list() -> list[dict]:
    from ...exports.files import FORMATS

    out = []
    for f in FORMATS:
        name = f"tskg{f.extensions[0]}"
        out.append({
            "name": name,
            "label": f.label,
            "media_type": f.rdf.media_type,
            "dataset": f.dataset,
            "href": url_for("downloads.download", filename=name),
        })
    return out


def _download_bytes(filename: str) -> tuple[bytes, str] | None:
    from ...exports.files import BY_EXTENSION, load_dataset, serialize as export_serialize

    stem, dot, ext = filename.rpartition(".")
    fmt = BY_EXTENSION.get("." + ext)
    if stem != "tskg" or fmt is None:
        return None

    def compute():
        import io

        built = get_build()
        if built is not None:  # the build's quads, exactly as `tskg export` writes them
            dataset = load_dataset(built)
        else:  # a remote engine: its quads
            rows = get_engine().select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", max_rows=BIG)
            dataset = ox.Dataset(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        out = io.BytesIO()
        export_serialize(dataset, fmt, list(GRAPHS.values()), out)
        return out.getvalue()

    return memo(f"download:{filename}", compute), fmt.rdf.media_type


@bp.route("/downloads/")
def downloads():
    return render_template("downloads/downloads.html", downloads=download_list())


@bp.route("/downloads/<filename>")
def download(filename):
    found = _download_bytes(filename)
    if found is None:
        names = ", ".join(d["name"] for d in download_list())
        return Response(f"no download named {filename!r}; there are: {names}\n", status=404, mimetype="text/plain")
    body, media_type = found
    return Response(
        body, mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

