"""What the saved-query tests share: the folder, the constants, and the small clients of /queries and
/sparql on a live server."""

from __future__ import annotations

import requests

from helpers import REPO_ROOT
from server.store.saved_queries import load_folder

QUERIES_DIR = REPO_ROOT / "queries"
TSK = "https://w3id.org/tskg/ontology#"
TSKC = "https://w3id.org/tskg/concept/"
TSKR = "https://w3id.org/tskg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SPARQL_JSON = "application/sparql-results+json"

QUERIES = load_folder(QUERIES_DIR)


def get(live_server, name: str, params: dict | None = None, accept: str = SPARQL_JSON, **kwargs) -> requests.Response:
    return requests.get(f"{live_server.url}/queries/{name}", params=params or {}, headers={"Accept": accept},
                        timeout=60, **kwargs)


def bindings(live_server, name: str, **params) -> list[dict]:
    """The rows of a saved query as SPARQL JSON bindings (type, value, datatype, xml:lang)."""
    response = get(live_server, name, params)
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def rows(live_server, name: str, **params) -> list[dict[str, str]]:
    """The rows with plain values (IRIs and lexical forms)."""
    return [{k: v["value"] for k, v in b.items()} for b in bindings(live_server, name, **params)]


def index_of(found: list[dict], key: str, value: str) -> int:
    for i, row in enumerate(found):
        if row.get(key) == value:
            return i
    raise AssertionError(f"no row with {key} = {value!r} in {[r.get(key) for r in found]}")


def sparql_ask(live_server, query: str) -> bool:
    response = requests.get(f"{live_server.url}/sparql", params={"query": query},
                            headers={"Accept": SPARQL_JSON}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def sparql_select(live_server, query: str) -> list[dict[str, str]]:
    response = requests.get(f"{live_server.url}/sparql", params={"query": query},
                            headers={"Accept": SPARQL_JSON}, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]
