"""The query engine behind /sparql, the saved queries, the pages and the command line.

Three engines share one interface (`Engine.run` and the `select` / `construct` / `ask` helpers):

- `embedded_engine(build)`: the build's on-disk pyoxigraph store (the default). pyoxigraph cannot
  cancel a query inside the process (no timeout parameter; ORDER BY and GROUP BY run before the first
  row), so queries run in a small pool of worker processes, each holding its own read-only handle on
  the store. The parent sends (query, options) over a pipe and waits with a deadline; on timeout it
  kills that worker, starts a replacement, and answers 503 while the other workers go on serving.
  Workers serialize and cap the results themselves, so only bytes cross the pipe.
- `remote_engine(url)`: forwards to a SPARQL 1.1 endpoint (Oxigraph server, Fuseki) with requests.
- `rdflib_engine(build)`: rdflib's own engine over the same data, for measurement only.

Every engine checks a query before running it (`inspect_query`): SERVICE, LOAD and updates are refused,
and FROM / FROM NAMED / default-graph-uri / named-graph-uri must name graphs of the store, so nothing is
ever fetched from elsewhere (pyoxigraph and rdflib both execute SERVICE over HTTP; rdflib also loads
remote FROM graphs). The default graph of a query is the union of the store's named graphs.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence
from urllib.parse import urljoin

import pyoxigraph as ox

from ..namespaces import PREFIXES

if TYPE_CHECKING:  # the build pulls in rdflib; the query workers do not need it
    from ..build import Build

# --- media types -------------------------------------------------------------------------------------

SELECT_MEDIA_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
ASK_MEDIA_TYPES = SELECT_MEDIA_TYPES[:2]  # CSV and TSV define no boolean form
GRAPH_MEDIA_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads",
    "application/trig",
]
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
}
_RESULTS_FORMATS = {m: ox.QueryResultsFormat.from_media_type(m) for m in SELECT_MEDIA_TYPES}
_RDF_FORMATS = {m: ox.RdfFormat.from_media_type(m) for m in GRAPH_MEDIA_TYPES}

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryError(Exception):
    """A query the engine will not or could not answer; `status` is the HTTP status to send."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class QueryOutput:
    kind: str  # "select" | "ask" | "graph" (CONSTRUCT / DESCRIBE)
    body: bytes
    media_type: str
    truncated: bool
    rows: int | None


# --- inspecting a query before it runs ---------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n]*)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<var>[?$][\w\u00b7\u00c0-\uffff]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<bnode>_:[\w.\-\u00b7\u00c0-\uffff]+)
    | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:(?:[\w.\-:%\u00b7\u00c0-\uffff]|\\.)*)
    | (?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_QUERY_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

READ_ONLY_MESSAGE = (
    "this endpoint is read-only: SPARQL updates are not accepted. The data changes by editing the Turtle "
    "files in graph/ of the project repository and opening a pull request."
)


@dataclass
class QueryInfo:
    kind: str | None  # "select" | "ask" | "graph", or None when the text is no recognisable query
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)

    @property
    def has_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


def inspect_query(text: str, base_iri: str | None = None) -> QueryInfo:
    """Tokenize `text` just enough to refuse what must never run, and to find the query form and FROM graphs.

    It errs on the side of refusing: the keyword SERVICE anywhere (outside strings, IRIs and comments)
    is refused even where the grammar would not allow it. Codepoint escapes (\\u0053ERVICE) are undone
    first, as the SPARQL grammar says they are. Syntax errors are left to the real parser."""
    text = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    prefixes: dict[str, str] = {}
    base: str | None = base_iri
    kind: str | None = None
    first_word: str | None = None
    from_graphs: list[str] = []
    from_named: list[str] = []
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("ws", "comment")]

    def resolve(token_kind: str, value: str) -> str | None:
        if token_kind == "iri":
            iri = value[1:-1]
            return urljoin(base, iri) if base else iri
        if token_kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix not in prefixes:
                return None  # the parser will report the undeclared prefix
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local.rstrip("."))
        return None

    for i, (token_kind, value) in enumerate(tokens):
        if token_kind != "word":
            continue
        word = value.upper()
        if word == "SERVICE":
            raise QueryError(
                403,
                "SERVICE is not allowed here: this endpoint never sends queries to other services. "
                "Query the other service directly.",
            )
        if word in ("LOAD",) or (first_word is None and word in _UPDATE_WORDS):
            raise QueryError(403, READ_ONLY_MESSAGE)
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = resolve("iri", tokens[i + 1][1])
            continue
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1][0] == "pname":
            if tokens[i + 2][0] == "iri":
                prefixes[tokens[i + 1][1].rstrip(":").split(":")[0]] = resolve("iri", tokens[i + 2][1])
            continue
        if first_word is None and word not in ("BASE", "PREFIX"):
            first_word = word
            kind = _QUERY_FORMS.get(word)
        if word == "FROM" and i + 1 < len(tokens):
            target, named = tokens[i + 1], False
            if target[0] == "word" and target[1].upper() == "NAMED" and i + 2 < len(tokens):
                target, named = tokens[i + 2], True
            iri = resolve(*target)
            if iri is not None:
                (from_named if named else from_graphs).append(iri)
    return QueryInfo(kind=kind, from_graphs=from_graphs, from_named_graphs=from_named)


