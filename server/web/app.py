"""The Flask app factory, as in the Flask tutorial: configuration, then one blueprint per concern."""

from __future__ import annotations

import importlib

from flask import Flask

# Blueprint modules under server/web/, each exposing `bp`.
BLUEPRINTS = ["sparql", "saved_queries", "pages"]


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        TSKG_ROOT=None,              # project checkout; None: this one
        QUERY_TIMEOUT=10.0,          # seconds; clients may ask for less
        MAX_ROWS=10_000,             # result rows before truncation
        MAX_CONTENT_LENGTH=1 << 20,  # request body bytes (Flask answers 413 past it)
    )
    if config:
        app.config.update(config)
    for name in BLUEPRINTS:
        try:
            module = importlib.import_module(f"server.web.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"server.web.{name}":
                raise
            continue  # not written yet
        app.register_blueprint(module.bp)
    return app
