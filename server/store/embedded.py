"""The build's on-disk store, queried in a pool of sandboxed query processes (the default engine).

Why processes: pyoxigraph cannot cancel a query (no timeout parameter; ORDER BY and GROUP BY run before
the first row), so each query runs in a process of its own that can be killed. The parent sends the text
`Engine.run` decided on and waits with a deadline; past it, it kills that process, starts a replacement
and answers 503 while the other processes go on serving. A process that dies under a query (out of
memory, a crash) is replaced the same way and answered 503 with Retry-After. Only bytes cross the pipe:
the processes serialize and cap the results themselves.

Each query process, before it reads any query:
- cuts itself off the network (server.store.sandbox), so a SERVICE call could reach no other host even if
  one got past the query check;
- runs in a session of its own and ignores Ctrl-C (the server stops it; it also dies with its parent,
  PR_SET_PDEATHSIG, and when its pipe closes), so an interrupted server prints no tracebacks of theirs;
- runs queries on a thread with a STACK_SIZE stack: pyoxigraph's parser and evaluator recurse, and on the
  default 8 MiB stack 5,000 nested brackets or 10,000 chained `+` terms overflow it and kill the process
  (measured); with 256 MiB nothing within the 100,000-character query limit does (measured up to the limit
  for nesting and for chains of UNION, OPTIONAL, MINUS, BIND, `||`, `+`, COALESCE, IF and subqueries);
- after a query that took TRIM_AFTER seconds or more, once its answer is sent, hands the memory the query
  freed back to the system (glibc's malloc_trim): glibc keeps it otherwise, and a few large queries left
  each process holding about 100 MiB more at 1M generated triples (measured). The call walks the heap
  (5-20 ms), so short queries skip it.

One pool serves every request handler of a web process. `QueryProcesses(None, n)` holds an empty in-memory
store instead: the remote engine checks syntax there, so no query text is parsed in the web process.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .engine import Engine, dataset_options
from .errors import QueryError
from .formats import QueryOutput, serialize_result, serialize_whole
from .inspect import QueryInfo, limit_solutions, syntax_error

if TYPE_CHECKING:  # the build pulls in rdflib; the query processes do not need it
    from ..build import Build

STACK_SIZE = 256 * 1024 * 1024
TRIM_AFTER = 0.1
START_TIMEOUT = 60.0
RETRY_AFTER_SECONDS = 1


# --- in the query process --------------------------------------------------------------------------------


def execute_on_store(store: ox.Store, request: tuple):
    """Answer one request: ("query", text, media_type, max_rows, dataset, base_iri, prefixes[, capped]) →
    QueryOutput, or ("parse", text, base_iri, prefixes) → True for SELECT / ASK, False for CONSTRUCT /
    DESCRIBE. `capped` is `text` bounded to max_rows + 1 solutions (inspect.limit_solutions), or None:
    with it the engine writes the result itself, and only a result over the limit is cut row by row."""
    if request[0] == "parse":
        _, text, base_iri, prefixes = request
        result = store.query(text, base_iri=base_iri, prefixes=prefixes or None)
        tabular = isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
        del result  # pyoxigraph results are dropped on the thread that made them
        return tabular
    _, text, media_type, max_rows, dataset, base_iri, prefixes, *rest = request
    capped = rest[0] if rest else None
    options = {"base_iri": base_iri, "prefixes": prefixes or None, **dataset_options(dataset)}
    if capped is not None:
        try:
            result = store.query(capped, **options)
        except SyntaxError:  # the text as read gives the error, with its positions (or runs, if the cap erred)
            pass
        else:
            whole = serialize_whole(result, media_type, max_rows)
            if whole is not None:
                return whole
            text = capped  # over the limit: cut row by row, from the capped query (it stops sooner)
    return serialize_result(store.query(text, **options), media_type, max_rows)


def process_main(read_fd: int, write_fd: int, store_path: str | None) -> None:
    """A query process: sandbox itself, open the store, then answer requests until the pipe closes."""
    from . import sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # die with the parent even when it is killed hard (Linux)
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort; the closed pipe also ends the loop
        pass
    inbox, outbox = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    unsandboxed = sandbox.install()
    try:
        store = ox.Store.read_only(store_path) if store_path else ox.Store()
        graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    except OSError as err:
        _say(outbox, ("failed", f"cannot open the store at {store_path}: {err}"))
        return

    def answer(request):
        try:
            return ("ok", execute_on_store(store, request))
        except SyntaxError as err:
            return ("syntax", str(err))
        except QueryError as err:
            return ("error", err)
        except Exception as err:  # noqa: BLE001 - report, keep serving
            return ("error", QueryError(500, f"query failed: {type(err).__name__}: {err}"))

    release_memory = _memory_releaser()

    def serve() -> None:
        if not _say(outbox, ("ready", graphs, unsandboxed)):
            return
        while True:
            try:
                request = inbox.recv()
                started = time.monotonic()
                outbox.send(answer(request))
            except (EOFError, OSError):  # the pipe closed: the parent is done with us
                return
            if time.monotonic() - started >= TRIM_AFTER:
                release_memory()

    try:
        threading.stack_size(STACK_SIZE)
        worker = threading.Thread(target=serve, name="tskg-query")
        worker.start()
    except (RuntimeError, ValueError) as err:
        _say(outbox, ("failed", f"cannot start a query thread with a {STACK_SIZE >> 20} MiB stack ({err}); "
                                "is the address space limited (ulimit -v)?"))
        return
    worker.join()


def _memory_releaser():
    """glibc's malloc_trim(0) as a function of no arguments, or a function that does nothing where the C
    library is not glibc."""
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


def _say(outbox: Connection, message: tuple) -> bool:
    """Send `message` to the parent; False if it is no longer listening (it gave up on us, or stops)."""
    try:
        outbox.send(message)
        return True
    except OSError:
        return False


# --- in the parent -----------------------------------------------------------------------------------------


def query_request(text: str, info: QueryInfo, media_type: str, max_rows: int | None, dataset: tuple,
                  base_iri: str | None, prefixes: dict) -> tuple:
    """What a query process is sent for one query (see execute_on_store)."""
    capped = None if max_rows is None else limit_solutions(info, text, max_rows + 1)
    if max_rows is None and info.kind == "select":
        capped = text  # nothing to cut: the engine writes it all
    return ("query", text, media_type, max_rows, dataset, base_iri, prefixes, capped)


class QueryProcess:
    """One query process and the two pipe ends the parent holds."""

    def __init__(self, store_path: str | None):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        code = f"from server.store.embedded import process_main; process_main({to_child_r}, {from_child_w}, {store_path!r})"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,  # a terminal's Ctrl-C is for the server, which stops these itself
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.outbox = Connection(to_child_w, readable=False)
        self.inbox = Connection(from_child_r, writable=False)
        self.unsandboxed: str | None = None

    def wait_ready(self, timeout: float) -> list[str]:
        if not self.inbox.poll(timeout):
            self.kill()
            raise RuntimeError(f"a query process did not start within {timeout:.0f} s")
        try:
            message = self.inbox.recv()
        except (EOFError, OSError):
            self.kill()
            raise RuntimeError(f"a query process ended before it was ready (exit code {self.process.returncode}; "
                               "out of memory?)") from None
        if message[0] != "ready":
            self.kill()
            raise RuntimeError(message[1])
        self.unsandboxed = message[2]
        return message[1]

    def kill(self) -> None:
        self.signal_kill()
        self.reap()

    def signal_kill(self) -> None:
        try:
            self.process.kill()
        except OSError:
            pass
        for conn in (self.inbox, self.outbox):
            try:
                conn.close()
            except OSError:
                pass

    def reap(self) -> None:
        """Wait for the killed process. At exit, a signal handler may end the wait early (gunicorn's
        worker exits on Ctrl-C from inside one): the process is dead already, so that is let be."""
        try:
            self.process.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError, SystemExit, KeyboardInterrupt):
            pass


def readable_waiter():
    """How the parent waits for an answer on a pipe: `wait(connection, seconds) -> bool`, True once
    there is something to read. Under gevent's monkey-patching (gunicorn's gevent workers) that is
    gevent's own watcher on the pipe: Connection.poll goes through gevent's emulation of select(),
    which costs 0.05 ms more per query and sometimes a millisecond (measured: p90 0.17 ms against
    0.5-1.1 ms for an ASK). Elsewhere Connection.poll itself."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return lambda connection, seconds: connection.poll(max(0.0, seconds))
    from gevent.socket import wait_read

    def wait(connection: Connection, seconds: float) -> bool:
        if seconds <= 0:
            return connection.poll(0)
        try:
            wait_read(connection.fileno(), timeout=seconds)
        except TimeoutError:
            return False
        return True

    return wait


