"""Shared fixtures: the project checkout, the W3C suites in ../shared, and a live server."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from server.project import Project

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"

# The ontology metadata that the gate (server.gate) asks of every project: a small test project starts with it.
ONTOLOGY_HEADER = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix vann: <http://purl.org/vocab/vann/> .
<https://w3id.org/tskg/ontology> a owl:Ontology ; dcterms:title "A tiny test ontology"@en ;
  dcterms:license <https://creativecommons.org/licenses/by/4.0/> ; dcterms:creator "tests" ;
  owl:versionIRI <https://w3id.org/tskg/ontology/0.0.1> ; vann:preferredNamespacePrefix "tsk" ;
  vann:preferredNamespaceUri "https://w3id.org/tskg/ontology#" .
"""


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.locate(REPO_ROOT)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (W3C test suites, the source article)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found: the W3C suites and the source live in ../shared beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def source_text(shared_dir) -> str:
    return (shared_dir / "sources" / "turkey-drone-sales-to-kosovo.txt").read_text(encoding="utf-8")


class LiveServer:
    """A real HTTP server on loopback running the app in a background thread."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()


@pytest.fixture(scope="session")
def app():
    from server.web import create_app

    return create_app({"TESTING": True})


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture()
def client(app):
    return app.test_client()
