"""HTTP caching of the answers a build determines: kept whole in the worker, revalidated by clients.

Which answers: GET and HEAD, status 200, on the paths whose answer depends on nothing but the build,
the server's code and the request (`answer_key`): /sparql with a query, /queries/NAME (and NAME.rq,
whose size and time are part of the key), the linked-data pages and documents (/page/, /data/), the
home page, /browse/, /ontology…, /downloads/…. Not: the service description, the list of saved
queries and the OpenAPI document (they read every .rq file, which may change while the server runs),
the editor, static files (Flask's own validators), redirects, errors (4xx, 5xx, 503s included: a
retry must run again). Nothing when the app fronts a remote store, whose data may change under it.

Each such answer carries:
- `ETag: W/"…"`, a hash of the build's digest, the server's code and the request (path, query string,
  Accept, the saved query's file). Weak: the same answer, though a CONSTRUCT's fresh blank nodes may
  be labelled otherwise when it is computed again;
- `Last-Modified`: when the build was made (or the server's code, if that is newer);
- `Cache-Control: public, max-age=300`: browsers and proxies reuse an answer for five minutes without
  asking, then revalidate (a 304 costs a few bytes). Answers change only with a new build, which
  comes with a deployment: five minutes bounds how long a merged fact may stay unseen, while a reader
  moving between pages and a page asking the same queries again are served without a request;
- `Vary: Accept` (the answer is negotiated).
A GET or HEAD with `If-None-Match` (weak comparison) or, without it, `If-Modified-Since` that matches
is answered 304 Not Modified with the validators and no body.

`AnswerPath` is the lean path: a WSGI middleware in front of Flask that answers a request it has
answered before from the worker's AnswerCache (server.store.answers), keyed on the raw request,
without routing, parsing the query or asking a query process. The first answer to a key is made by
the app as for any request (every check of the query included), with the conditional headers taken
off and HEAD asked as GET, so that it can be kept; the middleware then adds the headers above.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from werkzeug.http import http_date
from werkzeug.sansio.http import is_resource_modified

MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={MAX_AGE}"
BUILD_PATHS = ("/page/", "/data/", "/browse/", "/ontology", "/downloads/")
SAVED_QUERY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
NOT_IN_304 = {"content-type", "content-length", "content-disposition"}


@dataclass(frozen=True)
class Entry:
    """One answer as the middleware gives it again."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    not_modified: list[tuple[str, str]]  # the headers of a 304 for it


class AnswerPath:
    """WSGI middleware: answers kept for the life of the build, with validators and 304s (see above)."""

    def __init__(self, app, answers, *, digest: str, built_at: float, queries_dir: Path | None,
                 public_url: str | None = None):
        self.app = app
        self.answers = answers
        self.queries_dir = queries_dir
        self.public_url = public_url  # absolute URLs in answers come from it (else from the listening socket)
        code, code_time = code_identity()
        self.seed = f"{digest}/{code}"
        moment = datetime.fromtimestamp(max(built_at, code_time), timezone.utc).replace(microsecond=0)
        self.last_modified = moment
        self.last_modified_header = http_date(moment)

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        key = self.answer_key(environ) if method in ("GET", "HEAD") else None
        if key is None:
            return self.app(environ, start_response)
        entry = self.answers.get(key)
        if entry is None:
            status, headers, body = self._run(environ)
            if not status.startswith("200 "):
                start_response(status, headers)
                return [] if method == "HEAD" else [body]
            entry = self._entry(key, status, headers, body)
            self.answers.put(key, entry, len(body))
        if self._unchanged(environ, entry):
            start_response("304 Not Modified", entry.not_modified)
            return []
        start_response(entry.status, entry.headers)
        return [] if method == "HEAD" else [entry.body]

    def _unchanged(self, environ, entry: Entry) -> bool:
        """A conditional request whose validators match: If-None-Match (weak comparison), else
        If-Modified-Since (RFC 9110, 13.2.2)."""
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if if_none_match is None and if_modified_since is None:
            return False
        return not is_resource_modified(http_if_none_match=if_none_match, http_if_modified_since=if_modified_since,
                                        etag=entry.etag, last_modified=self.last_modified)

    def answer_key(self, environ) -> tuple | None:
        """The raw request as a key, for the paths whose answers the build determines (else None)."""
        path = environ.get("PATH_INFO") or "/"
        query_string = environ.get("QUERY_STRING", "")
        if path == "/sparql":
            if not (query_string.startswith("query=") or "&query=" in query_string):
                return None  # the service description lists the saved queries, which may change
            depends = None
        elif path.startswith("/queries/"):
            name = path[len("/queries/"):]
            if self.queries_dir is None or not SAVED_QUERY.fullmatch(name):
                return None
            try:
                stat = os.stat(self.queries_dir / f"{name}.rq")
            except OSError:
                return None
            depends = (stat.st_mtime_ns, stat.st_size)
        elif path == "/" or path.startswith(BUILD_PATHS):
            depends = None
        else:
            return None
        base = self.public_url or (environ.get("wsgi.url_scheme"), environ.get("SERVER_NAME"), environ.get("SERVER_PORT"))
        return ("http", self.seed, path, query_string, environ.get("HTTP_ACCEPT", ""), depends,
                environ.get("SCRIPT_NAME", ""), base)

    def _run(self, environ) -> tuple[str, list[tuple[str, str]], bytes]:
        """The app's answer to `environ` asked as an unconditional GET."""
        inner = dict(environ)
        inner["REQUEST_METHOD"] = "GET"
        for name in CONDITIONAL_HEADERS:
            inner.pop(name, None)
        started: list = []
        chunks: list[bytes] = []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, list(headers)]
            return chunks.append  # the WSGI write() callable

        iterable = self.app(inner, start_response)
        try:
            chunks.extend(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()
        return started[0], started[1], b"".join(chunks)

    def _entry(self, key: tuple, status: str, headers: list[tuple[str, str]], body: bytes) -> Entry:
        etag = 'W/"' + hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest() + '"'
        vary = [v for n, v in headers if n.lower() == "vary"]
        kept = [(n, v) for n, v in headers if n.lower() not in ("vary", "etag", "last-modified", "cache-control")]
        varies = {part.strip() for value in vary for part in value.split(",") if part.strip()} | {"Accept"}
        kept += [("ETag", etag), ("Last-Modified", self.last_modified_header), ("Cache-Control", CACHE_CONTROL),
                 ("Vary", ", ".join(sorted(varies)))]
        return Entry(status, kept, body, etag, [(n, v) for n, v in kept if n.lower() not in NOT_IN_304])


def code_identity() -> tuple[str, float]:
    """A hash of the server's code (every file of the package: modules, templates, static files, by path,
    size and time) and the time of its newest file: a new version of a page's template changes its ETag."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    newest = 0.0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{os.path.relpath(os.path.join(folder, name), root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            newest = max(newest, stat.st_mtime)
    return digest.hexdigest(), newest


def init_app(app: Flask) -> None:
    """Put the lean path in front of the app, when it serves a build of its own (see the docstring)."""
    from ..build.cache import MANIFEST
    from ..project import Project
    from .engine import get_answers, get_build

    build, answers = get_build(app), get_answers(app)
    if build is None or answers is None:
        return
    queries_dir = Project.locate(app.config.get("TSKG_ROOT")).queries_dir
    manifest = build.directory / MANIFEST
    built_at = manifest.stat().st_mtime if manifest.exists() else 0.0
    app.wsgi_app = AnswerPath(app.wsgi_app, answers, digest=build.digest, built_at=built_at, queries_dir=queries_dir,
                              public_url=app.config.get("PUBLIC_URL"))
