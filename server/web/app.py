"""The Flask app factory, as in the Flask tutorial: configuration, then one blueprint per concern."""

from __future__ import annotations

import atexit
import importlib

from flask import Flask

from . import http

# Blueprint modules under server/web/, each exposing `bp`.
BLUEPRINTS = ["sparql", "saved_queries", "pages", "editor"]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        TSKG_ROOT=None,              # project checkout; None: this one
        QUERY_TIMEOUT=10.0,          # seconds; clients may ask for less
        MAX_ROWS=10_000,             # result rows before truncation
        MAX_CONTENT_LENGTH=1 << 20,  # request body bytes (Flask answers 413 past it)
        MAX_QUERY_LENGTH=100_000,    # characters of SPARQL text (413 past it)
        QUERY_WORKERS=None,          # query worker processes; None: one per CPU
        TSKG_REMOTE_ENDPOINT=None,   # a SPARQL 1.1 endpoint URL: front it instead of the build's store
        TSKG_BUILD=None,             # a finished Build to serve (else the app builds TSKG_ROOT)
        TSKG_ENGINE=None,            # a ready Engine (tests); the app then neither builds nor closes it
        PUBLIC_URL=None,             # base of absolute URLs (server.web.http.public_url); never the Host header
        REQUEST_BODY_TIMEOUT=10.0,   # seconds for a request body to arrive (under gevent workers)
    )
    if config:
        app.config.update(config)
    _attach_engine(app)
    http.init_app(app)
    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(f"server.web.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"server.web.{name}":
                raise
            continue  # not written yet
        app.register_blueprint(module.bp)
    return app


def _attach_engine(app: Flask) -> None:
    """Build the project (cached by the content of its sources) and start the query engine:
    app.extensions["tskg.build"] (None in remote mode) and app.extensions["tskg.engine"].

    Under gunicorn the `serve` command builds once in the master before forking, so this finds
    the cached build; each worker then starts its own query processes, after the fork."""
    from ..store import embedded_engine, remote_engine

    cfg = app.config
    options = {"timeout": float(cfg["QUERY_TIMEOUT"]), "max_rows": cfg["MAX_ROWS"]}
    build = None
    if cfg["TSKG_ENGINE"] is not None:
        engine = cfg["TSKG_ENGINE"]
    elif cfg["TSKG_REMOTE_ENDPOINT"]:
        engine = remote_engine(cfg["TSKG_REMOTE_ENDPOINT"], **options)
    else:
        build = cfg["TSKG_BUILD"]
        if build is None:
            from ..build import build as run_build
            from ..project import Project

            build = run_build(Project.locate(cfg["TSKG_ROOT"]))
        engine = embedded_engine(build, workers=cfg["QUERY_WORKERS"], **options)
    if cfg["TSKG_ENGINE"] is None:
        atexit.register(engine.close)
    app.extensions["tskg.build"] = build
    app.extensions["tskg.engine"] = engine
