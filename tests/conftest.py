"""Shared fixtures: the project checkout, the W3C suites in ../shared, the app and live servers over the
curated graph, and Oxigraph server holding the same graph. Helpers live in tests/helpers.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers import OXIGRAPH, REPO_ROOT, SHARED, TSKG, LiveServer, serve_app, start_oxigraph, stop_process
from server.project import Project

__all__ = ["REPO_ROOT", "SHARED", "LiveServer"]

# The ontology metadata that the gate (server.checks.gate) asks of every project: a small test project starts with it.
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


@pytest.fixture(scope="session")
def oxigraph_server(app, tmp_path_factory):
    """A read-only Oxigraph server holding what `tskg publish` sent it (the curated graph); its base URL."""
    if not OXIGRAPH.exists():
        pytest.skip(f"{OXIGRAPH} not found: pip install oxigraph (in the test extra)")
    location = tmp_path_factory.mktemp("oxigraph-store")
    writer, base = start_oxigraph("serve", location)
    try:
        env = {**os.environ, "TSKG_ROOT": str(REPO_ROOT)}
        published = subprocess.run([str(TSKG), "publish", base + "/store", "--quiet"], env=env,
                                   capture_output=True, text=True, timeout=600)
        assert published.returncode == 0, published.stderr
    finally:
        stop_process(writer)
    reader, base = start_oxigraph("serve-read-only", location)
    yield base
    stop_process(reader)


@pytest.fixture(scope="session")
def remote_live_server(oxigraph_server):
    """Our app fronting that Oxigraph server (`tskg serve --remote`), on loopback."""
    server = serve_app(TSKG_REMOTE_ENDPOINT=oxigraph_server + "/query")
    assert server.app.extensions["tskg.build"] is None
    yield server
    server.stop()
    server.app.extensions["tskg.engine"].close()


@pytest.fixture(scope="session")
def remote_front(app):
    """Our app in remote mode (no build, no dataset) in front of a second instance of our own /sparql over
    the same build, without a row cap: the pages must read the same through any SPARQL 1.1 endpoint."""
    from server.web import create_app

    backend = serve_app(TSKG_BUILD=app.extensions["tskg.build"], QUERY_WORKERS=1, MAX_ROWS=10**7)
    front = create_app({"TESTING": True, "TSKG_REMOTE_ENDPOINT": backend.url + "/sparql", "MAX_ROWS": 10**7})
    assert front.extensions["tskg.build"] is None
    yield front
    front.extensions["tskg.engine"].close()
    backend.stop()
    backend.app.extensions["tskg.engine"].close()
