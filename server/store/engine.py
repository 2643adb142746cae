"""The interface every query engine offers: `Engine.run`, and `select` / `ask` / `construct` on top.

`run` reads the query once (server.store.inspect: SERVICE and updates refused, nesting bounded, the
text the engine will run decided), checks that a dataset names only graphs of the store (so nothing is
fetched from elsewhere), binds parameters as RDF terms, then hands the text to the engine's `_execute`.
The default graph of a query is the union of the store's named graphs. The project's prefixes
(server.namespaces.PREFIXES) may be used without declaring them, as in `tskg query` and the editor.

Answers may be kept (server.store.answers): an engine over a build, given an AnswerCache and the build's
digest, answers a question it has answered before from there, without running it again; the key is the
digest, the text run (parameters bound), the dataset, the format, the row limit, the base IRI and the
prefixes. Errors are never kept. A remote store's data may change under it, so its answers are not kept.

The engines: server.store.embedded (the build's store in sandboxed query processes; the default),
server.store.remote (a SPARQL 1.1 endpoint), server.store.rdflib_engine (rdflib, for measurement).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pyoxigraph as ox

from ..namespaces import PREFIXES
from .errors import QueryError
from .answers import AnswerCache
from .formats import ASK_MEDIA_TYPES, SELECT_MEDIA_TYPES, QueryOutput
from .inspect import QueryInfo, bind, check_dataset, inspect_query

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
READING_BYTES_PER_CHARACTER = 40  # a QueryInfo's memory, tokens included, per character of text (measured: 25-35)


class Engine:
    """Runs read-only SPARQL queries safely. Subclasses implement `_execute` and `graphs`."""

    name = "engine"

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS,
                 answers: AnswerCache | None = None, digest: str | None = None):
        self.timeout = timeout
        self.max_rows = max_rows
        self.answers = answers if digest else None  # kept only where the data is known not to change
        self.digest = digest
        self._stats: dict | None = None

    # Subclasses -------------------------------------------------------------------------------------
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs a query may use."""
        raise NotImplementedError

    def _execute(self, text: str, info: QueryInfo, media_type: str, *, timeout: float, max_rows: int | None,
                 dataset: tuple, base_iri: str | None, prefixes: dict[str, str]) -> QueryOutput:
        """Run `text` (what inspect_query decided, parameters bound). `info` locates syntax errors."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    # The interface ------------------------------------------------------------------------------------
    def inspect(self, query: str, base_iri: str | None = None) -> QueryInfo:
        """Read `query` as `run` will (QueryError for what is refused); the web layer reads it once
        this way to choose the result format, then hands the result to `run`. Where answers are kept,
        so is what a text was read as (the reading depends on the text, base and prefixes alone): a
        saved query or a page's query, run again with other parameters, is not read again."""
        if self.answers is None:
            return inspect_query(query, base_iri, PREFIXES)
        key = ("read", query, base_iri)
        info = self.answers.get(key)
        if info is None:
            info = inspect_query(query, base_iri, PREFIXES)
            self.answers.put(key, info, READING_BYTES_PER_CHARACTER * len(query))
        return info

    def run(
        self,
        query: str | QueryInfo,
        media_type: str,
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        bindings: Mapping[str, object] | None = None,
        base_iri: str | None = None,
    ) -> QueryOutput:
        """Run `query`, answering in `media_type`; `base_iri` resolves relative IRIs (the endpoint's URL)."""
        info = query if isinstance(query, QueryInfo) else self.inspect(query, base_iri)
        available = self.graphs()
        check_dataset(info.from_graphs, available, "FROM")
        check_dataset(info.from_named_graphs, available, "FROM NAMED")
        check_dataset(default_graph_uris, available, "default-graph-uri")
        check_dataset(named_graph_uris, available, "named-graph-uri")
        if default_graph_uris or named_graph_uris:
            # The protocol's dataset replaces the query's (SPARQL 1.1 Protocol, 2.1.4).
            dataset = ("explicit", list(default_graph_uris), list(named_graph_uris))
        elif info.has_dataset:
            dataset = ("query",)
        else:
            dataset = ("union",)
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        rows = self.max_rows if max_rows is None else max_rows
        text = bind(info, bindings)
        key = None
        if self.answers is not None:
            key = ("answer", self.digest, text, _hashable(dataset), media_type, rows, base_iri,
                   tuple(sorted(info.undeclared.items())))
            kept = self.answers.get(key)
            if kept is not None:
                return kept
        out = self._execute(text, info, media_type, timeout=limit, max_rows=rows, dataset=dataset,
                            base_iri=base_iri, prefixes=info.undeclared)
        if key is not None:
            self.answers.put(key, out, len(out.body))
        return out

    def select(self, query: str, *, bindings=None, timeout=None, max_rows=None, **dataset) -> list[dict]:
        out = self.run(query, SELECT_MEDIA_TYPES[0], bindings=bindings, timeout=timeout, max_rows=max_rows, **dataset)
        if out.kind != "select":
            raise QueryError(400, f"expected a SELECT query, got {out.kind.upper()}")
        solutions = ox.parse_query_results(out.body, format=ox.QueryResultsFormat.JSON)
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]

    def ask(self, query: str, *, bindings=None, timeout=None, **dataset) -> bool:
        out = self.run(query, ASK_MEDIA_TYPES[0], bindings=bindings, timeout=timeout, **dataset)
        if out.kind != "ask":
            raise QueryError(400, f"expected an ASK query, got {out.kind.upper()}")
        return bool(ox.parse_query_results(out.body, format=ox.QueryResultsFormat.JSON))

    def construct(self, query: str, *, bindings=None, timeout=None, max_rows=None, **dataset) -> list[ox.Triple]:
        out = self.run(query, "application/n-triples", bindings=bindings, timeout=timeout, max_rows=max_rows, **dataset)
        return [q.triple for q in ox.parse(out.body, format=ox.RdfFormat.N_TRIPLES)]

    def stats(self) -> dict[str, dict[str, int]]:
        """VoID-style figures per named graph, computed once (the data does not change under an engine)."""
        if self._stats is None:
            stats = {}
            for g in self.graphs():
                graph = str(ox.NamedNode(g))  # written by pyoxigraph: a valid, escaped IRI
                row = self.select(
                    "SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) "
                    f"(COUNT(DISTINCT ?p) AS ?properties) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
                    timeout=self.timeout,
                )[0]
                classes = self.select(
                    f"SELECT (COUNT(DISTINCT ?c) AS ?classes) WHERE {{ GRAPH {graph} {{ ?x a ?c }} }}",
                    timeout=self.timeout,
                )[0]
                stats[g] = {k: int(v.value) for k, v in {**row, **classes}.items()}
            self._stats = stats
        return self._stats

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _hashable(dataset: tuple) -> tuple:
    return tuple(tuple(part) if isinstance(part, list) else part for part in dataset)


def dataset_options(dataset: tuple) -> dict:
    """pyoxigraph's Store.query options for the dataset `run` decided on."""
    if dataset[0] == "union":
        return {"use_default_graph_as_union": True}
    if dataset[0] == "explicit":
        return {
            "default_graph": [ox.NamedNode(g) for g in dataset[1]],
            "named_graphs": [ox.NamedNode(g) for g in dataset[2]],
        }
    return {}  # the query's own FROM / FROM NAMED
