"""Publishing the built graph to another triple store over the SPARQL 1.1 Graph Store HTTP
Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/).

Each of our named graphs (ontology, asserted, inferred) is sent with one HTTP PUT to
ENDPOINT?graph=IRI, which replaces that graph whole: a re-run leaves the same state, never
duplicates. The body is Turtle (text/turtle, the format every Graph Store implementation
reads) with full IRIs and no prefixes, so that only the oldest, most widely implemented part
of the Turtle grammar is used. It is serialized to a temporary file first and streamed from
there with a Content-Length (some servers do not accept chunked request bodies).

Blank nodes: a Graph Store document is its own blank node scope, so a blank node that two
graphs share (a quote's selector in the asserted graph and its inferred type in the inferred
graph) would arrive as two unrelated nodes, and queries joining them would come out empty.
By default such shared blank nodes are therefore sent as Skolem IRIs
(https://w3id.org/tskg/.well-known/genid/..., RDF 1.1 Concepts section 3.5); blank nodes
that occur in one graph only stay blank nodes.

Authentication: HTTP Basic or HTTP Digest (RFC 7616; Virtuoso's /sparql-graph-crud-auth asks for it).
With `auth="auto"` (and "digest") the first request goes without credentials and the store's 401
challenge chooses the scheme: the request is sent again with Basic or Digest, and later requests carry
that scheme at once. (Virtuoso answers Basic credentials with a bare 401, no challenge: so Basic cannot
be sent first.) `auth="digest"` answers Digest challenges only, so the password never travels in clear;
`auth="basic"` sends Basic from the first request on, for stores that never challenge.
"""

from __future__ import annotations

import base64
import re
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from .. import __version__
from ..namespaces import BASE, GRAPHS

GENID = BASE + ".well-known/genid/"
CONTENT_TYPE = "text/turtle"


class PublishError(Exception):
    """The store could not be reached or refused the data: one line saying which and why."""


AUTH_SCHEMES = ("auto", "basic", "digest")


@dataclass(frozen=True)
class Target:
    endpoint: str                 # the Graph Store Protocol endpoint, as given
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0         # seconds, for each connect, send and receive
    auth: str = "auto"            # one of AUTH_SCHEMES (see the module docstring)

    def graph_url(self, graph_iri: str) -> str:
        separator = "&" if urllib.parse.urlsplit(self.endpoint).query else "?"
        return self.endpoint + separator + urllib.parse.urlencode({"graph": graph_iri})


