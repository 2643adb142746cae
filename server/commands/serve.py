"""`tskg serve`: the web app (SPARQL endpoint, saved queries, pages) under gunicorn.

The build (parse, validate, reason; cached by the content of the sources) runs once here, in the
gunicorn master, before any worker is forked; each worker then creates the app around that build and
starts its own query processes after the fork (pyoxigraph handles and pipes are not shared across it).
"""

from __future__ import annotations

import socket
import sys

from ..cli import EXIT_NONCONFORMING, EXIT_OK, UsageError

EPILOG = """examples:
  tskg serve                              http://127.0.0.1:8000/ (SPARQL at /sparql)
  tskg serve --port 8080 --workers 4      four gunicorn workers
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
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default: 4)")
    parser.add_argument("--query-workers", type=int, default=None, metavar="N",
                        help="query processes per gunicorn worker (default: one per CPU)")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                        help="query time limit; clients may ask for less (default: 10)")
    parser.add_argument("--max-rows", type=int, default=10_000, metavar="N",
                        help="result rows before truncation (default: 10000)")
    parser.add_argument("--remote", metavar="URL",
                        help="front this SPARQL 1.1 query endpoint instead of the embedded store")
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


def validation_summary(report, limit: int = 10) -> str:
    lines = [f"the data does not conform to the shapes: {len(report.violations)} violation(s)"]
    for r in report.violations[:limit]:
        where = f"{r.file}:{r.line}: " if r.file and r.line else (f"{r.file}: " if r.file else "")
        lines.append(f"  {where}{r.focus}: {r.message}")
    if len(report.violations) > limit:
        lines.append(f"  … and {len(report.violations) - limit} more (run `tskg validate` for all)")
    return "\n".join(lines)


def run(args) -> int:
    from ..build import ValidationFailed, build
    from ..project import Project
    from ..turtle import TurtleSyntaxError

    for name in ("port", "workers", "threads", "max_rows"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    if not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    check_port(args.host, args.port)

    config = {
        "TSKG_ROOT": args.root,
        "QUERY_TIMEOUT": args.timeout,
        "MAX_ROWS": args.max_rows,
        "QUERY_WORKERS": args.query_workers,
    }
    if args.remote:
        config["TSKG_REMOTE_ENDPOINT"] = args.remote
        what = f"fronting {args.remote}"
    else:
        try:
            built = build(Project.locate(args.root))
        except ValidationFailed as failed:
            print(f"tskg serve: error: {validation_summary(failed.report)}", file=sys.stderr)
            return EXIT_NONCONFORMING
        except TurtleSyntaxError as err:
            raise UsageError(f"{err} (run `tskg validate` for details)") from None
        config["TSKG_BUILD"] = built
        counts = ", ".join(f"{n} {c}" for n, c in built.counts.items())
        what = f"{sum(built.counts.values())} triples ({counts}){', cached build' if built.cached else ''}"

    url = f"http://{args.host if ':' not in args.host else f'[{args.host}]'}:{args.port}/"
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "threads": args.threads,
        "worker_class": "gthread",
        # gunicorn's own worker timeout is a heartbeat; queries are stopped by the engine long before.
        "timeout": max(30, int(args.timeout * 3)),
        "graceful_timeout": 10,
        "accesslog": "-",
        "control_socket_disable": True,  # one shared default path would clash between servers
        "preload_app": False,  # the app (and its query processes) is made in each worker, after fork
        "when_ready": lambda server: print(
            f"tskg serve: {url} (SPARQL endpoint {url}sparql), {what}; "
            f"{args.workers} worker(s) × {args.threads} thread(s); Ctrl-C stops",
            flush=True,
        ),
    }
    _GunicornApp(config, options).run()
    return EXIT_OK


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
