"""The gate beside the build: for a large graph, server.checks.gate runs in a forked child process while the
parent reasons and writes the store, so the two halves of a cold build share the machine's cores (at a
million triples each takes about as long as the other). The parent publishes the build only when the child
says the data conforms; a build that does not conform is thrown away, as it was before the change.

A small graph is checked in the process itself, before anything else (forking costs more than it saves).
So is any graph in a process that has more than one thread: a fork copies other threads' locks in whatever
state they are (RocksDB's threads once a pyoxigraph Store was opened, a web server's, a test runner's), so
the child forks only from a process whose one thread is the one forking. The build's own process
(server.build.isolated, `tskg export`, `tskg build`) has opened no store yet when the gate starts."""

from __future__ import annotations

import multiprocessing
import os
import time

from ..checks.gate import check
from ..checks.results import Report
from ..sources.files import Sources

FORK_FROM = 50_000  # triples of data: below, the gate runs in the process itself


class Gate:
    """The gate over `sources`, started at once; `report()` waits for it and raises what it raised."""

    def __init__(self, sources: Sources, engine: str):
        self.started = time.perf_counter()
        self.seconds: float | None = None
        self._report: Report | None = None
        self._process = None
        self.forked = (len(sources.triples["data"]) >= FORK_FROM and len(os.sched_getaffinity(0)) > 1
                       and single_threaded())
        if not self.forked:
            self._report = check(sources, engine=engine)
            self.seconds = time.perf_counter() - self.started
            return
        context = multiprocessing.get_context("fork")
        self._answer, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(sender, sources, engine), daemon=True,
                                        name="tskg-gate")
        self._process.start()
        sender.close()

    def failed(self) -> bool:
        """Whether the gate has already answered that the data does not conform (without waiting for it),
        so that the build stops at once instead of finishing a store it will throw away."""
        if self._report is None and self._process is not None and self._answer.poll():
            self.report()
        return self._report is not None and not self._report.conforms

    def report(self) -> Report:
        if self._report is None:
            try:
                outcome, value, seconds = self._answer.recv()
            except EOFError:
                self._process.join()
                code = self._process.exitcode
                raise RuntimeError(f"the validation process stopped without an answer (exit code {code}; "
                                   f"out of memory?)") from None
            finally:
                self._answer.close()
            self._process.join()
            self._process = None
            if outcome == "error":
                raise value
            self._report, self.seconds = value, seconds
        return self._report

    def stop(self) -> None:
        """Stop the child if it is still running (the build failed or was interrupted)."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._process = None


def single_threaded() -> bool:
    """Whether this process has one thread (native ones included: /proc/self/task lists them all)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:  # no /proc: do not fork
        return False


def _child(sender, sources: Sources, engine: str) -> None:
    started = time.perf_counter()
    try:
        outcome = ("ok", check(sources, engine=engine), time.perf_counter() - started)
    except Exception as err:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = ("error", err, time.perf_counter() - started)
    sender.send(outcome)
    sender.close()
