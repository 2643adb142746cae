"""The Flask app factory, as in the Flask tutorial: configuration, the engine's life (server.web.engine),
the HTTP plumbing (server.web.http), then one blueprint per concern, imported and registered by name so
that a missing or renamed module fails at start instead of leaving a gap."""

from __future__ import annotations

from flask import Flask

from . import editor, engine, http, saved_queries, sparql
from .pages import downloads, home, network, ontology, relations, resources, search, timeline

BLUEPRINTS = (sparql.bp, saved_queries.bp, editor.bp, resources.bp, home.bp, ontology.bp, downloads.bp, search.bp,
              network.bp, timeline.bp, relations.bp)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        TSKG_ROOT=None,              # project checkout; None: this one
        QUERY_TIMEOUT=10.0,          # seconds; clients may ask for less
        MAX_ROWS=10_000,             # result rows before truncation
        MAX_CONTENT_LENGTH=1 << 20,  # request body bytes (Flask answers 413 past it)
        MAX_QUERY_LENGTH=100_000,    # characters of SPARQL text (413 past it)
        QUERY_WORKERS=None,          # query processes; None: one per CPU
        TSKG_REMOTE_ENDPOINT=None,   # a SPARQL 1.1 endpoint URL: front it instead of the build's store
        TSKG_BUILD=None,             # a finished Build to serve (else the app builds TSKG_ROOT)
        TSKG_ENGINE=None,            # a ready Engine (tests); the app then neither builds nor closes it
        PUBLIC_URL=None,             # base of absolute URLs (server.web.http.public_url); never the Host header
        REQUEST_BODY_TIMEOUT=10.0,   # seconds for a request body to arrive (under gevent workers)
    )
    if config:
        app.config.update(config)
    engine.init_app(app)
    http.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
