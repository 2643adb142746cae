"""The store stage: the build's on-disk store and the engines that answer SPARQL over it.

    on-disk store ─▶ inspect (what will run; SERVICE refused, nesting bounded) ─▶ engine
        (sandboxed query processes, or a remote SPARQL 1.1 store) ─▶ results in the asked format

Exports:
- `Engine`: the interface (run, select, ask, construct, stats); `QueryError`: what an engine refuses,
  with the HTTP status to send;
- `embedded_engine(build)`: the default, pyoxigraph in sandboxed query processes (server.store.embedded);
  `remote_engine(url)`: a SPARQL 1.1 endpoint (server.store.remote); `rdflib_engine(build)`: the
  reference, for measurement (server.store.rdflib_engine);
- the media types and format names of results (server.store.formats);
- server.store.answers: `AnswerCache`, answers kept for the life of a build (an LRU bounded in bytes);
- server.store.saved_queries: the saved queries of queries/ (grlc-style .rq files) and their typed
  parameters, apart from any HTTP (server.web.saved_queries serves them).
"""

from .engine import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, Engine
from .errors import QueryError
from .formats import (
    ASK_MEDIA_TYPES, FORMAT_NAMES, GRAPH_MEDIA_TYPES, MEDIA_TYPES, SELECT_MEDIA_TYPES, QueryOutput,
)
from .inspect import MAX_NESTING, READ_ONLY_MESSAGE, QueryInfo


def embedded_engine(build, **options):
    from .embedded import embedded_engine as make

    return make(build, **options)


def remote_engine(endpoint_url: str, **options):
    from .remote import remote_engine as make

    return make(endpoint_url, **options)


def rdflib_engine(build, **options):
    from .rdflib_engine import rdflib_engine as make

    return make(build, **options)


__all__ = [
    "ASK_MEDIA_TYPES", "DEFAULT_MAX_ROWS", "DEFAULT_TIMEOUT", "Engine", "FORMAT_NAMES", "GRAPH_MEDIA_TYPES",
    "MAX_NESTING", "MEDIA_TYPES", "QueryError", "QueryInfo", "QueryOutput", "READ_ONLY_MESSAGE",
    "SELECT_MEDIA_TYPES", "embedded_engine", "rdflib_engine", "remote_engine",
]
