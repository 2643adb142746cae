"""The query engine's life in the app, in the shape of the Flask tutorial's db.py.

`init_app(app)` builds the project (or takes the Build or Engine the configuration names) and starts
the engine once per app: the build's store in sandboxed query processes, or a remote SPARQL endpoint.
Views reach it with `get_engine()` (and `get_build()`, None in remote mode); it is closed when the
process exits. `memo` keeps figures that cannot change while the app runs (the data is read-only).
`get_answers()` is the worker's AnswerCache (server.store.answers), ANSWER_CACHE_BYTES large: the engine
keeps query answers in it, server.web.caching whole HTTP answers; None when fronting a remote endpoint,
whose data may change under us.

Under gunicorn the master has built (in a child process) before forking, so `init_app` in each worker
finds the Build in the configuration and only starts the worker's query processes.
"""

from __future__ import annotations

import atexit

from flask import Flask, current_app


def init_app(app: Flask) -> None:
    from ..store import embedded_engine, remote_engine
    from ..store.answers import DEFAULT_MAX_BYTES, AnswerCache

    cfg = app.config
    options = {"timeout": float(cfg["QUERY_TIMEOUT"]), "max_rows": cfg["MAX_ROWS"]}
    build = None
    answers = None
    if cfg["TSKG_ENGINE"] is not None:
        engine = cfg["TSKG_ENGINE"]
    elif cfg["TSKG_REMOTE_ENDPOINT"]:
        engine = remote_engine(cfg["TSKG_REMOTE_ENDPOINT"], **options)
    else:
        build = cfg["TSKG_BUILD"]
        if build is None:
            from ..build import build as run_build
            from ..project import Project

            build = run_build(Project.locate(cfg["TSKG_ROOT"]))
        answers = AnswerCache(cfg.get("ANSWER_CACHE_BYTES", DEFAULT_MAX_BYTES))
        engine = embedded_engine(build, workers=cfg["QUERY_WORKERS"], answers=answers, **options)
    if cfg["TSKG_ENGINE"] is None:
        atexit.register(engine.close)
    app.extensions["tskg.build"] = build
    app.extensions["tskg.engine"] = engine
    app.extensions["tskg.answers"] = answers
    app.extensions["tskg.memo"] = {}


def get_engine(app: Flask | None = None):
    """The app's query engine (server.store.Engine): the build's store, or a remote endpoint."""
    return (app or current_app).extensions["tskg.engine"]


def get_build(app: Flask | None = None):
    """The app's Build, or None when it fronts a remote endpoint."""
    return (app or current_app).extensions["tskg.build"]


def get_answers(app: Flask | None = None):
    """The worker's AnswerCache, or None (a remote endpoint, or an engine handed in ready)."""
    return (app or current_app).extensions["tskg.answers"]


def memo(key: str, compute):
    """`compute()` once per app for `key`: for figures that cannot change while the app runs."""
    store = current_app.extensions["tskg.memo"]
    if key not in store:
        store[key] = compute()
    return store[key]