def check_dataset(graph_iris: Iterable[str], available: Sequence[str], where: str) -> None:
    """Refuse a dataset naming a graph this store does not hold: it would otherwise be fetched (rdflib)
    or silently be empty (pyoxigraph)."""
    for iri in graph_iris:
        if iri not in available:
            listed = ", ".join(f"<{g}>" for g in available) or "none"
            raise QueryError(
                403,
                f"{where} <{iri}> is not a graph of this store, and nothing is fetched from elsewhere; "
                f"the graphs are: {listed}",
            )


def syntax_error(err: Exception) -> QueryError:
    """pyoxigraph says 'error at 3:1: expected one of ...'; say it with line and column, briefly."""
    message = str(err)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if m:
        message = f"line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    message = " ".join(message.split())
    if len(message) > 300:
        message = message[:300] + " …"
    return QueryError(400, f"SPARQL syntax error at {message}")


# --- serializing results (in the workers, and in the remote engine) ----------------------------------


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if getattr(term, "direction", None) is not None:
                out["its:dir"] = str(term.direction.name).lower()
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def serialize_result(result, media_type: str, max_rows: int | None) -> QueryOutput:
    """Serialize a pyoxigraph result (QueryBoolean, QuerySolutions, or an iterable of Triples) to
    `media_type`, keeping at most `max_rows` rows or triples.

    pyoxigraph serializes whole result iterators only, so SELECT rows are capped while writing SPARQL
    JSON here, and other formats are produced by pyoxigraph from that JSON."""
    if isinstance(result, ox.QueryBoolean):
        fmt = _RESULTS_FORMATS.get(media_type) if media_type in ASK_MEDIA_TYPES else None
        if fmt is None:
            raise QueryError(406, f"an ASK result is offered as {', '.join(ASK_MEDIA_TYPES)}, not {media_type}")
        return QueryOutput("ask", result.serialize(format=fmt), media_type, False, None)
    if isinstance(result, ox.QuerySolutions):
        fmt = _RESULTS_FORMATS.get(media_type)
        if fmt is None:
            raise QueryError(406, f"a SELECT result is offered as {', '.join(SELECT_MEDIA_TYPES)}, not {media_type}")
        names = [v.value for v in result.variables]
        bindings = []
        for solution in islice(result, max_rows + 1 if max_rows is not None else None):
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = _term_json(value)
            bindings.append(row)
        truncated = max_rows is not None and len(bindings) > max_rows
        if truncated:
            del bindings[max_rows:]
        body = json.dumps(
            {"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False, separators=(",", ":")
        ).encode()
        if fmt != ox.QueryResultsFormat.JSON:
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
        return QueryOutput("select", body, media_type, truncated, len(bindings))
    fmt = _RDF_FORMATS.get(media_type)
    if fmt is None:
        raise QueryError(
            406, f"a CONSTRUCT or DESCRIBE result is offered as {', '.join(GRAPH_MEDIA_TYPES)}, not {media_type}"
        )
    triples = list(islice(result, max_rows + 1 if max_rows is not None else None))
    truncated = max_rows is not None and len(triples) > max_rows
    if truncated:
        del triples[max_rows:]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
    return QueryOutput("graph", body, media_type, truncated, len(triples))


# --- the common interface ------------------------------------------------------------------------------


class Engine:
    """Runs read-only SPARQL queries safely. Subclasses implement `_execute` and `graphs`."""

    name = "engine"

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, max_rows: int | None = DEFAULT_MAX_ROWS):
        self.timeout = timeout
        self.max_rows = max_rows
        self._stats: dict | None = None

    # Subclasses -------------------------------------------------------------------------------------
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs a query may use."""
        raise NotImplementedError

    def _execute(self, query, media_type, *, timeout, max_rows, dataset, bindings, base_iri) -> QueryOutput:
        raise NotImplementedError

    def close(self) -> None:
        pass

    # The interface ------------------------------------------------------------------------------------
    def run(
        self,
        query: str,
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
        info = inspect_query(query, base_iri)
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
        return self._execute(query, media_type, timeout=limit, max_rows=rows, dataset=dataset, bindings=bindings,
                             base_iri=base_iri)

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


# --- embedded: a pool of worker processes over the on-disk store ------------------------------------


def _dataset_kwargs(dataset) -> dict:
    if dataset[0] == "union":
        return {"use_default_graph_as_union": True}
    if dataset[0] == "explicit":
        return {
            "default_graph": [ox.NamedNode(g) for g in dataset[1]],
            "named_graphs": [ox.NamedNode(g) for g in dataset[2]],
        }
    return {}  # the query's own FROM / FROM NAMED


def _substitutions(bindings) -> dict | None:
    if not bindings:
        return None
    return {ox.Variable(name): term for name, term in bindings.items()}


def execute_on_store(store: ox.Store, request: tuple) -> QueryOutput:
    """Run one request tuple against a pyoxigraph store: what a worker does for each message."""
    query, media_type, max_rows, dataset, bindings, base_iri = request
    try:
        result = store.query(
            query, base_iri=base_iri, substitutions=_substitutions(bindings), **_dataset_kwargs(dataset)
        )
    except SyntaxError as err:
        raise syntax_error(err) from None
    return serialize_result(result, media_type, max_rows)


def _worker_main(read_fd: int, write_fd: int, store_path: str) -> None:
    """A query worker: open the store read-only, then answer requests until the pipe closes."""
    try:  # die with the parent even when it is killed hard (Linux)
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; the closed pipe also ends the loop
        pass
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    try:
        store = ox.Store.read_only(store_path)
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    except OSError as err:
        outbox.send(("failed", f"cannot open the store at {store_path}: {err}"))
        return
    outbox.send(("ready", graphs))
    while True:
        try:
            request = inbox.recv()
        except (EOFError, OSError):
            return
        try:
            outbox.send(("ok", execute_on_store(store, request)))
        except QueryError as err:
            outbox.send(("error", err.status, err.message))
        except Exception as err:  # noqa: BLE001 - report, keep serving
            outbox.send(("error", 500, f"query failed: {type(err).__name__}: {err}"))


class _Worker:
    """One worker process and the two pipe ends the parent holds."""

    def __init__(self, store_path: str):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        code = f"from server.store.engine import _worker_main; _worker_main({to_child_r}, {from_child_w}, {store_path!r})"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.outbox = Connection(to_child_w, readable=False)
        self.inbox = Connection(from_child_r, writable=False)

    def wait_ready(self, timeout: float) -> list[str]:
        if not self.inbox.poll(timeout):
            self.kill()
            raise RuntimeError(f"a query worker did not start within {timeout:.0f} s")
        message = self.inbox.recv()
        if message[0] != "ready":
            self.kill()
            raise RuntimeError(message[1])
        return message[1]

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001
            pass
        for conn in (self.inbox, self.outbox):
            try:
                conn.close()
            except OSError:
                pass


class EmbeddedEngine(Engine):
    """pyoxigraph over the build's store, queries running in `workers` processes."""

    name = "pyoxigraph"

    def __init__(self, store_path, *, workers: int | None = None, **options):
        super().__init__(**options)
        self.store_path = str(store_path)
        self.size = max(1, workers or os.cpu_count() or 1)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._graphs: list[str] = []
        self._start_error: str | None = None
        # Workers are started by one long-lived thread: Linux's parent-death signal, which the workers
        # use to die with the server, fires when the *thread* that started them ends.
        self._spawn_requests: queue.Queue = queue.Queue()
        threading.Thread(target=self._spawn_loop, name="tskg-query-workers", daemon=True).start()
        for _ in range(self.size):
            self._spawn_requests.put(True)
        deadline = time.monotonic() + 60
        while self._idle.qsize() < self.size and self._start_error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._idle.qsize() < self.size:
            self.close()
            raise RuntimeError(self._start_error or "the query workers did not start within 60 s")

    def _spawn_loop(self) -> None:
        while self._spawn_requests.get() is not None:
            try:
                worker = _Worker(self.store_path)
                self._graphs = worker.wait_ready(30)
            except Exception as err:  # noqa: BLE001 - reported to the constructor or on stderr
                self._start_error = str(err)
                print(f"tskg: could not start a query worker: {err}", file=sys.stderr)
                continue
            self._add(worker)

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` and have another started, so the caller can answer at once."""
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._spawn_requests.put(True)

    def graphs(self) -> list[str]:
        return self._graphs

    def _execute(self, query, media_type, *, timeout, max_rows, dataset, bindings, base_iri) -> QueryOutput:
        if self._closed:
            raise QueryError(503, "the query engine is shut down")
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryError(
                503, f"all {self.size} query workers stayed busy for {timeout:g} s; try again later"
            ) from None
        try:
            worker.outbox.send((query, media_type, max_rows, dataset, dict(bindings) if bindings else None, base_iri))
            if not worker.inbox.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                raise QueryError(503, f"query exceeded the {timeout:g} s time limit and was stopped")
            message = worker.inbox.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            raise QueryError(500, "the query worker died while running this query") from None
        except QueryError:
            raise
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if message[0] == "ok":
            return message[1]
        raise QueryError(message[1], message[2])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        self._spawn_requests.put(None)
        for w in workers:
            w.kill()


def embedded_engine(build: "Build", **options) -> EmbeddedEngine:
    return EmbeddedEngine(build.store_path, **options)


# --- direct: the store in this process (no timeout; for measurement and the W3C tests' comparisons) ---


class DirectEngine(Engine):
    """pyoxigraph in this process, without the pool: used to measure what the pool costs.
    It cannot stop a query that runs too long, so the server never uses it."""

    name = "pyoxigraph-direct"

    def __init__(self, store_path, **options):
        super().__init__(**options)
        self.store = ox.Store.read_only(str(store_path))
        self._graphs = sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def graphs(self):
        return self._graphs

    def _execute(self, query, media_type, *, timeout, max_rows, dataset, bindings, base_iri):
        return execute_on_store(self.store, (query, media_type, max_rows, dataset, bindings, base_iri))


# --- remote: a SPARQL 1.1 endpoint --------------------------------------------------------------------


class RemoteEngine(Engine):
    """Forwards queries to a SPARQL 1.1 Protocol endpoint, with the same checks and output."""

    name = "remote"

    def __init__(self, endpoint_url: str, **options):
        super().__init__(**options)
        import requests

        self.url = endpoint_url
        self.session = requests.Session()
        self._graphs: list[str] | None = None

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

    def _execute(self, query, media_type, *, timeout, max_rows, dataset, bindings, base_iri):
        if bindings:
            query = _with_values(query, bindings)
        tabular = _parse_locally(query, base_iri)
        if base_iri:
            query = f"BASE {ox.NamedNode(base_iri)}\n{query}"
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


def _parse_locally(query: str, base_iri: str | None) -> bool:
    """Check the syntax here, for the same error messages as embedded mode (SERVICE is refused before, so
    running it over an empty store fetches nothing); True for SELECT / ASK, False for CONSTRUCT / DESCRIBE.
    The result object must not outlive this call: pyoxigraph results may only be dropped on their thread."""
    try:
        probe = ox.Store().query(query, base_iri=base_iri)
    except SyntaxError as err:
        raise syntax_error(err) from None
    tabular = isinstance(probe, (ox.QuerySolutions, ox.QueryBoolean))
    del probe
    return tabular


def _with_values(query: str, bindings: Mapping[str, object]) -> str:
    """Bind variables for an endpoint that has no substitution parameter: a trailing VALUES clause whose
    terms are written by pyoxigraph (N-Triples syntax), so no user text is spliced into the query."""
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    return f"{query}\nVALUES ({names}) {{ ({values}) }}"


def remote_engine(endpoint_url: str, **options) -> RemoteEngine:
    return RemoteEngine(endpoint_url, **options)


# --- rdflib: for measurement only ---------------------------------------------------------------------


class RdflibEngine(Engine):
    """rdflib's SPARQL engine over the same quads, loaded into memory. It cannot be stopped either, and
    it is slow: it exists to measure pyoxigraph against. Remote loading of FROM graphs is switched off."""

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

    def _execute(self, query, media_type, *, timeout, max_rows, dataset, bindings, base_iri):
        from ..terms import to_oxigraph, to_rdflib

        if dataset[0] == "explicit":
            raise QueryError(501, "the rdflib engine (measurement only) takes no protocol dataset")
        try:
            result = self.dataset.query(
                query, initBindings={k: to_rdflib(v) for k, v in (bindings or {}).items()}, base=base_iri
            )
        except Exception as err:  # noqa: BLE001 - pyparsing errors and friends
            raise QueryError(400, f"SPARQL syntax error (rdflib): {err}") from None
        if result.type == "ASK":
            return serialize_result(ox.Store().query("ASK {}" if result.askAnswer else "ASK { FILTER(false) }"),
                                    media_type, max_rows)
        if result.type == "SELECT":
            names = [str(v) for v in result.vars]
            rows = []
            for row in islice(result, max_rows + 1 if max_rows is not None else None):
                rows.append({n: _term_json(to_oxigraph(row[n])) for n in names if row[n] is not None})
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
