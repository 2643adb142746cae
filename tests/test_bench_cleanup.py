"""`tskg bench` leaves no server running when it is stopped: by Ctrl-C (SIGINT to its process group, as a
terminal sends it; the servers it starts have sessions of their own and do not get it) or by SIGTERM (a
CI timeout). A real `tskg bench` in a subprocess, stopped while its servers answer queries; then every
process that was ever seen below it must be gone. Bounded waits throughout."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.scale.benchmark import OXIGRAPH
from tests.helpers import REPO_ROOT


def descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every process below `pid` (the start time tells a reused pid apart)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        try:
            for task in Path(f"/proc/{parent}/task").iterdir():
                for child in (task / "children").read_text().split():
                    found.add((int(child), start_time(int(child))))
                    todo.append(int(child))
        except OSError:
            pass
    return {(p, t) for p, t in found if t}


def start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def alive(pid: int, started: str) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == started and fields[0] != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_a_stopped_bench_leaves_no_server_running(tmp_path, how):
    if not OXIGRAPH.exists():
        pytest.skip(f"{OXIGRAPH} not installed (pip install oxigraph)")
    bench = subprocess.Popen(
        [sys.executable, "-m", "server", "--root", str(REPO_ROOT), "bench", "--sizes", "1k", "--repeat", "1",
         "--clients", "2", "--reference-max", "1", "--query-budget", "30", "--load-budget", "30",
         "--workdir", str(tmp_path), "--no-curated"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    seen: set[tuple[int, str]] = set()
    output = b""
    try:
        # Wait (at most 300 s) until our server answers the queries: the line, then a `serve` below it.
        selector = selectors.DefaultSelector()
        selector.register(bench.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + 300
        serving = False
        while time.monotonic() < deadline and not serving:
            seen |= descendants(bench.pid)
            if selector.select(timeout=0.2):
                chunk = os.read(bench.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
            if b"warm start and queries" in output:
                serving = any(" serve " in command_line(pid) for pid, _ in descendants(bench.pid))
        assert serving, f"bench did not reach its queries in time:\n{output.decode(errors='replace')[-2000:]}"
        time.sleep(1.0)
        seen |= descendants(bench.pid)
        assert len(seen) >= 2, seen  # gunicorn and its worker at least

        if how == "ctrl-c":
            os.killpg(bench.pid, signal.SIGINT)  # what a terminal does: the foreground process group
        else:
            bench.send_signal(signal.SIGTERM)
        rest, _ = bench.communicate(timeout=120)
        output += rest
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait(timeout=30)

    deadline = time.monotonic() + 10  # processes already signalled may take a moment to be reaped
    while time.monotonic() < deadline and any(alive(pid, t) for pid, t in seen):
        time.sleep(0.1)
    survivors = [f"{pid}: {command_line(pid)}" for pid, t in seen if alive(pid, t)]
    for pid, t in seen:  # leave nothing behind even when the test fails
        if alive(pid, t):
            os.kill(pid, signal.SIGKILL)
    assert survivors == [], survivors
    assert bench.returncode == 128 + (signal.SIGINT if how == "ctrl-c" else signal.SIGTERM), output[-2000:]
