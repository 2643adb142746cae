"""The web app: SPARQL 1.1 endpoint, saved queries, linked-data pages (Flask app factory)."""

from .app import create_app

__all__ = ["create_app"]
