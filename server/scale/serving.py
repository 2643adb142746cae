"""Serving speed on the curated graph: our `tskg serve` beside Oxigraph server, the same client, one run.

    python -m server.scale.serving [--rounds 20] [--blocks 3] [--seconds 3] [--clients 8] [--json FILE]

Both servers hold the same quads (the build's dataset.nq; Oxigraph server read-only with
--union-default-graph, as ours answers over the union). Every request is an HTTP/1.1 GET on a kept-alive
connection: `/sparql?query=…` to ours, `/query?query=…` to Oxigraph, with the same text and Accept
(SPARQL JSON for SELECT and ASK, N-Triples for CONSTRUCT); a query whose URL would pass MAX_GET_URL
bytes is sent to both as a form POST instead (gunicorn refuses request lines over 4094 bytes). The
queries: every saved query with its default parameters, bound as our server binds them
(server.store.inspect.bind; comments blanked, blank lines dropped) with the prefixes it uses declared,
and a few written by hand (`HAND_WRITTEN`).

Two kinds of request:
- repeated: the same text every time, as a page or a client polling the same answer sends it;
- distinct: each request a query never sent before that does the same work: every variable is renamed
  with a fresh suffix (`?label` → `?label_1kz`). No answer cache can serve it (the text the engine
  runs differs, so do the answers' column names); the engine's work is unchanged.

Measured:
- latency with one client: each query `rounds` times per block, ours and Oxigraph's request one after the
  other (who goes first alternates), so load from other work falls on both alike; p50 and p99 per query;
- throughput with 1 and `clients` clients (client processes, each cycling over the queries on a
  connection of its own) for `seconds` per server, the two servers taking turns `blocks` times.
The ratios are ours/Oxigraph; the spread is the lowest and highest ratio among the blocks. The targets
are issue 9's for the curated graph: repeated p50 ≤ 1.0× and throughput with 8 clients ≥ 1.0×; distinct
p50 ≤ 1.2×. `measure_serving(options)` returns the figures (for `tskg bench`), `report(results)` prints them.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import math
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from .benchmark import OXIGRAPH, Server, free_port, machine, percentile
from .workload import (N_TRIPLES, SELECT_JSON, bound_text, distinct_text, fresh_nonces, rename, saved_requests,
                       variable_pieces)
from ..project import Project
from ..store.engine import Engine

MAX_GET_URL = 4000
TARGETS = {"repeated_p50": 1.0, "repeated_throughput": 1.0, "distinct_p50": 1.2}

# Queries users send by hand, beside the saved ones (the project's prefixes declared, as Oxigraph needs).
HAND_WRITTEN = {
    "ask-state": "ASK { ?s a tsk:State }",
    "labels-50": "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 50",
    "classes-count": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
    "construct-people": "CONSTRUCT { ?p ?q ?o } WHERE { ?p a tsk:Person ; ?q ?o }",
}


@dataclass
class Options:
    root: Path | None = None      # the project (default: this checkout)
    rounds: int = 20              # requests per query, server and block, one client
    blocks: int = 3               # alternations of the two servers (spread between them)
    seconds: float = 3.0          # per server and block, for throughput
    clients: int = 8
    workdir: Path | None = None   # Oxigraph's store and the logs (default: a temporary folder)
    only: tuple[str, ...] = ()    # names of queries to measure (default: all)
    breakdown: bool = True        # also measure where the time of a request goes


@dataclass
class Query:
    name: str
    text: str
    accept: str


@dataclass
class Results:
    machine: str = ""
    queries: dict = field(default_factory=dict)     # mode → name → figures
    throughput: dict = field(default_factory=dict)  # f"{mode}/{clients}" → figures
    breakdown: dict = field(default_factory=dict)   # query name → stage → seconds (see `breakdown`)
    cpu: dict = field(default_factory=dict)         # query name → server → CPU seconds per distinct request
    notes: list = field(default_factory=list)


# --- the queries --------------------------------------------------------------------------------------


def queries_for(project: Project, only=()) -> list[Query]:
    """The saved queries bound to their defaults, as our server runs them, and HAND_WRITTEN."""
    out = [Query(r.name, r.text, r.accept) for r in saved_requests(project, only=only)]
    for name, text in HAND_WRITTEN.items():
        if not only or name in only:
            out.append(Query(name, *bound_text(text, {})))
    return out


# --- the client -------------------------------------------------------------------------------------------


class Connection:
    """One kept-alive HTTP/1.1 connection to a server's query endpoint."""

    def __init__(self, endpoint: str):
        parts = urlsplit(endpoint)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def ask(self, text: str, accept: str) -> tuple[float, int, bytes]:
        """(seconds until the whole answer was read, status, body): a GET, or a form POST for long queries."""
        encoded = quote(text, safe="")
        url, payload, headers = f"{self.path}?query={encoded}", None, {"Accept": accept}
        if len(url) > MAX_GET_URL:
            url, payload = self.path, f"query={encoded}".encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        method = "GET" if payload is None else "POST"
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request(method, url, body=payload, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):  # an idle connection closed by the server
                self.conn.close()
                if attempt == 2:
                    raise
                started = time.perf_counter()
        return time.perf_counter() - started, response.status, body

    def close(self) -> None:
        self.conn.close()