def parse_endpoint(url: str) -> tuple[str, str | None, str | None]:
    """Check that `url` is an http(s) URL; split off user:password@ if it carries them."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublishError(
            f"{url!r} is not an http(s) URL of a Graph Store Protocol endpoint "
            "(e.g. http://localhost:7878/store for Oxigraph)"
        )
    if parts.fragment:
        raise PublishError(f"{url!r}: a Graph Store endpoint URL has no #fragment")
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), user, password


def skolem_iri(node: ox.BlankNode) -> ox.NamedNode:
    return ox.NamedNode(GENID + node.value)


def shared_blank_nodes(source: ox.Dataset, graph_iris: Iterable[str]) -> set[str]:
    """Labels of the blank nodes that occur in more than one of the graphs."""
    seen: dict[str, str] = {}
    shared: set[str] = set()
    for iri in graph_iris:
        for quad in source.quads_for_graph_name(ox.NamedNode(iri)):
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.BlankNode):
                    first = seen.setdefault(term.value, iri)
                    if first != iri:
                        shared.add(term.value)
    return shared


def graph_triples(source: ox.Dataset, graph_iri: str, skolem: set[str] = frozenset()) -> Iterator[ox.Triple]:
    """The triples of one graph, the blank nodes labelled in `skolem` replaced by Skolem IRIs."""

    def term(t):
        return skolem_iri(t) if isinstance(t, ox.BlankNode) and t.value in skolem else t

    for quad in source.quads_for_graph_name(ox.NamedNode(graph_iri)):
        if skolem:
            yield ox.Triple(term(quad.subject), quad.predicate, term(quad.object))
        else:
            yield quad.triple


@dataclass
class Step:
    name: str            # ontology, asserted, inferred
    graph: str           # its IRI
    action: str          # "replaced" or "removed"
    triples: int = 0
    size: int = 0        # bytes sent
    status: int = 0      # HTTP status
    seconds: float = 0.0


def publish(source: ox.Dataset, target: Target, names: Iterable[str], remove: Iterable[str] = (),
            skolem: bool = True, report: Callable[[Step], None] | None = None) -> list[Step]:
    """PUT each graph of `names` (short names of server.namespaces.GRAPHS), then DELETE each
    graph of `remove` from the store. With `skolem`, blank nodes shared between the graphs
    sent are sent as Skolem IRIs. Stops at the first failure with PublishError; the
    graphs sent before it stay replaced (the protocol has no transaction across requests)."""
    names = list(names)
    shared = shared_blank_nodes(source, [GRAPHS[n] for n in names]) if skolem else set()
    auth = Authenticator(target)  # one for all the requests: a Digest challenge is answered once
    if names or remove:
        auth.probe(GRAPHS[(names or list(remove))[0]])
    steps = []
    for name in names:
        iri = GRAPHS[name]
        started = time.perf_counter()
        count = 0

        def counted(triples):
            nonlocal count
            for triple in triples:
                count += 1
                yield triple

        with tempfile.TemporaryFile(prefix="tskg-publish-") as body:
            ox.serialize(counted(graph_triples(source, iri, shared)), body, ox.RdfFormat.TURTLE)
            size = body.tell()
            body.seek(0)
            status = _request("PUT", target, iri, body, size, auth=auth)
        step = Step(name, iri, "replaced", count, size, status, time.perf_counter() - started)
        steps.append(step)
        if report:
            report(step)
    for name in remove:
        iri = GRAPHS[name]
        started = time.perf_counter()
        status = _request("DELETE", target, iri, None, 0, missing_ok=True, auth=auth)
        step = Step(name, iri, "removed", status=status, seconds=time.perf_counter() - started)
        steps.append(step)
        if report:
            report(step)
    return steps


class Authenticator:
    """The Authorization header of each request to one store. The scheme is the store's: the first request
    goes without credentials and the store's 401 challenge says Basic or Digest (with --auth basic, Basic
    from the first request on, for stores that never challenge)."""

    def __init__(self, target: Target):
        self.target = target
        self.scheme: str | None = "basic" if target.auth == "basic" else None
        self.challenge: dict | None = None  # the store's last Digest challenge
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, target.endpoint, target.user or "", target.password or "")
        self.digest = urllib.request.HTTPDigestAuthHandler(passwords)  # computes the response (RFC 7616)

    def header(self, request: urllib.request.Request) -> str | None:
        if self.target.user is None or self.scheme is None:
            return None
        if self.scheme == "digest":
            answer = self.digest.get_authorization(request, self.challenge)
            if answer is None:
                raise PublishError(f"the store's Digest challenge cannot be answered (algorithm "
                                   f"{self.challenge.get('algorithm', 'MD5')}, qop {self.challenge.get('qop')})")
            return "Digest " + answer
        token = base64.b64encode(f"{self.target.user}:{self.target.password or ''}".encode()).decode("ascii")
        return f"Basic {token}"

    def probe(self, graph_iri: str) -> None:
        """Settle the scheme, and check the credentials, with a HEAD (the Graph Store Protocol's bodiless
        request) before any data is sent: on a 401 a store may close the connection before it has read a
        body (Virtuoso does), which would look like a network failure. A store that does not challenge the
        HEAD (it allows it, or does not implement it) is answered later, when it challenges a write."""
        if self.target.user is None:
            return
        url = self.target.graph_url(graph_iri)
        what = f"HEAD {urllib.parse.unquote(url)}"
        for attempt in range(2):
            request = urllib.request.Request(url, headers={"User-Agent": f"tskg/{__version__}"}, method="HEAD")
            authorization = self.header(request)
            if authorization:
                request.add_header("Authorization", authorization)
            try:
                _send(request, self.target, what)
                return
            except urllib.error.HTTPError as err:
                if err.code != 401:
                    return
                if attempt == 0 and self.retry_after(err):
                    continue
                raise PublishError(f"{what}: the store answered HTTP 401 {err.reason}{_server_message(err)}"
                                   f"{_hint(err, self.target)}") from None

    def retry_after(self, err: urllib.error.HTTPError) -> bool:
        """Whether a 401 carries a challenge worth answering with the same request again: the first one,
        or a Digest challenge whose nonce went stale."""
        if self.target.user is None:
            return False
        challenges = {}
        for value in err.headers.get_all("WWW-Authenticate") or []:
            scheme, _, rest = value.strip().partition(" ")
            challenges[scheme.lower()] = urllib.request.parse_keqv_list(
                filter(None, urllib.request.parse_http_list(rest)))
        digest = challenges.get("digest")
        if digest is not None and self.target.auth != "basic":
            if self.scheme != "digest" or digest.get("stale", "").lower() == "true":
                self.scheme, self.challenge = "digest", digest
                return True
        if "basic" in challenges and self.scheme is None and self.target.auth == "auto":
            self.scheme = "basic"
            return True
        return False


def _request(method: str, target: Target, graph_iri: str, body, size: int, missing_ok: bool = False,
             auth: Authenticator | None = None) -> int:
    url = target.graph_url(graph_iri)
    auth = auth or Authenticator(target)
    what = f"{method} {urllib.parse.unquote(url)}"
    for attempt in range(2):  # the second after the store's challenge, at most
        headers = {"User-Agent": f"tskg/{__version__}", "Accept": "*/*"}
        if body is not None:
            body.seek(0)
            headers["Content-Type"] = CONTENT_TYPE
            headers["Content-Length"] = str(size)
        request = urllib.request.Request(url, data=body, headers=headers, method=method)
        authorization = auth.header(request)
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            return _send(request, target, what)
        except urllib.error.HTTPError as err:
            if missing_ok and err.code == 404:
                return err.code
            if err.code == 401 and attempt == 0 and auth.retry_after(err):
                err.read()
                continue
            raise PublishError(f"{what}: the store answered HTTP {err.code} {err.reason}"
                               f"{_server_message(err)}{_hint(err, target)}") from None
    raise AssertionError("unreachable")


def _send(request: urllib.request.Request, target: Target, what: str) -> int:
    try:
        with urllib.request.urlopen(request, timeout=target.timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError:
        raise
    except urllib.error.URLError as err:
        raise PublishError(f"{what}: {_network_reason(err.reason, target)}") from None
    except (TimeoutError, socket.timeout):
        raise PublishError(f"{what}: no answer within {target.timeout:g} s (--timeout)") from None
    except (ConnectionError, ssl.SSLError, OSError) as err:
        raise PublishError(f"{what}: {_network_reason(err, target)}") from None


def _network_reason(reason, target: Target) -> str:
    host = urllib.parse.urlsplit(target.endpoint).netloc.rsplit("@", 1)[-1]
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by {host}: is the store running, and is the URL right?"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve the host name in {host}: {reason.strerror or reason}"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {target.timeout:g} s (--timeout)"
    if isinstance(reason, (BrokenPipeError, ConnectionResetError)):
        return "the store closed the connection while the data was being sent (too large? not allowed?)"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error: {reason.reason or reason}"
    if isinstance(reason, OSError):
        return reason.strerror or str(reason)
    return str(reason)


def _server_message(err: urllib.error.HTTPError, limit: int = 500) -> str:
    """The body of an error response, as one short line (tags of an HTML page removed)."""
    try:
        raw = err.read(64 * 1024)
    except OSError:
        return ""
    charset = err.headers.get_content_charset() or "utf-8"
    text = raw.decode(charset, errors="replace")
    if "html" in (err.headers.get_content_type() or ""):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    if not text:
        return ""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f": {text}"


def _hint(err: urllib.error.HTTPError, target: Target) -> str:
    if err.code == 401 and target.user is not None:
        schemes = {value.strip().partition(" ")[0].lower() for value in err.headers.get_all("WWW-Authenticate") or []}
        if target.auth == "digest" and schemes and "digest" not in schemes:
            return f" (the store asks for {', '.join(sorted(schemes))}, not Digest: leave out --auth digest)"
        if target.auth == "basic":
            return (f" (the store refused HTTP Basic credentials for user {target.user!r}; if it wants HTTP Digest, "
                    f"as Virtuoso does, leave out --auth basic)")
        return f" (the store refused the credentials of user {target.user!r}: check --user and --password)"
    if err.code in (401, 403):
        return " (give credentials with --user and --password, or TSKG_PUBLISH_USER and TSKG_PUBLISH_PASSWORD)"
    if err.code == 404:
        return " (is this the Graph Store Protocol endpoint? see `tskg publish --help`)"
    if err.code == 405:
        return " (the endpoint does not allow this method: read-only, or not the Graph Store endpoint)"
    if err.code in (301, 302, 303, 307, 308) and err.headers.get("Location"):
        return f" (redirected to {err.headers['Location']}: publish to that URL)"
    return ""
