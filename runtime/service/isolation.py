"""Invocations in their own process: a handler that kills its process (`os._exit`, a signal, a crash)
ends only that process, as a crashing Lambda runtime ends only its sandbox.

`ForkingDriver` forks once per invocation. The child opens its own connection to the SQLite store and
runs the invocation; the parent waits for it. A child that dies leaves the execution marked `invoking`;
the parent then closes the invocation with `Driver.recover` (the same recovery `durable-compile resume`
uses after a SIGKILL, with the exit status in the message) and the settle loop invokes again. Handlers,
registered functions and the skipped-time clock reach the child by the fork itself, so nothing is
pickled. POSIX only (`os.fork`).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path

from durable_runtime.service.backend import Backend
from durable_runtime.service.driver import Driver
from durable_runtime.store.base import ExecutionRecord
from durable_runtime.store.sqlite import SqliteStore


class ForkingDriver(Driver):
    """A `Driver` whose invocations run in forked child processes (the store must be a `SqliteStore`)."""

    def invoke_once(self, arn: str) -> ExecutionRecord:
        store = self.backend.store
        if not isinstance(store, SqliteStore):
            raise TypeError("invocations in their own process need a SqliteStore (the child writes to it)")
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which leaves through os._exit
            _run_child(self, store, arn)
        _, status = os.waitpid(pid, 0)
        record = store.load_execution(arn)
        if record.invoking:
            return self.recover(arn, exit_detail(os.waitstatus_to_exitcode(status)))
        return record


def _run_child(driver: ForkingDriver, store: SqliteStore, arn: str) -> None:  # pragma: no cover - child only
    """Run one invocation on a fresh connection and leave without the parent's exit handlers."""
    code = 1
    try:
        backend = Backend(SqliteStore(store.path, store.synchronous), driver.backend.clock)
        backend.functions = driver.backend.functions
        Driver(backend, driver.resolve, driver.owner).invoke_once(arn)
        code = 0
    except BaseException:  # noqa: BLE001 - reported on stderr; the parent sees the exit status
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)


def exit_detail(code: int) -> str:
    """Lambda's wording for how a runtime process ended: `exit status 17`, `signal: killed`."""
    if code < 0:
        try:
            name = signal.strsignal(-code) or f"signal {-code}"
        except ValueError:
            name = f"signal {-code}"
        return f"signal: {name.lower()}"
    return f"exit status {code}"


def scratch_store() -> tuple[SqliteStore, tempfile.TemporaryDirectory[str]]:
    """A SQLite store in a new temporary directory, returned for the caller to clean up."""
    scratch = tempfile.TemporaryDirectory(prefix="durable-isolated-")
    return SqliteStore(Path(scratch.name) / "state.db"), scratch
