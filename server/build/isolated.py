"""The build in a child process, for a parent that will fork afterwards (`tskg serve`'s gunicorn master).

Opening a RocksDB store starts threads that a forked process inherits in an undefined state: a gunicorn
master that had built (or even opened) the store before forking saw its workers die with SIGSEGV or
SIGABRT on every exit. So `tskg serve` runs the build, or the verification of the cached one, here, in
a fresh interpreter, and gets back only the Build record (paths, counts, warnings): the master itself
never opens the store. Errors come back as the same exceptions (ValidationFailed with its report,
TurtleSyntaxError with its position), so the caller reports them as it would in-process.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys

from ..project import Project


def build_isolated(project: Project, **options):
    """`server.build.build(project, **options)` run in a child process; its result or its exception."""
    read_fd, write_fd = os.pipe()
    code = f"from server.build.isolated import child_main; child_main({write_fd})"
    env = {**os.environ, "TSKG_ROOT": str(project.root)}
    with os.fdopen(read_fd, "rb") as answer:
        child = subprocess.Popen([sys.executable, "-c", code, pickle.dumps(options).hex()], pass_fds=(write_fd,),
                                 stdin=subprocess.DEVNULL, env=env)
        os.close(write_fd)
        try:
            data = answer.read()
        finally:
            returncode = child.wait()
    if not data:
        how = f"was killed by {signal.Signals(-returncode).name}" if returncode < 0 else f"exited {returncode}"
        raise RuntimeError(f"the build process {how} without an answer (out of memory?)")
    outcome, value = pickle.loads(data)
    if outcome == "error":
        raise value
    return value


def child_main(write_fd: int) -> None:
    from .pipeline import build

    options = pickle.loads(bytes.fromhex(sys.argv[1]))
    try:
        outcome = ("ok", build(Project.locate(os.environ["TSKG_ROOT"]), **options))
    except Exception as err:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = ("error", err)
    with os.fdopen(write_fd, "wb") as out:
        out.write(pickle.dumps(outcome))
