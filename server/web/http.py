"""HTTP plumbing shared by every page and endpoint: the public base URL, plain-text errors, and the
headers every response carries.

Absolute URLs (the service description, OpenAPI's `servers`, links in JSON) are built from the public
base URL, never from the request's Host header, which any client can set: `PUBLIC_URL` in the app's
configuration (`tskg serve --base-url`; by default the address it listens on), else the address of the
socket the request came in on.
"""

from __future__ import annotations

import contextlib

from flask import Flask, Response, current_app, request


def public_url(path: str = "/") -> str:
    """`path` on this server, absolute, from the configured public base URL (see the module docstring)."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        environ = request.environ
        host, port = environ.get("SERVER_NAME", "localhost"), environ.get("SERVER_PORT", "80")
        host = f"[{host}]" if ":" in host else host
        base = f"{request.scheme}://{host}:{port}/"
    return base.rstrip("/") + "/" + path.lstrip("/")


def plain_error(status: int, message: str, *, retry_after: int | None = None, headers: dict | None = None) -> Response:
    """A one-line text/plain error, as /sparql and the saved queries answer them."""
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain", headers=headers or {})
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _deadline(seconds: float):
    """A context in which reading must finish within `seconds`: a gevent timeout under gunicorn's gevent
    workers (where a slow client costs a greenlet); elsewhere (tests, `flask run`) no limit."""
    try:
        from gevent import Timeout, monkey
    except ImportError:
        return contextlib.nullcontext()
    return Timeout(seconds) if monkey.is_module_patched("socket") else contextlib.nullcontext()


def init_app(app: Flask) -> None:
    """Every request's body is read within REQUEST_BODY_TIMEOUT seconds, before a view runs (a client
    that sends it slower is answered 408 and dropped); every response says not to sniff its type (error
    bodies echo what the client sent)."""

    @app.before_request
    def _read_body_in_time():
        if not request.content_length and "chunked" not in request.headers.get("Transfer-Encoding", ""):
            return None
        seconds = float(current_app.config["REQUEST_BODY_TIMEOUT"])
        try:
            with _deadline(seconds):
                request.get_data(cache=True)
        except BaseException as err:  # gevent.Timeout derives from BaseException
            if type(err).__name__ != "Timeout":
                raise
            return plain_error(408, f"the request body did not arrive within {seconds:g} s",
                               headers={"Connection": "close"})
        return None

    @app.after_request
    def _nosniff(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