def answer_rows(body: bytes, accept: str) -> int:
    if accept == N_TRIPLES:
        return body.count(b"\n")
    doc = json.loads(body)
    return len(doc["results"]["bindings"]) if "results" in doc else int(bool(doc.get("boolean")))


def load_segment(endpoint: str, queries: list[tuple[str, str, str]], distinct: bool, start_at: float,
                 seconds: float, first: int, nonce_base: int) -> dict:
    """One client process's share of a throughput run: from `start_at` (time.time()) for `seconds`, send the
    queries in turn from the `first`; {"done", "errors", "latencies"} of the answers completed in time."""
    connection = Connection(endpoint)
    pieces = [variable_pieces(text) for _, text, _ in queries] if distinct else None
    done = errors = 0
    latencies = []
    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    end = time.perf_counter() + seconds
    i = first
    try:
        while time.perf_counter() < end:
            _, text, accept = queries[i % len(queries)]
            if pieces is not None:
                text = rename(pieces[i % len(queries)], nonce_base + i)
            took, status, _ = connection.ask(text, accept)
            if time.perf_counter() > end:
                break
            if status == 200:
                done += 1
                latencies.append(took)
            else:
                errors += 1
            i += 1
    finally:
        connection.close()
    return {"done": done, "errors": errors, "latencies": latencies}


# --- the servers -------------------------------------------------------------------------------------------


def start_servers(project: Project, workdir: Path, say) -> tuple[Server, Server]:
    """Our `tskg serve` and Oxigraph server over the same build, both ready."""
    from ..build import build_isolated

    built = build_isolated(project)
    location = workdir / "oxigraph"
    shutil.rmtree(location, ignore_errors=True)
    say(f"loading Oxigraph server with {built.dataset_path}")
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", str(built.dataset_path)],
                   check=True, capture_output=True)
    port = free_port()
    ours = Server([sys.executable, "-m", "server", "--root", str(project.root), "serve", "--host", "127.0.0.1",
                   "--port", str(port)], f"http://127.0.0.1:{port}/sparql", log=workdir / "ours.log")
    port = free_port()
    oxigraph = Server([str(OXIGRAPH), "serve-read-only", "--location", str(location), "--bind",
                       f"127.0.0.1:{port}", "--union-default-graph"], f"http://127.0.0.1:{port}/query",
                      log=workdir / "oxigraph.log")
    try:
        ours.wait_ready(deadline=300)
        oxigraph.wait_ready(deadline=60)
    except BaseException:
        ours.stop()
        oxigraph.stop()
        raise
    return ours, oxigraph


# --- where the time goes ---------------------------------------------------------------------------------

