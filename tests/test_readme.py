"""Every command of the README's ```sh blocks runs as a newcomer runs it: in a fresh checkout (a copy of the
tree in a temporary folder, with its own build cache, TSKG_CACHE), against a live `tskg serve` started from
that checkout on a free loopback port, and each exits 0 and prints something sensible. The commands are read
from the README when the tests are collected, so a line added to a ```sh block later is run too.

Only the host:port of the examples is rewritten (127.0.0.1:8000 → the live server, localhost:7878 → an
Oxigraph server the test starts, `--host 0.0.0.0` → 127.0.0.1, `--port` → a free port, added to `tskg serve`
lines that leave it to the default), nothing else. Around the commands:
- `.venv` in the copy points at this environment's (the package is the one under test);
- curl reads a .curlrc (in a HOME of its own) with `fail-with-body`, so an HTTP error is a failing exit code,
  as the README's readers would see it, not a silent 0;
- `my-facts.ttl`, the new file of the `tskg validate my-facts.ttl` example, is a small valid fact file.

Long runners are started and stopped: `tskg serve` (each line) until it says it is ready and answers, then
Ctrl-C (SIGINT), as its start line recommends; `tskg bench` and the reliability run until they print their
first line of progress, then Ctrl-C. Commands not run here are in NOT_RUN with the reason; a command is
never skipped silently.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from checkout import copy_checkout
from helpers import REPO_ROOT, alive, descendants, free_port, start_oxigraph, stop_process, OXIGRAPH

README = REPO_ROOT / "README.md"

# Commands of the README that this test does not run, and why (each must still be in the README).
NOT_RUN = {
    "make serve": "the Makefile's own setup (a venv, pip install) and then `tskg serve --host 127.0.0.1 --port 8000`, "
                  "which the `tskg serve` lines below run",
    "make test": "runs the whole test suite, this test among it",
}
# Commands that run until stopped, or for minutes: started, watched until ready, and stopped.
SERVE = re.compile(r"\btskg serve\b")
PROGRESS = re.compile(r"\btskg bench\b|server\.scale\.reliability")

MY_FACTS = """\
@prefix tsk: <https://w3id.org/tskg/ontology#> .
@prefix tskr: <https://w3id.org/tskg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

tskr:readme-example-organisation a tsk:Organisation ;
    rdfs:label "Balkan Investigative Reporting Network"@en ;
    tsk:evidence tskr:quote-s49 .
