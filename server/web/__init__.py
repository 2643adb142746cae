"""The web app (a Flask app factory, server.web.app.create_app):

    store ─▶ engine (server.web.engine) ─▶ /sparql (sparql), /queries and /openapi.json (saved_queries),
             the query editor (editor), the pages (pages/: resources, home, ontology, downloads)

HTTP plumbing (negotiation, errors, headers, CORS, the public URL) lives in server.web.http; the service
description and the OpenAPI document are pure generators (service_description, openapi); assets copies
the front-end packages into static/vendor/.

Exports: `create_app`.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