BREAKDOWN_QUERIES = ("ask-state", "labels-50", "actor-offices")
STAGES = ["HTTP (gunicorn, gevent, access log; client)", "Flask (routing, request, response, hooks)",
          "reading the query (server.store.inspect)", "the hop to the query process and back",
          "the query (pyoxigraph, rows iterated)", "serialization (and the row cap)"]


def breakdown(project: Project, names=BREAKDOWN_QUERIES, reps: int = 300) -> dict:
    """Median seconds per stage of a distinct request, measured in this process (run it under gevent's
    monkey-patching, as the server's worker runs: `breakdown_in_child`). Each repetition is a distinct
    text and times, one after the other: the app's WSGI call (what is in front of Flask included) over an
    engine that has its answer ready (Flask and reading), reading alone, the build's store queried in
    this process (binding, query, serialization), the query alone with its rows iterated, and the same
    run through a query process. Stages are medians of the differences within each repetition."""
    import pyoxigraph as ox
    from werkzeug.test import EnvironBuilder

    from ..build import build
    from ..store.embedded import DirectEngine, EmbeddedEngine
    from ..web import create_app

    built = build(project)
    direct = DirectEngine(built.store_path)
    pooled = EmbeddedEngine(built.store_path, workers=1)
    out = {}
    try:
        for q in queries_for(project, names):
            ready = ReadyEngine(direct.graphs(), direct.run(direct.inspect(q.text), q.accept), direct)
            app = create_app({"TSKG_ENGINE": ready, "TSKG_BUILD": built, "TSKG_ROOT": str(project.root),
                              "PUBLIC_URL": "http://127.0.0.1/"})
            in_front = lean_path(app, built)
            stages: dict[str, list[float]] = {stage: [] for stage in STAGES[1:]}
            nonce = fresh_nonces()
            for i in range(reps + 10):
                text = distinct_text(q.text, nonce + i)
                environ = EnvironBuilder(path="/sparql", query_string={"query": text},
                                         headers={"Accept": q.accept}).get_environ()
                statuses = []
                started = time.perf_counter()
                body = b"".join(in_front(environ, lambda status, headers, exc_info=None: statuses.append(status)))
                wsgi = time.perf_counter() - started
                if not statuses[0].startswith("200"):  # an error's path is not what is measured
                    raise RuntimeError(f"{q.name}: the app answered {statuses[0]}: {body[:200]!r}")
                started = time.perf_counter()
                info = direct.inspect(text)
                reading = time.perf_counter() - started
                started = time.perf_counter()
                direct.run(info, q.accept)
                run = time.perf_counter() - started
                started = time.perf_counter()
                result = direct.store.query(info.text, prefixes=info.undeclared or None, use_default_graph_as_union=True)
                if isinstance(result, (ox.QuerySolutions, ox.QueryTriples)):
                    for _ in result:
                        pass
                query = time.perf_counter() - started
                other = pooled.inspect(distinct_text(q.text, nonce + reps + 10 + i))
                started = time.perf_counter()
                pooled.run(other, q.accept)
                through_pool = time.perf_counter() - started
                if i >= 10:  # the first ones warm up
                    for stage, value in zip(STAGES[1:], (wsgi - reading, reading, through_pool - run, query,
                                                         run - query)):
                        stages[stage].append(value)
            out[q.name] = {stage: max(0.0, statistics.median(values)) for stage, values in stages.items()}
    finally:
        pooled.close()
    return out


class ReadyEngine(Engine):
    """Answers every request's query with one output made beforehand, at once: to time what surrounds the
    engine. The app's own look-ups (`select`, `ask`: the ontology's terms for the hints, made once per app)
    go to `real`, so that the request is answered as the server answers it, not with an error."""

    name = "ready"

    def __init__(self, graphs: list[str], output, real: Engine):
        super().__init__()
        self._graphs = graphs
        self.output = output
        self.real = real

    def graphs(self) -> list[str]:
        return self._graphs

    def select(self, query, **options):
        return self.real.select(query, **options)

    def ask(self, query, **options):
        return self.real.ask(query, **options)

    def _execute(self, text, info, media_type, **options):
        return self.output


