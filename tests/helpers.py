"""What the tests share: the checkout's paths, a free port, a listener that must never be contacted, the
command line run as a user runs it, `tskg serve` and Oxigraph server in subprocesses, and one factory
for an app served on loopback (`serve_app`)."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
BIN = Path(sys.executable).parent
TSKG = BIN / "tskg"
OXIGRAPH = BIN / "oxigraph"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tskg(*args: str, root: Path | None = REPO_ROOT, cwd: Path = REPO_ROOT, env: dict | None = None,
         stdin: str | None = None, timeout: float = 600, text: bool = True, **extra) -> subprocess.CompletedProcess:
    """The command line in its own process, as a user runs it: `--root` first, or with root=None the
    project found as the command finds it (from `cwd`; $TSKG_ROOT only if `env` gives it)."""
    command = [str(TSKG)] if TSKG.exists() else [sys.executable, "-m", "server"]
    if root is not None:
        command += ["--root", str(root)]
    environment = {**os.environ, "NO_COLOR": "1"}
    if root is None:
        environment.pop("TSKG_ROOT", None)
    environment.update(env or {})
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=text, timeout=timeout,
                          env=environment, input=stdin, **extra)  # extra: preexec_fn and the like


class Listener:
    """A TCP listener on a free loopback port standing in for another host: it records every connection
    (and the first line of what was sent on it), answers nothing and hangs up."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            conn.settimeout(1)
            try:
                first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
            except OSError:
                first = ""
            self.connections.append(first)
            conn.close()

    def quiet_for(self, seconds: float = 0.3) -> list[str]:
        """The connections seen, after waiting a little for any late one."""
        time.sleep(seconds)
        return list(self.connections)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


class LiveServer:
    """A real HTTP server on loopback running `app` in a background thread (werkzeug, threaded)."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()


def serve_app(**config) -> LiveServer:
    """The app with `config` on top of the test defaults, served on loopback. The caller stops it (and
    closes its engine, `server.app.extensions["tskg.engine"].close()`, unless it passed one in)."""
    from server.web import create_app

    return LiveServer(create_app({"TESTING": True, **config})).start()


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids) -> list[int]:
    return [p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0].lower()
    except (OSError, IndexError):
        return "gone"


class Serve:
    """`tskg serve` in a subprocess on a free port, in a process group of its own; stdout and stderr are
    collected by threads."""

    def __init__(self, *args: str, root: Path = REPO_ROOT, env: dict | None = None, preexec_fn=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(TSKG), "--root", str(root), "serve", "--port", str(self.port), *args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, **(env or {})}, start_new_session=True,
                                        preexec_fn=preexec_fn)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stdout, self.stdout), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self.stderr), daemon=True).start()

    def _read(self, stream, into):
        for line in stream:
            into.append(line)
            if into is self.stdout:
                self.lines.put(line)

    def wait_ready(self, seconds: float = 600) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    time.sleep(0.2)
                    raise AssertionError(f"tskg serve exited {self.process.returncode}: {''.join(self.stderr)[-2000:]}")
                continue
            if line.startswith("tskg serve:"):
                return line
        raise AssertionError("tskg serve did not say it was ready")

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=kwargs.pop("timeout", 30), **kwargs)

    def stop(self, sig: int = signal.SIGTERM, seconds: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()


def start_oxigraph(command: str, location: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """Oxigraph server (`serve` or `serve-read-only`) on a free port; its process and base URL."""
    port = free_port()
    process = subprocess.Popen(
        [str(OXIGRAPH), command, "--location", str(location), "--bind", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph {command} exited: {process.stderr.read().decode()[:500]}")
        try:
            if requests.get(base + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"oxigraph {command} did not answer within 60 s")


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
