"""A SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, Virtuoso, …) behind the same interface.

The query is read and checked as for the embedded store (server.store.engine), its syntax is checked in
a sandboxed query process over an empty store (so that errors read the same in both modes and no text is
parsed in the web process), then the text `Engine.run` decided on is sent with POST. Parameters are bound
in that text as RDF terms (server.store.inspect.bind), so they keep their meaning on any store. The
project's prefixes that the query uses without declaring are declared for the remote store, on the first
line, so that its line numbers match ours.
"""

from __future__ import annotations

import pyoxigraph as ox

from .embedded import QueryProcesses
from .engine import Engine
from .errors import QueryError
from .formats import SELECT_MEDIA_TYPES, QueryOutput, serialize_result

SYNTAX_CHECKERS = 2


class RemoteEngine(Engine):
    """Forwards queries to a SPARQL 1.1 Protocol endpoint, with the same checks and output."""

    name = "remote"

    def __init__(self, endpoint_url: str, **options):
        super().__init__(**options)
        import requests

        self.url = endpoint_url
        self.session = requests.Session()
        self._graphs: list[str] | None = None
        self.checker = QueryProcesses(None, SYNTAX_CHECKERS)

    def close(self) -> None:
        self.checker.close()

    def _post(self, query: str, accept: str, timeout: float, data_extra: dict | None = None):
        import requests

        data = {"query": query, **(data_extra or {})}
        try:
            response = self.session.post(self.url, data=data, headers={"Accept": accept}, timeout=timeout)
        except requests.Timeout:
            raise QueryError(503, f"query exceeded the {timeout:g} s time limit at the remote store") from None
        except requests.RequestException as err:
            raise QueryError(502, f"the remote store {self.url} could not be reached: {err}") from None
        if response.status_code == 400:
            raise QueryError(400, f"the remote store refused the query: {response.text.strip()[:300]}")
        if response.status_code != 200:
            raise QueryError(502, f"the remote store {self.url} answered {response.status_code}: "
                                  f"{response.text.strip()[:300]}")
        return response

    def graphs(self) -> list[str]:
        if self._graphs is None:
            response = self._post(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", SELECT_MEDIA_TYPES[0], self.timeout
            )
            solutions = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
            self._graphs = sorted(s["g"].value for s in solutions if isinstance(s["g"], ox.NamedNode))
        return self._graphs

    def _execute(self, text, info, media_type, *, timeout, max_rows, dataset, base_iri, prefixes) -> QueryOutput:
        located = info if text == info.text else None
        tabular = self.checker.ask(("parse", text, base_iri, prefixes), timeout, located)
        declarations = "".join(f"PREFIX {p}: {ox.NamedNode(iri)} " for p, iri in sorted(prefixes.items()))
        if base_iri:
            declarations = f"BASE {ox.NamedNode(base_iri)} " + declarations
        query = declarations + text
        if dataset[0] == "union":  # portable: every server honours an explicit protocol dataset
            extra = {"default-graph-uri": self.graphs(), "named-graph-uri": self.graphs()}
        elif dataset[0] == "explicit":
            extra = {"default-graph-uri": dataset[1], "named-graph-uri": dataset[2]}
        else:
            extra = {}
        if tabular:
            response = self._post(query, SELECT_MEDIA_TYPES[0], timeout, extra)
            result = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        else:
            response = self._post(query, "application/n-triples", timeout, extra)
            result = (q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
        return serialize_result(result, media_type, max_rows)


def remote_engine(endpoint_url: str, **options) -> RemoteEngine:
    return RemoteEngine(endpoint_url, **options)
