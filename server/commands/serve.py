"""`tskg serve`: the web app (SPARQL endpoint, saved queries, pages) under gunicorn.

Process model, and why:
- The master never opens the store. The build (or the verification of the cached build) runs in a child
  process (server.build.build_isolated): RocksDB's threads do not survive a fork, and a master that had
  opened the store saw its workers crash on every reload and stop.
- Each web worker is a gevent worker: every connection is a greenlet, so idle, half-sent or slowly read
  connections cost a little memory, not one of a few threads. The request head must arrive within
  KEEPALIVE seconds (and an idle kept-alive connection is closed after as long); a request body within
  REQUEST_BODY_TIMEOUT (server.web.http).
- One web worker (the default) holds one pool of query processes, shared by every request it serves:
  a simple query finds a free process while others run long ones, or gets 503 at once when all are
  busy past its time limit. More web workers (--workers) each have a pool of their own.
- A worker that cannot start (its app raises) ends the server with a message, instead of being started
  again and again; Ctrl-C and SIGTERM stop everything within GRACEFUL_TIMEOUT seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from urllib.parse import urlsplit

from .common import EXIT_NONCONFORMING, EXIT_OK, UsageError, validation_summary

EPILOG = """examples:
  tskg serve                              http://127.0.0.1:8000/ (SPARQL at /sparql)
  tskg serve --port 8080 --query-workers 4
                                          four query processes (default: one per CPU)
  tskg serve --host 0.0.0.0 --base-url https://tskg.example.org/
                                          listen on every address; absolute URLs name the public one
  tskg serve --remote http://127.0.0.1:7878/query
                                          front a SPARQL 1.1 endpoint instead of the embedded store
"""


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "serve",
        help="serve the graph over HTTP: SPARQL endpoint, saved queries, pages (gunicorn)",
        description="Build the graph (cached) and serve it with gunicorn: /sparql (SPARQL 1.1 Protocol), "
        "/queries, and linked-data pages.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument("--workers", type=int, default=1,
                        help="web worker processes, each with its own query processes (default: 1)")
    parser.add_argument("--query-workers", type=int, default=None, metavar="N",
                        help="query processes per web worker (default: one per CPU)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="query time limit; clients may ask for less (default: 10)")
    parser.add_argument("--max-rows", type=int, default=10_000, metavar="N",
                        help="result rows before truncation (default: 10000)")
    parser.add_argument("--remote", metavar="URL",
                        help="front this SPARQL 1.1 query endpoint instead of the embedded store")
    parser.add_argument("--base-url", metavar="URL",
                        help="the public address, for absolute URLs in answers (default: http://HOST:PORT/); "
                             "the request's Host header is never used")
    parser.set_defaults(func=run)


def check_port(host: str, port: int) -> None:
    """Fail with one line before gunicorn retries for seconds and prints a traceback-like log."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise UsageError(f"cannot listen on {host}: {err.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                raise UsageError(f"port {port} on {host} is already in use; choose another with --port") from None
            raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from None


KEEPALIVE = 5           # seconds for a request head to arrive, and for an idle connection to stay open
GRACEFUL_TIMEOUT = 2    # seconds a stopping worker gives the requests it is answering
WORKER_BOOT_ERROR = 3   # gunicorn's exit code when a worker could not load the app


def run(args) -> int:
    from ..build import ValidationFailed, build_isolated
    from ..project import Project
    from ..sources.turtle import TurtleSyntaxError

    for name in ("port", "workers", "max_rows"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    if args.query_workers is not None and args.query_workers < 1:
        raise UsageError("--query-workers must be at least 1")
    url = f"http://{args.host if ':' not in args.host else f'[{args.host}]'}:{args.port}/"
    base_url = args.base_url or url
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--base-url must be an http or https URL, not {base_url!r}")
    check_port(args.host, args.port)

    config = {
        "TSKG_ROOT": args.root,
        "QUERY_TIMEOUT": args.timeout,
        "MAX_ROWS": args.max_rows,
        "QUERY_WORKERS": args.query_workers,
        "PUBLIC_URL": base_url,
    }
    if args.remote:
        config["TSKG_REMOTE_ENDPOINT"] = args.remote
        what = f"fronting {args.remote}"
    else:
        try:
            built = build_isolated(Project.locate(args.root))
        except ValidationFailed as failed:
            print(f"tskg serve: error: {validation_summary(failed.report)}", file=sys.stderr)
            return EXIT_NONCONFORMING
        except TurtleSyntaxError as err:
            raise UsageError(f"{err} (run `tskg validate` for details)") from None
        config["TSKG_BUILD"] = built
        counts = ", ".join(f"{n} {c}" for n, c in built.counts.items())
        what = f"{sum(built.counts.values())} triples ({counts}){', cached build' if built.cached else ''}"

    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "worker_class": _worker_class(),
        "worker_connections": 1000,
        "keepalive": KEEPALIVE,
        # gunicorn's largest bounded request line (the default is 4094): GET carries queries up to about
        # 8 KB encoded; longer ones go by POST (up to 1 MiB, 100,000 characters of SPARQL).
        "limit_request_line": 8190,
        # gunicorn's own worker timeout is a heartbeat; queries are stopped by the engine long before.
        "timeout": max(30, int(args.timeout * 3)),
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": "-",
        "control_socket_disable": True,  # one shared default path would clash between servers
        "preload_app": False,  # the app (and its query processes) is made in each worker, after fork
        # Said once the first worker has its app and query processes, so "ready" means it answers.
        "post_worker_init": lambda worker: worker.age == 1 and print(
            f"tskg serve: {url} (SPARQL endpoint {url}sparql), {what}; "
            f"{args.workers} web worker(s); Ctrl-C stops",
            flush=True,
        ),
    }
    master = os.getpid()
    try:
        _GunicornApp(config, options).run()
    except SystemExit as stop:
        if os.getpid() != master:  # a worker leaving: its exit is gunicorn's business
            raise
        code = stop.code if isinstance(stop.code, int) else 1
        if code == WORKER_BOOT_ERROR:
            print("tskg serve: error: the web worker could not start (its error is above); stopped", file=sys.stderr)
        return code
    return EXIT_OK


def _worker_class():
    """gunicorn's gevent worker, deaf to Ctrl-C: the key reaches the whole process group, and the master
    alone answers it, by telling each worker to stop (once: a second stop interrupts the first)."""
    from gunicorn.workers.ggevent import GeventWorker

    class Worker(GeventWorker):
        def init_signals(self):
            super().init_signals()
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    return Worker


class _GunicornApp:
    """gunicorn embedded through its BaseApplication (https://gunicorn.org/custom)."""

    def __new__(cls, config: dict, options: dict):
        from gunicorn.app.base import BaseApplication

        class App(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    if key in self.cfg.settings and value is not None:
                        self.cfg.set(key, value)

            def load(self):
                from ..web import create_app

                return create_app(config)

        return App()