class QueryProcesses:
    """A pool of `size` query processes over the store at `store_path` (None: an empty store)."""

    def __init__(self, store_path: str | None, size: int):
        self.store_path = store_path
        self.size = max(1, size)
        self.graphs: list[str] = []
        self.unsandboxed: str | None = None
        self._idle: queue.Queue[QueryProcess] = queue.Queue()
        self._all: set[QueryProcess] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._start_error: str | None = None
        self.asked = 0  # requests sent to the processes (answers kept elsewhere never come here)
        self._wait_readable = readable_waiter()
        # Processes are started by one long-lived thread: Linux's parent-death signal, which they use to
        # die with the server, fires when the *thread* that started them ends.
        self._spawn_requests: queue.Queue = queue.Queue()
        threading.Thread(target=self._spawn_loop, name="tskg-query-processes", daemon=True).start()
        for _ in range(self.size):
            self._spawn_requests.put(True)
        deadline = time.monotonic() + START_TIMEOUT
        while self._idle.qsize() < self.size and self._start_error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._idle.qsize() < self.size:
            self.close()
            raise RuntimeError(self._start_error or f"the query processes did not start within {START_TIMEOUT:.0f} s")
        if self.unsandboxed:
            print(f"tskg: warning: query processes run without the network sandbox ({self.unsandboxed}); "
                  "SERVICE is kept out by the query check alone", file=sys.stderr)

    @property
    def pids(self) -> set[int]:
        with self._lock:
            return {p.process.pid for p in self._all}

    def _spawn_loop(self) -> None:
        while self._spawn_requests.get() is not None:
            try:
                process = QueryProcess(self.store_path)
                self.graphs = process.wait_ready(START_TIMEOUT / 2)
                self.unsandboxed = process.unsandboxed
            except Exception as err:  # noqa: BLE001 - reported to the constructor or on stderr
                self._start_error = str(err)
                print(f"tskg: could not start a query process: {err}", file=sys.stderr)
                continue
            with self._lock:
                if self._closed:
                    process.kill()
                    continue
                self._all.add(process)
            self._idle.put(process)

    def _replace(self, process: QueryProcess) -> None:
        """Kill `process` and have another started, so the caller can answer at once."""
        with self._lock:
            self._all.discard(process)
        process.kill()
        self._spawn_requests.put(True)

    def ask(self, request: tuple, timeout: float, info: QueryInfo | None = None):
        """Send `request` to an idle process and return its answer, within `timeout` seconds in all."""
        if self._closed:
            raise QueryError(503, "the query engine is shut down", retry_after=RETRY_AFTER_SECONDS)
        self.asked += 1
        deadline = time.monotonic() + timeout
        try:
            process = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryError(503, f"all {self.size} query processes stayed busy for {timeout:g} s; try again later",
                             retry_after=RETRY_AFTER_SECONDS) from None
        try:
            process.outbox.send(request)
            if not self._wait_readable(process.inbox, deadline - time.monotonic()):
                self._replace(process)
                raise QueryError(503, f"query exceeded the {timeout:g} s time limit and was stopped")
            message = process.inbox.recv()
        except (EOFError, OSError):
            self._replace(process)
            raise QueryError(503, "the query process stopped while running this query (out of memory, or a crash); "
                                  "it has been replaced: try again, or simplify the query",
                             retry_after=RETRY_AFTER_SECONDS) from None
        except QueryError:
            raise
        except BaseException:
            self._replace(process)
            raise
        self._idle.put(process)
        if message[0] == "ok":
            return message[1]
        if message[0] == "syntax":
            raise syntax_error(SyntaxError(message[1]), info)
        raise message[1]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            processes, self._all = list(self._all), set()
        self._spawn_requests.put(None)
        for p in processes:
            p.signal_kill()
        for p in processes:
            p.reap()


