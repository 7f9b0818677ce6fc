"""The runtime as the command line uses it: a store on disk, handlers loaded from files, leases held.

Every method returns data; printing is the CLI's job.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from durable_runtime import sources
from durable_runtime.lambda_service import ErrorObject, Operation, OperationStatus
from durable_runtime.loader import load_module
from durable_runtime.service.backend import Backend, RegisteredFunction
from durable_runtime.service.clock import Clock
from durable_runtime.service.driver import Driver, new_owner
from durable_runtime.service.history import render
from durable_runtime.store.base import ExecutionRecord
from durable_runtime.store.sqlite import SqliteStore

STORE_ENV = "DURABLE_STORE"
_FAILED = (OperationStatus.FAILED, OperationStatus.TIMED_OUT)
_NAMED_ID = re.compile(r"\bid='([0-9a-f]{64})'")  #: how NonDeterministicExecutionError names the operation


def default_store_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or Path.cwd() / ".durable" / "state.db")


class LocalRuntime:
    def __init__(self, store_path: str | Path | None = None, *, skip_time: bool = False) -> None:
        self.store = SqliteStore(store_path or default_store_path())
        self.backend = Backend(self.store, Clock(skip_time=skip_time))
        self.owner = new_owner()

    # -- handlers -------------------------------------------------------------------------------------

    def _resolve(self, record: ExecutionRecord) -> Callable[..., Any]:
        if record.function_name in self.backend.functions:
            return self.backend.functions[record.function_name].handler
        if not record.handler_ref and record.parent:  # a durable function invoked by another execution
            self._resolve(self.store.load_execution(record.parent["arn"]))
            if record.function_name in self.backend.functions:
                return self.backend.functions[record.function_name].handler
        if not record.handler_ref:
            raise LookupError(f"execution {record.arn} has no handler reference")
        path, _, name = record.handler_ref.rpartition(":")
        module = load_module(path)
        self._register_module(module)
        return getattr(module, name)  # type: ignore[no-any-return]

    def _register_module(self, module: Any) -> None:
        """Functions of the handler's module answer `context.invoke` by name (`-` or `_`)."""
        for attr, value in vars(module).items():
            if callable(value) and not attr.startswith("_") and getattr(value, "__module__", None) == module.__name__:
                entry = RegisteredFunction(value, durable=hasattr(value, "__durable_handler__"))
                self.backend.functions.setdefault(attr, entry)
                self.backend.functions.setdefault(attr.replace("_", "-"), entry)

    # -- commands -------------------------------------------------------------------------------------

    def start(self, file: str | Path, handler_name: str, input_payload: str | None) -> str:
        path = Path(file).resolve()
        ref = f"{path}:{handler_name}"
        source = sources.of_function(getattr(load_module(path), handler_name, None))
        return self.backend.start_execution(path.stem, input_payload, name=path.stem, handler_ref=ref, source=source)

    def drive(self, arn: str, *, detach: bool = False) -> ExecutionRecord | None:
        """Run the execution under this process's lease; None when another process holds it."""
        driver = Driver(self.backend, self._resolve, self.owner)
        with sources.walking():  # a directly run handler's operations get their caller's file:line
            return driver.run_with_lease(arn, self.backend.clock.now(), detach=detach)

    def due(self, now: float | None = None) -> list[str]:
        moment = self.backend.clock.now() if now is None else now
        return [
            r.arn
            for r in self.store.list_executions("RUNNING")
            if r.needs_invocation or r.invoking or (r.next_wake is not None and r.next_wake <= moment)
        ]

    def resume(self, execution_id: str | None = None, max_rounds: int = 20) -> list[ExecutionRecord]:
        """Continue one execution, or every execution that is due (repeatedly: a finished child execution
        makes its parent due); detached, it never sleeps. Executions another process holds are skipped."""
        if execution_id:
            record = self.drive(self.store.resolve(execution_id), detach=True)
            return [record] if record is not None else []
        done: dict[str, ExecutionRecord] = {}
        busy: set[str] = set()
        for _ in range(max_rounds):
            due = [arn for arn in self.due() if arn not in busy]
            if not due:
                break
            for arn in due:
                record = self.drive(arn, detach=True)
                if record is None:
                    busy.add(arn)
                else:
                    done[arn] = record
        return list(done.values())

    def worker(self, *, once: bool = False, poll: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> int:
        """Resume due executions as their timers fire; returns how many resumes ran."""
        count = 0
        while True:
            count += len(self.resume())
            if once:
                return count
            sleep(poll)

    def callback(self, action: str, callback_id: str, payload: str | None) -> str:
        if action == "fail":
            data = json.loads(payload) if payload else {}
            error = ErrorObject(data.get("ErrorMessage"), data.get("ErrorType"), data.get("ErrorData"), None)
            return self.backend.complete_callback(callback_id, "fail", error=error)
        return self.backend.complete_callback(callback_id, action, result=payload)

    def executions(self, status: str | None = None) -> list[ExecutionRecord]:
        return self.store.list_executions(status)

    def history(self, execution_id: str, *, with_sources: bool = False) -> list[dict[str, Any]]:
        """The AWS-shaped events; `with_sources` adds `Source: {File, Line}` to each operation's events."""
        arn = self.store.resolve(execution_id)
        events = [render(e) for e in self.store.events(arn)]
        return sources.attach(events, self.locations(arn)) if with_sources else events

    def locations(self, arn: str) -> dict[str, sources.Location]:
        """Where each operation (and the handler, under the execution's id) is written, by operation id."""
        found = ((op_id, sources.of_record(op.extra)) for op_id, op in self.store.load_operations(arn).items())
        return {op_id: location for op_id, location in found if location is not None}

    def failure_source(self, record: ExecutionRecord) -> tuple[Operation, sources.Location] | None:
        """The operation whose failure failed the execution, with its location: among the located
        operations that failed with the execution's error message, the innermost that ended last; for a
        non-deterministic replay, the recorded operation its message names (where it was first written)."""
        message = (record.error or {}).get("ErrorMessage")
        if not message:
            return None
        operations = self.store.load_operations(record.arn)
        failed = [op for op in operations.values() if op.status in _FAILED and op.error and op.error.message == message]
        parents = {op.parent_id for op in failed}
        innermost = [op for op in failed if op.operation_id not in parents and sources.of_record(op.extra)]
        named = _NAMED_ID.search(message)
        if innermost:
            found: Operation | None = max(innermost, key=lambda op: op.end_timestamp or 0.0)
        else:
            found = operations.get(named.group(1)) if named else None
        location = sources.of_record(found.extra) if found is not None else None
        return (found, location) if found is not None and location is not None else None

    def record(self, execution_id: str) -> ExecutionRecord:
        return self.store.load_execution(self.store.resolve(execution_id))

    def close(self) -> None:
        self.store.close()


def run_to_end(
    runtime: LocalRuntime, arn: str, *, poll: float = 0.2, sleep: Callable[[float], None] = time.sleep
) -> ExecutionRecord:
    """Drive until terminal, waiting (by polling the store) for callbacks answered from elsewhere."""
    while True:
        record = runtime.drive(arn) or runtime.store.load_execution(arn)
        if record.is_terminal:
            return record
        sleep(poll)