"""


def readme_commands(text: str) -> list[str]:
    """The command lines of the ```sh blocks, in order (comment-only and empty lines left out)."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            if line.strip() and not line.strip().startswith("#"):
                commands.append(line.strip())
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def not_run_reason(command: str) -> str | None:
    program = re.sub(r"\s+#.*$", "", command).strip()
    return NOT_RUN.get(program)


class Checkout:
    """The fresh checkout and what runs beside it: the live server, Oxigraph, the environment."""

    def __init__(self, root: Path, home: Path, cache: Path):
        self.root, self.home, self.cache = root, home, cache
        self.ports: dict[str, int] = {}
        self.processes: list[subprocess.Popen] = []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("TSKG_ROOT", "COLUMNS", "CURL_HOME")}
        return {**env, "HOME": str(self.home), "TSKG_CACHE": str(self.cache), "NO_COLOR": "1",
                "PYTHONUNBUFFERED": "1"}

    def rewrite(self, command: str) -> str:
        """The command with the README's host:port replaced by the test's (nothing else changed)."""
        def port(number: str) -> int:
            if number not in self.ports:
                raise AssertionError(f"the README uses port {number}; this test knows {sorted(self.ports)}: "
                                     f"add it to test_readme.py")
            return self.ports[number]

        if SERVE.search(command):  # a server of its own, on a free port, never the live one
            command = re.sub(r"--port \d+", "", command)
            command = re.sub(r"\bserve\b", f"serve --port {free_port()}", command, count=1)
        command = re.sub(r"--host 0\.0\.0\.0", "--host 127.0.0.1", command)
        return re.sub(r"\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0):(\d+)", lambda m: f"127.0.0.1:{port(m.group(1))}",
                      command)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    work = tmp_path_factory.mktemp("newcomer")
    root = copy_checkout(work / "tskg")
    (root / ".venv").symlink_to(Path(sys.executable).parent.parent)
    (root / "my-facts.ttl").write_text(MY_FACTS, encoding="utf-8")
    home = work / "home"
    home.mkdir()
    (home / ".curlrc").write_text("fail-with-body\nshow-error\n")
    made = Checkout(root, home, work / "cache")

    # Oxigraph server, where the README publishes to (…/store) and what `serve --remote` fronts (…/query).
    if not OXIGRAPH.exists():
        pytest.fail(f"{OXIGRAPH} not found: the README's publish and --remote lines need it (pip install oxigraph)")
    oxigraph, base = start_oxigraph("serve", work / "oxigraph", "--union-default-graph")
    made.ports["7878"] = int(base.rsplit(":", 1)[1])

    # The live server the curl lines talk to, started from the checkout as `make serve` would.
    port = free_port()
    live = subprocess.Popen([str(root / ".venv" / "bin" / "tskg"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=root, env=made.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    made.processes = [live]
    try:
        first = wait_for_line(live, lambda line: line.startswith("tskg serve:"), 600)
        assert first, f"tskg serve did not start: {live.stderr.read() if live.poll() is not None else ''}"
        made.ports["8000"] = port
        yield made
    finally:
        stop_group(live)
        stop_process(oxigraph)


def wait_for_line(process: subprocess.Popen, wanted, seconds: float) -> str | None:
    """The first line of stdout for which `wanted(line)` holds, within `seconds` (None if it exits first).
    A thread reads the lines, so a silent process costs no busy loop; it ends with the process's stdout."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            continue
        if line is None:
            return None
        if wanted(line):
            return line
    return None


def stop_group(process: subprocess.Popen, sig: int = signal.SIGINT, seconds: float = 30) -> list[int]:
    """Stop a process started in a session of its own as Ctrl-C would; the pids still alive after `seconds`
    (killed then, so nothing is left behind)."""
    below = descendants(process.pid)
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        pass
    left = alive(below | ({process.pid} if process.poll() is None else set()))
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if process.poll() is None:
        process.wait(10)
    return left


def snapshot(folder: Path) -> dict[str, tuple]:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()}


# Checks beyond "exit 0, some output, no error": what particular lines must print.
def check_specific(command: str, stdout: str, root: Path) -> None:
    if "Accept: text/csv" in command:
        assert sorted(stdout.splitlines()[0].split(",")) == ["o", "p", "s"] and len(stdout.splitlines()) == 6, stdout[:300]
    if "CONSTRUCT" in command and "format=turtle" in command:
        assert len(list(ox.parse(stdout.encode(), format=ox.RdfFormat.TURTLE))) > 0
    if "Accept: application/ld+json" in command:
        assert isinstance(json.loads(stdout).get("@context"), dict)
    if "Accept: text/turtle" in command:
        assert len(list(ox.parse(stdout.encode(), format=ox.RdfFormat.TURTLE))) > 0
    if "tskg query --list" in command:
        assert len(stdout.splitlines()) == len(list((root / "queries").glob("*.rq")))
    if "--canonical --output release/tskg.nq" in command:
        check = subprocess.run(["sha256sum", "-c", "tskg.nq.sha256"], cwd=root / "release", capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    if "/queries/" in command and "format=json" in command:
        assert "results" in json.loads(stdout)


def run_command(checkout: Checkout, command: str) -> None:
    rewritten = checkout.rewrite(command)
    if SERVE.search(command):
        return run_server(checkout, rewritten)
    if PROGRESS.search(command):
        return run_until_progress(checkout, rewritten)
    before = snapshot(checkout.root)
    done = subprocess.run(["bash", "-c", rewritten], cwd=checkout.root, env=checkout.env(), capture_output=True,
                          text=True, timeout=900, stdin=subprocess.DEVNULL)
    said = done.stdout + done.stderr
    assert done.returncode == 0, f"{rewritten}\nexit {done.returncode}\n{said[-3000:]}"
    assert "Traceback" not in said, said[-3000:]
    assert not re.search(r"^tskg \w+: (internal )?error", done.stderr, re.M), done.stderr[-2000:]
    changed = snapshot(checkout.root) != before
    assert done.stdout.strip() or done.stderr.strip() or changed, f"{rewritten}: printed nothing and wrote nothing"
    check_specific(command, done.stdout, checkout.root)


def run_server(checkout: Checkout, command: str) -> None:
    port = int(re.search(r"--port (\d+)", command).group(1))
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=checkout.root, env=checkout.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        ready = wait_for_line(process, lambda line: line.startswith("tskg serve:"), 600)
        assert ready, f"{command}: never ready; {process.stderr.read() if process.poll() is not None else ''}"
        assert f":{port}" in ready, ready
        answer = requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert answer.status_code == 200 and "boolean" in answer.json(), answer.text[:300]
    finally:
        left = stop_group(process, signal.SIGINT, 15)
    assert not left, f"{command}: processes left running after Ctrl-C: {left}"
    assert process.returncode in (0, 130, -signal.SIGINT), process.returncode
    assert "Traceback" not in process.stderr.read()


def run_until_progress(checkout: Checkout, command: str) -> None:
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=checkout.root, env=checkout.env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        first = wait_for_line(process, lambda line: bool(line.strip()), 600)
        failed = process.poll() is not None and process.returncode != 0
        assert first and not failed, f"{command}: no progress line; {process.stderr.read() if failed else ''}"
        assert not re.search(r"error|Traceback", first, re.I), first
    finally:
        stop_group(process, signal.SIGINT, 30)


def test_every_command_not_run_is_in_the_readme_with_a_reason():
    programs = {re.sub(r"\s+#.*$", "", c).strip() for c in COMMANDS}
    assert set(NOT_RUN) <= programs, f"NOT_RUN names commands the README no longer has: {set(NOT_RUN) - programs}"
    for command, reason in NOT_RUN.items():
        print(f"not run: {command}: {reason}")


def test_the_readme_has_commands():
    assert len(COMMANDS) > 20 and any(SERVE.search(c) for c in COMMANDS)


@pytest.mark.parametrize("command", [c for c in COMMANDS if not not_run_reason(c)],
                         ids=[f"{i:02d} {shlex.split(c, comments=True)[0].rsplit('/', 1)[-1]} "
                              f"{' '.join(shlex.split(c, comments=True)[1:3])}"
                              for i, c in enumerate(COMMANDS) if not not_run_reason(c)])
def test_readme_command(checkout, command):
    run_command(checkout, command)
