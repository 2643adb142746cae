"""Virtuoso Open Source (Debian's virtuoso-opensource, `make system-deps`) for the tests: `start_virtuoso`
writes its own virtuoso.ini into a temporary folder (database, logs, free loopback ports for SQL and HTTP)
and starts `virtuoso-t` in the foreground from it, so no system service or file is touched."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from helpers import free_port

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
USER, PASSWORD = "dba", "dba"  # the account of a new database, allowed SPARQL updates


INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = {dir}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {vsp}
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


@dataclass
class Virtuoso:
    process: subprocess.Popen
    base: str           # http://127.0.0.1:PORT
    directory: Path

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint that takes HTTP Digest credentials."""
        return self.base + "/sparql-graph-crud-auth"

    def log(self) -> str:
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_virtuoso(directory: Path, seconds: float = 120) -> Virtuoso:
    """A new, empty Virtuoso in `directory`, answering SPARQL on a free loopback port."""
    directory.mkdir(parents=True, exist_ok=True)
    http_port = free_port()
    ini = directory / "virtuoso.ini"
    (directory / "vsp").mkdir(exist_ok=True)  # its web root: empty, /sparql and the Graph Store are built in
    ini.write_text(INI.format(dir=directory, sql_port=free_port(), http_port=http_port, vsp=directory / "vsp"))
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(ini)], cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server = Virtuoso(process, f"http://127.0.0.1:{http_port}", directory)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {server.log()}")
        try:
            if requests.get(server.sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"Virtuoso did not answer within {seconds:g} s: {server.log()}")