class EmbeddedEngine(Engine):
    """pyoxigraph over the build's store, queries running in `workers` sandboxed processes."""

    name = "pyoxigraph"

    def __init__(self, store_path, *, workers: int | None = None, **options):
        super().__init__(**options)
        self.store_path = str(store_path)
        self.pool = QueryProcesses(self.store_path, workers or os.cpu_count() or 1)
        self.size = self.pool.size

    def graphs(self) -> list[str]:
        return self.pool.graphs

    def _execute(self, text, info, media_type, *, timeout, max_rows, dataset, base_iri, prefixes) -> QueryOutput:
        located = info if text == info.text else None  # positions map back only for the text as read
        return self.pool.ask(query_request(text, info, media_type, max_rows, dataset, base_iri, prefixes),
                             timeout, located)

    def close(self) -> None:
        self.pool.close()


def embedded_engine(build: "Build", **options) -> EmbeddedEngine:
    """The engine over `build`; its answers are kept when `answers` (an AnswerCache) is given."""
    return EmbeddedEngine(build.store_path, digest=build.digest, **options)


class DirectEngine(Engine):
    """pyoxigraph in this process, without the pool: used to measure what the pool costs.
    It can neither stop a query nor survive a crash, and has no sandbox: the server never uses it."""

    name = "pyoxigraph-direct"

    def __init__(self, store_path, **options):
        super().__init__(**options)
        self.store = ox.Store.read_only(str(store_path))
        self._graphs = sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def graphs(self):
        return self._graphs

    def _execute(self, text, info, media_type, *, timeout, max_rows, dataset, base_iri, prefixes):
        try:
            return execute_on_store(self.store, query_request(text, info, media_type, max_rows, dataset, base_iri,
                                                              prefixes))
        except SyntaxError as err:
            raise syntax_error(err, info if text == info.text else None) from None
