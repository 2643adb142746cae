"""A reliability run: `tskg serve` under load while faults are injected and hostile inputs are sent.

    python -m server.scale.reliability [--clients 8] [--seconds 60] [--root DIR]

What it does, with the figures it prints at the end:
1. Builds the project cold into a cache folder of its own and starts `tskg serve` on a free loopback port.
2. Load: N client threads for S seconds, each sending ordinary requests (SPARQL queries, saved queries,
   pages, downloads) and, one in five, a hostile input (SERVICE in its disguises, pointing at a local
   listener; nesting past the limit; a 100,000-character chain; a malformed query; an oversized body).
   Meanwhile: a query process is killed every 5 s, the web worker once, and 64 connections that never
   finish their request are held open.
3. After the load: the cache entry is damaged (dataset.nq cut in half) and the server restarted; the
   whole download must come back.
Figures: requests, answered by kind, errors (a 5xx other than 503, or no answer; requests in flight on
the web worker when it is killed are counted apart, as lost), p50 and p99 latency
of the ordinary requests, faults survived, hostile inputs refused, connections seen by the listener.
The run fails (exit 1) on any error, any connection to the listener, or a fault not survived.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from ..project import Project

ORDINARY = [
    ("GET", "/sparql", {"query": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } LIMIT 50"}),
    ("GET", "/sparql", {"query": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n)"}),
    ("GET", "/sparql", {"query": "ASK { ?s a tsk:State }", "format": "json"}),
    ("GET", "/sparql", {"query": "CONSTRUCT WHERE { ?s a tsk:Person } LIMIT 20", "format": "turtle"}),
    ("GET", "/queries/actor-offices", {"format": "json"}),
    ("GET", "/queries/retractions", {"format": "csv"}),
    ("GET", "/queries/timeline-turkey-serbia", {"format": "json"}),
    ("GET", "/page/aleksandar-vucic", {}),
    ("GET", "/", {}),
    ("GET", "/data/serbia.ttl", {}),
    ("GET", "/ontology.ttl", {}),
]


def hostile(listener: str) -> list[tuple[str, str, dict | bytes]]:
    chain = "SELECT * WHERE { FILTER(1" + "+1" * 49_970 + " > 0) }"
    return [
        ("GET", "/sparql", {"query": f"SELECT * WHERE {{ SERVICE <{listener}> {{ ?s ?p ?o }} }}"}),
        ("GET", "/sparql", {"query": f'SELECT * WHERE {{ BIND("\\u0022" AS ?q) SERVICE <{listener}> {{ }} }}'}),
        ("GET", "/sparql", {"query": f"PREFIX : <{listener}> SELECT * WHERE {{ SERVICE:x {{ }} }}"}),
        ("GET", "/sparql", {"query": f"SELECT * WHERE {{ ?s ?p trueSERVICE<{listener}>{{}} }}"}),
        ("GET", "/sparql", {"query": f"SELECT * FROM <{listener}> WHERE {{ ?s ?p ?o }}"}),
        ("POST", "/sparql", {"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000}),
        ("POST", "/sparql", {"query": chain}),
        ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p }"}),
        ("POST", "/sparql", b"x" * (2 << 20)),
        ("GET", "/sparql", {"update": "DROP ALL"}),
    ]


class Listener(threading.Thread):
    """Counts connections to a loopback port that stands in for another host."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.connections = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(root: Path, cache: Path, port: int) -> subprocess.Popen:
    tskg = Path(sys.executable).parent / "tskg"
    process = subprocess.Popen([str(tskg), "--root", str(root), "serve", "--port", str(port), "--timeout", "5"],
                               env={**os.environ, "TSKG_CACHE": str(cache)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("tskg serve:"):
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process
        if not line and process.poll() is not None:
            raise SystemExit(f"tskg serve exited {process.returncode}: {process.stderr.read()[-2000:]}")
    raise SystemExit("tskg serve did not start within 15 minutes")


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def query_processes(master: int) -> list[int]:
    return [p for w in children(master) for p in children(w)
            if "process_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.scale.reliability", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--root", default=None, help="project checkout (default: this one)")
    args = parser.parse_args(argv)
    project = Project.locate(args.root)
    work = Path(tempfile.mkdtemp(prefix="tskg-reliability-"))
    listener = Listener()
    listener.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    server = start(project.root, work / "cache", port)
    print(f"cold start: {time.monotonic() - started:.1f} s; load: {args.clients} clients × {args.seconds:g} s")

    latencies: list[float] = []
    counts = {"ordinary": 0, "hostile": 0, "hostile refused": 0, "503": 0, "errors": 0, "lost": 0}
    worker_killed_at: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds
    attacks = hostile(listener.url)

    def client(seed: int):
        rng = random.Random(seed)
        session = requests.Session()
        while time.monotonic() < stop_at:
            is_hostile = rng.random() < 0.2
            method, path, payload = rng.choice(attacks if is_hostile else ORDINARY)
            began = time.monotonic()
            try:
                if isinstance(payload, bytes):
                    r = session.post(base + path, data=payload, timeout=30,
                                     headers={"Content-Type": "application/sparql-query"})
                elif method == "POST":
                    r = session.post(base + path, data=payload, timeout=30)
                else:
                    r = session.get(base + path, params=payload, timeout=30)
                status = r.status_code
            except requests.RequestException as err:
                status, r = None, None
                if not any(began - 1 <= t <= time.monotonic() for t in worker_killed_at):
                    with lock:
                        errors.append(f"{path}: no answer ({type(err).__name__})")
            took = time.monotonic() - began
            with lock:
                if status is None and any(began - 1 <= t for t in worker_killed_at):
                    counts["lost"] += 1  # in flight on (or kept alive to) the web worker that was killed
                elif status is None:
                    counts["errors"] += 1
                elif status >= 500 and status != 503:
                    counts["errors"] += 1
                    errors.append(f"{method} {path}: {status} {r.text[:120]}")
                elif status == 503:
                    counts["503"] += 1
                if is_hostile:
                    counts["hostile"] += 1
                    counts["hostile refused"] += status is not None and 400 <= status < 500
                elif status == 200:
                    counts["ordinary"] += 1
                    latencies.append(took)

    slow = []
    for _ in range(64):
        conn = socket.create_connection(("127.0.0.1", port))
        conn.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        slow.append(conn)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    faults = {"query process killed": 0, "web worker killed": 0}
    next_kill, killed_worker = time.monotonic() + 5, False
    while time.monotonic() < stop_at:
        time.sleep(0.2)
        if time.monotonic() >= next_kill:
            victims = query_processes(server.pid)
            if victims:
                os.kill(random.choice(victims), signal.SIGKILL)
                faults["query process killed"] += 1
            next_kill += 5
        if not killed_worker and time.monotonic() > stop_at - args.seconds / 2:
            workers = children(server.pid)
            if workers:
                worker_killed_at.append(time.monotonic())
                os.kill(workers[0], signal.SIGKILL)
                faults["web worker killed"] += 1
            killed_worker = True
    for thread in threads:
        thread.join(60)
    for conn in slow:
        conn.close()
    survived = requests.get(base + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200

    # Damage the cache, restart: the whole download must come back.
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    entry = next(p for p in (work / "cache").iterdir() if not p.name.startswith("."))
    whole = (entry / "dataset.nq").read_bytes()
    (entry / "dataset.nq").write_bytes(whole[: len(whole) // 2])
    server = start(project.root, work / "cache", port)
    download = requests.get(base + "/downloads/tskg.nq", timeout=60)
    cache_ok = download.status_code == 200 and download.content.count(b"\n") == whole.count(b"\n")
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    listener.running = False

    total = counts["ordinary"] + counts["hostile"] + counts["503"] + counts["errors"] + counts["lost"]
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else float("nan")
    print(f"requests: {total} ({total / args.seconds:.0f}/s); ordinary answered 200: {counts['ordinary']}; "
          f"503 (busy or stopped): {counts['503']}; errors: {counts['errors']}; lost in flight with the killed "
          f"web worker: {counts['lost']}")
    print(f"latency of ordinary requests: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"faults: {faults['query process killed']} query processes killed, {faults['web worker killed']} web "
          f"worker killed, 64 half-sent connections held; served afterwards: {'yes' if survived else 'NO'}")
    print(f"cache damaged (dataset.nq cut in half) and restarted: {'rebuilt, whole download' if cache_ok else 'FAILED'}")
    print(f"hostile inputs: {counts['hostile']} sent, {counts['hostile refused']} refused with a 4xx, the rest "
          "stopped at the time limit (503)")
    print(f"connections to the listener: {listener.connections}")
    for line in errors[:10]:
        print("  error:", line)
    failed = counts["errors"] or listener.connections or not survived or not cache_ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
