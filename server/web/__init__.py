"""The web app: SPARQL 1.1 endpoint, saved queries, linked-data pages (Flask app factory)."""

from __future__ import annotations

from flask import Flask, current_app

from .app import create_app


def engine_for(app: Flask | None = None):
    """The app's query engine (server.engine.Engine): the build's store, or a remote endpoint."""
    return (app or current_app).extensions["tskg.engine"]


def build_for(app: Flask | None = None):
    """The app's Build, or None when it fronts a remote endpoint."""
    return (app or current_app).extensions["tskg.build"]


def negotiate(kind: str, request=None) -> str:
    """The media type to answer a `kind` ("select", "ask", "graph") result in; see server.web.sparql."""
    from .sparql import negotiate as _negotiate

    return _negotiate(kind, request)


__all__ = ["create_app", "engine_for", "build_for", "negotiate"]