def lean_path(app, built):
    """The app's WSGI callable as the server has it: with the lean path in front where this version of the
    server has one (server.web.caching), over an empty cache so that every request misses."""
    try:
        from ..store.answers import AnswerCache
        from ..web.caching import AnswerPath
    except ImportError:
        return app.wsgi_app
    return AnswerPath(app.wsgi_app, AnswerCache(), digest=built.digest, built_at=0.0, queries_dir=None)


def breakdown_in_child(root: Path, names=BREAKDOWN_QUERIES, reps: int = 300) -> dict:
    """`breakdown` in a fresh interpreter under gevent's monkey-patching, as in the server's worker."""
    code = ("from gevent import monkey; monkey.patch_all()\n"
            "import json, sys\n"
            "from pathlib import Path\n"
            "from server.project import Project\n"
            "from server.scale.serving import breakdown\n"
            f"print(json.dumps(breakdown(Project.locate({str(root)!r}), {tuple(names)!r}, {reps})))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"the breakdown failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu_seconds(server: Server) -> float:
    """CPU time (user and system) the server's processes have used so far (Linux /proc)."""
    total = 0
    for pid in server.pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def cpu_per_request(server: Server, query: Query, requests: int) -> float:
    """CPU seconds the server's processes spend on one distinct request of `query`, over `requests` of them:
    on a machine shared with other work, latency grows with it."""
    connection = Connection(server.endpoint)
    pieces = variable_pieces(query.text)
    nonce = fresh_nonces()
    try:
        connection.ask(query.text, query.accept)
        before = cpu_seconds(server)
        for i in range(requests):
            connection.ask(rename(pieces, nonce + i), query.accept)
        return (cpu_seconds(server) - before) / requests
    finally:
        connection.close()


def constant_app(environ, start_response):
    """A WSGI app that answers an ASK result at once: what the HTTP layer costs without our app."""
    body = b'{"head":{},"boolean":true}'
    start_response("200 OK", [("Content-Type", SELECT_JSON), ("Content-Length", str(len(body)))])
    return [body]


def http_floor(workdir: Path, rounds: int) -> float:
    """p50 seconds of a request to gunicorn's gevent worker (tskg serve's options: keep-alive, access
    log) serving `constant_app`, by the same client."""
    port = free_port()
    server = Server([sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--keep-alive", "5",
                     "--access-logfile", "-", "--bind", f"127.0.0.1:{port}", "server.scale.serving:constant_app"],
                    f"http://127.0.0.1:{port}/sparql", log=workdir / "floor.log")
    try:
        server.wait_ready(deadline=60)
        connection = Connection(server.endpoint)
        times = [connection.ask("ASK {}", SELECT_JSON)[0] for _ in range(rounds)]
        connection.close()
    finally:
        server.stop()
    return percentile(times, 50)


# --- the measurements -------------------------------------------------------------------------------------


def measure_latency(servers: dict[str, Server], queries: list[Query], options: Options, distinct: bool,
                    results: Results) -> dict:
    """name → figures for one client, the two servers' requests interleaved."""
    connections = {who: Connection(s.endpoint) for who, s in servers.items()}
    order = list(servers)
    times = {q.name: {who: [[] for _ in range(options.blocks)] for who in order} for q in queries}
    rows = {}
    nonce = fresh_nonces()
    try:
        for q in queries:  # one answer each first: warms both, checks they agree
            for who in order:
                _, status, body = connections[who].ask(q.text, q.accept)
                rows[(q.name, who)] = answer_rows(body, q.accept) if status == 200 else f"HTTP {status}"
            if rows[(q.name, order[0])] != rows[(q.name, order[1])]:
                results.notes.append(f"{q.name}: the servers' answers differ "
                                     f"({', '.join(f'{w} {rows[(q.name, w)]}' for w in order)})")
        for block in range(options.blocks):
            for r in range(options.rounds):
                for k, q in enumerate(queries):
                    turn = order if (r + k + block) % 2 == 0 else order[::-1]
                    nonce += 1
                    text = distinct_text(q.text, nonce) if distinct else q.text
                    for who in turn:
                        took, status, _ = connections[who].ask(text, q.accept)
                        if status == 200:
                            times[q.name][who][block].append(took)
    finally:
        for c in connections.values():
            c.close()
    out = {}
    for q in queries:
        entry = {"rows": rows[(q.name, order[0])]}
        for who in order:
            every = [t for block in times[q.name][who] for t in block]
            entry[f"{who}_p50"] = percentile(every, 50)
            entry[f"{who}_p99"] = percentile(every, 99)
            entry[f"{who}_n"] = len(every)
        entry["ratio"] = _ratio(entry["ours_p50"], entry["oxigraph_p50"])
        entry["block_ratios"] = [
            _ratio(percentile(times[q.name]["ours"][b], 50), percentile(times[q.name]["oxigraph"][b], 50))
            for b in range(options.blocks)
        ]
        out[q.name] = entry
    return out


def measure_throughput(pool, servers: dict[str, Server], queries: list[Query], options: Options, clients: int,
                       distinct: bool) -> dict:
    """Queries per second with `clients` client processes, the servers taking turns `blocks` times."""
    plain = [(q.name, q.text, q.accept) for q in queries]
    order = list(servers)
    qps = {who: [] for who in order}
    latencies = {who: [] for who in order}
    errors = {who: 0 for who in order}
    for block in range(options.blocks):
        for who in (order if block % 2 == 0 else order[::-1]):
            start_at = time.time() + 0.2
            jobs = [pool.submit(load_segment, servers[who].endpoint, plain, distinct, start_at, options.seconds,
                                c * len(plain) // clients, fresh_nonces())
                    for c in range(clients)]
            parts = [job.result() for job in jobs]
            qps[who].append(sum(p["done"] for p in parts) / options.seconds)
            latencies[who] += [t for p in parts for t in p["latencies"]]
            errors[who] += sum(p["errors"] for p in parts)
    out = {"clients": clients}
    for who in order:
        out[f"{who}_qps"] = statistics.median(qps[who])
        out[f"{who}_p50"] = percentile(latencies[who], 50)
        out[f"{who}_p99"] = percentile(latencies[who], 99)
        out[f"{who}_errors"] = errors[who]
    out["ratio"] = _ratio(out["ours_qps"], out["oxigraph_qps"])
    out["block_ratios"] = [_ratio(a, b) for a, b in zip(qps["ours"], qps["oxigraph"])]
    return out


def measure_serving(options: Options, say=print) -> Results:
    """Start both servers over the project's build, measure, stop them; the figures (see the docstring)."""
    if not OXIGRAPH.exists():
        raise FileNotFoundError(f"{OXIGRAPH} not found: pip install oxigraph")
    project = Project.locate(options.root)
    queries = queries_for(project, options.only)
    if not queries:
        raise ValueError(f"no query to measure (asked for: {', '.join(options.only)})")
    own_workdir = options.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="tskg-serving-")) if own_workdir else options.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    results = Results()
    ours = oxigraph = None
    try:
        if options.breakdown:
            say("where the time of a distinct request goes (in process, under gevent)")
            results.breakdown = breakdown_in_child(project.root, [n for n in BREAKDOWN_QUERIES if n in
                                                                  {q.name for q in queries}])
            floor = http_floor(workdir, max(200, options.rounds * options.blocks * 5))
            for stages in results.breakdown.values():
                stages[STAGES[0]] = floor
        ours, oxigraph = start_servers(project, workdir, say)
        servers = {"ours": ours, "oxigraph": oxigraph}
        for mode in ("repeated", "distinct"):
            say(f"latency, one client, {mode} queries ({len(queries)} queries × {options.rounds} × {options.blocks})")
            results.queries[mode] = measure_latency(servers, queries, options, mode == "distinct", results)
        if options.breakdown:
            say("CPU per distinct request")
            for q in queries:
                if q.name in results.breakdown:
                    results.cpu[q.name] = {who: cpu_per_request(s, q, max(500, options.rounds * options.blocks * 10))
                                           for who, s in servers.items()}
        workers = max(1, options.clients)
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(time.sleep, [0.0] * workers))  # start the client processes before timing
            for mode in ("repeated", "distinct"):
                for clients in sorted({1, options.clients}):
                    say(f"throughput, {clients} client(s), {mode} queries")
                    results.throughput[f"{mode}/{clients}"] = measure_throughput(
                        pool, servers, queries, options, clients, mode == "distinct")
    finally:
        for server in (ours, oxigraph):
            if server is not None:
                server.stop()
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    results.machine = machine()
    return results


