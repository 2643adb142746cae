"""rdflib's SPARQL engine over the build's quads: the reference the embedded engine is measured against.

It cannot be stopped, has no sandbox and is slow (server/commands/compare_engines.py measures it), so the
server never uses it. It runs the same checked text as the other engines, and rdflib's loading of remote
FROM graphs is switched off besides.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .engine import Engine
from .errors import QueryError
from .formats import serialize_result, term_json

if TYPE_CHECKING:
    from ..build import Build


class RdflibEngine(Engine):
    """rdflib's SPARQL engine over the same quads, loaded into memory."""

    name = "rdflib"

    def __init__(self, store_path, **options):
        super().__init__(**options)
        import rdflib
        import rdflib.plugins.sparql as rdflib_sparql

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False
        store = ox.Store.read_only(str(store_path))
        self.dataset = rdflib.Dataset(default_union=True)
        self.dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
        self._graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))

    def graphs(self):
        return self._graphs

    def _execute(self, text, info, media_type, *, timeout, max_rows, dataset, base_iri, prefixes):
        from ..terms import to_oxigraph

        if dataset[0] == "explicit":
            raise QueryError(501, "the rdflib engine (measurement only) takes no protocol dataset")
        try:
            result = self.dataset.query(text, initNs=prefixes, base=base_iri)
        except Exception as err:  # noqa: BLE001 - pyparsing errors and friends
            raise QueryError(400, f"SPARQL syntax error (rdflib): {err}") from None
        if result.type == "ASK":
            return serialize_result(ox.Store().query("ASK {}" if result.askAnswer else "ASK { FILTER(false) }"),
                                    media_type, max_rows)
        if result.type == "SELECT":
            names = [str(v) for v in result.vars]
            rows = []
            for row in islice(result, max_rows + 1 if max_rows is not None else None):
                rows.append({n: term_json(to_oxigraph(row[n])) for n in names if row[n] is not None})
            truncated = max_rows is not None and len(rows) > max_rows
            rows = rows[:max_rows] if truncated else rows
            body = json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}).encode()
            out = serialize_result(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), media_type, None)
            out.truncated = truncated
            return out
        triples = (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in result.graph)
        return serialize_result(triples, media_type, max_rows)


def rdflib_engine(build: "Build", **options) -> RdflibEngine:
    return RdflibEngine(build.store_path, **options)