# --- the report -------------------------------------------------------------------------------------------


def _ratio(a, b):
    return a / b if a and b else None


def geometric_mean(values) -> float | None:
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _ms(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.2f} ms"


def _x(ratio) -> str:
    return "–" if ratio is None else f"{ratio:.2f}×"


def summary(results: Results) -> dict:
    """The headline figures: per mode, the geometric mean over queries of the p50 ratio, and its spread
    (the same mean taken per block: lowest and highest)."""
    out = {}
    for mode, per_query in results.queries.items():
        blocks = len(next(iter(per_query.values()))["block_ratios"]) if per_query else 0
        per_block = [geometric_mean(e["block_ratios"][b] for e in per_query.values()) for b in range(blocks)]
        out[mode] = {
            "p50_ratio": geometric_mean(e["ratio"] for e in per_query.values()),
            "spread": (min(filter(None, per_block), default=None), max(filter(None, per_block), default=None)),
            "within_target": sum(1 for e in per_query.values()
                                 if e["ratio"] and e["ratio"] <= TARGETS[f"{mode}_p50"]),
            "queries": len(per_query),
        }
    return out


def breakdown_table(results: Results) -> list[str]:
    """The stages of a distinct request beside what the client saw end to end."""
    names = list(results.breakdown)
    if not names:
        return []
    distinct = results.queries.get("distinct", {})
    lines = ["Where the time of a distinct request goes (medians; stages measured in process under gevent,",
             "the HTTP layer as gunicorn answering a constant). End to end, the rest is waiting: for the",
             "CPU, shared with other work, which a server needing more of it per request waits for longer:", "",
             "| stage | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for stage in STAGES:
        lines.append(f"| {stage} | " + " | ".join(_ms(results.breakdown[n].get(stage)) for n in names) + " |")
    sums = {n: sum(results.breakdown[n].get(stage, 0.0) for stage in STAGES) for n in names}
    lines.append("| sum of the stages | " + " | ".join(_ms(sums[n]) for n in names) + " |")
    if distinct:
        lines.append("| ours end to end (p50) | " + " | ".join(_ms(distinct.get(n, {}).get("ours_p50")) for n in names) + " |")
        lines.append("| Oxigraph end to end (p50) | " + " | ".join(_ms(distinct.get(n, {}).get("oxigraph_p50"))
                                                             for n in names) + " |")
    if results.cpu:
        for who, label in (("ours", "ours"), ("oxigraph", "Oxigraph")):
            lines.append(f"| CPU per request, {label} (all its processes) | "
                         + " | ".join(_ms(results.cpu.get(n, {}).get(who)) for n in names) + " |")
    return lines + [""]


def report(results: Results) -> str:
    lines = [f"Machine: {results.machine}.", ""]
    for mode, per_query in results.queries.items():
        lines += [f"Latency, one client, {mode} queries:", "",
                  "| query | rows | ours p50 | Oxigraph p50 | ratio | ours p99 | Oxigraph p99 |",
                  "|---|---|---|---|---|---|---|"]
        for name, e in per_query.items():
            lines.append(f"| {name} | {e['rows']} | {_ms(e['ours_p50'])} | {_ms(e['oxigraph_p50'])} | {_x(e['ratio'])} "
                         f"| {_ms(e['ours_p99'])} | {_ms(e['oxigraph_p99'])} |")
        lines.append("")
    lines += breakdown_table(results)
    lines += ["Throughput:", "", "| queries | clients | ours | Oxigraph | ratio (spread) | ours p50 / p99 | Oxigraph p50 / p99 | errors |",
              "|---|---|---|---|---|---|---|---|"]
    for key, t in results.throughput.items():
        mode = key.split("/")[0]
        spread = [r for r in t["block_ratios"] if r]
        lines.append(
            f"| {mode} | {t['clients']} | {t['ours_qps']:.0f} q/s | {t['oxigraph_qps']:.0f} q/s | {_x(t['ratio'])} "
            f"({_x(min(spread, default=None))}–{_x(max(spread, default=None))}) | {_ms(t['ours_p50'])} / {_ms(t['ours_p99'])} "
            f"| {_ms(t['oxigraph_p50'])} / {_ms(t['oxigraph_p99'])} | {t['ours_errors']} / {t['oxigraph_errors']} |")
    lines += ["", "Targets (ratios ours/Oxigraph; p50: geometric mean over the queries, spread over the blocks):"]
    heads = summary(results)
    for mode in ("repeated", "distinct"):
        if mode in heads:
            h = heads[mode]
            target = TARGETS[f"{mode}_p50"]
            lines.append(f"- {mode} queries, p50 ≤ {target:.1f}×: {_x(h['p50_ratio'])} "
                         f"(blocks {_x(h['spread'][0])}–{_x(h['spread'][1])}; {h['within_target']} of {h['queries']} "
                         f"queries within) — {_verdict(h['p50_ratio'], target, lower=True)}")
    most = max((t["clients"] for t in results.throughput.values()), default=None)
    busy = results.throughput.get(f"repeated/{most}")
    if busy:
        lines.append(f"- repeated queries, throughput with {most} clients ≥ {TARGETS['repeated_throughput']:.1f}×: "
                     f"{_x(busy['ratio'])} — {_verdict(busy['ratio'], TARGETS['repeated_throughput'], lower=False)}")
    if results.notes:
        lines += ["", "Notes:", *[f"- {n}" for n in results.notes]]
    return "\n".join(lines)


def _verdict(value, target, *, lower: bool) -> str:
    if value is None:
        return "not measured"
    met = value <= target if lower else value >= target
    return "met" if met else "missed"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.scale.serving", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="the project (default: this checkout)")
    parser.add_argument("--rounds", type=int, default=Options.rounds, help="requests per query, server and block")
    parser.add_argument("--blocks", type=int, default=Options.blocks, help="alternations of the two servers")
    parser.add_argument("--seconds", type=float, default=Options.seconds, help="per server and block, throughput")
    parser.add_argument("--clients", type=int, default=Options.clients, help="concurrent clients for throughput")
    parser.add_argument("--only", default="", help="comma-separated query names (default: all)")
    parser.add_argument("--workdir", help="keep Oxigraph's store and the logs here (default: a temporary folder)")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the stages of a request")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.blocks < 1 or args.clients < 1 or not args.seconds > 0:
        parser.error("--rounds, --blocks and --clients must be at least 1, --seconds more than 0")
    options = Options(root=Path(args.root) if args.root else None, rounds=args.rounds, blocks=args.blocks,
                      seconds=args.seconds, clients=args.clients, workdir=Path(args.workdir) if args.workdir else None,
                      only=tuple(n for n in args.only.split(",") if n), breakdown=not args.no_breakdown)
    results = measure_serving(options, say=lambda line: print(line, file=sys.stderr, flush=True))
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(vars(results), indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
