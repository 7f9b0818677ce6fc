"""`DurableFunctionTestRunner`: AWS's local test runner API over this runtime (in-memory, time skipped).

With `isolate_invocations=True` every invocation runs in a forked process over a SQLite store, so a
handler that kills its process (`os._exit`) is recorded as a crashed invocation (`Runtime.ExitError`) and
invoked again, as Lambda would.

`run_async` returns once the first invocation settles (with time skipping: once the execution finishes or
waits for the outside world); from then on the execution moves forward on its own, on a follower thread
that sleeps until the next timer or until `send_callback_*` answers, whichever comes first, so an answer
sent during a wait re-invokes the handler at once. `wait_for_result` drives too, and blocks on the same
condition, never polling. One driver runs at a time (`_lock`); waiting never holds it.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from durable_runtime.execution import durable_execution
from durable_runtime.lambda_service import ErrorObject
from durable_runtime.service.backend import Backend, RegisteredFunction
from durable_runtime.service.clock import Clock
from durable_runtime.service.driver import Driver
from durable_runtime.service.isolation import ForkingDriver, scratch_store
from durable_runtime.store.base import ExecutionRecord, Store
from durable_runtime.store.memory import MemoryStore
from durable_runtime.store.sqlite import SqliteStore
from durable_runtime.testing.results import (
    DurableFunctionsTestError,
    DurableFunctionTestResult,
    Event,
    GetDurableExecutionHistoryResponse,
)


class DurableFunctionTestRunner:
    def __init__(
        self,
        handler: Callable[..., Any],
        poll_interval: float = 1.0,  # AWS's signature; waits here block on events and never poll
        max_invocation_page_bytes: int | None = None,
        execution_timeout: int = 300,
        invocation_timeout: int = 900,
        store: Store | None = None,
        skip_time: bool = True,
        region: str = "us-west-2",
        isolate_invocations: bool = False,
    ) -> None:
        self.handler = handler
        self.poll_interval = poll_interval
        self._execution_timeout = execution_timeout
        self._invocation_timeout = invocation_timeout
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        if isolate_invocations:
            self._scratch, store = _isolated_store(store)
        self.backend = Backend(store or MemoryStore(), Clock(skip_time=skip_time))
        self.driver = (ForkingDriver if isolate_invocations else Driver)(self.backend, self._resolve)
        self._lock = threading.RLock()  #: held while driving, never while waiting
        self._changed = threading.Condition()  #: notified after every drive, every answer, and on close
        self._answered = 0  #: answers received so far; a waiter compares it with the count before its drive
        self._closed = False
        self._followers: list[threading.Thread] = []
        self._failures: dict[str, BaseException] = {}  #: a follower's error, raised by `wait_for_result`

    def _resolve(self, record: ExecutionRecord) -> Callable[..., Any]:
        target = self.backend.functions.get(record.function_name)
        if target is not None and target.durable:
            return target.handler
        return self.handler

    # -- registry ---------------------------------------------------------------------------------------

    def register_durable_function(
        self, function_name: str, handler: Callable[..., Any], **_: Any
    ) -> DurableFunctionTestRunner:
        self.backend.functions[function_name] = RegisteredFunction(handler, durable=True)
        return self

    def register_function(self, function_name: str, handler: Callable[..., Any]) -> DurableFunctionTestRunner:
        self.backend.functions[function_name] = RegisteredFunction(handler, durable=False)
        return self

    # -- lifecycle --------------------------------------------------------------------------------------

    def __enter__(self) -> DurableFunctionTestRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the followers (each finishes the invocation it is running), then close the store."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for follower in self._followers:
            if follower is not threading.current_thread():
                follower.join()
        self.backend.store.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    # -- running ----------------------------------------------------------------------------------------

    def run(
        self,
        input: str | None = None,  # noqa: A002 - AWS's parameter name
        execution_timeout: int | None = None,
        timeout: int | None = None,
        function_name: str = "test-function",
        execution_name: str = "execution-name",
        account_id: str = "123456789012",
        tenant_id: str | None = None,
    ) -> DurableFunctionTestResult:
        effective = execution_timeout if execution_timeout is not None else (timeout or self._execution_timeout)
        arn = self.run_async(input, effective, None, function_name, execution_name, account_id, tenant_id)
        return self.wait_for_result(arn, timeout=effective)

    def run_async(
        self,
        input: str | None = None,  # noqa: A002
        execution_timeout: int | None = None,
        timeout: int | None = None,
        function_name: str = "test-function",
        execution_name: str = "execution-name",
        account_id: str = "123456789012",
        tenant_id: str | None = None,
    ) -> str:
        effective = execution_timeout if execution_timeout is not None else (timeout or self._execution_timeout)
        arn = self.backend.start_execution(function_name, input, name=execution_name, timeout_seconds=effective)
        if not self._drive(arn).is_terminal:
            self._follow(arn)
        return arn

    def _drive(self, arn: str) -> ExecutionRecord:
        """Invoke, fire due timers and skip time until the execution needs the outside world or a real wait."""
        with self._lock:
            record = self.driver.settle(arn, detach=True)
        with self._changed:
            self._changed.notify_all()
        return record

    def _follow(self, arn: str) -> None:
        """Move the execution forward on its own until it ends or the runner closes."""
        self._followers = [f for f in self._followers if f.is_alive()]
        follower = threading.Thread(target=self._carry, args=(arn,), name=f"durable-follower-{arn}", daemon=True)
        self._followers.append(follower)
        follower.start()

    def _carry(self, arn: str) -> None:
        try:
            self._advance(arn, deadline=None)
        except Exception as error:  # noqa: BLE001 - handed to whoever waits for the result
            self._failures[arn] = error
            with self._changed:
                self._changed.notify_all()

    def _advance(self, arn: str, deadline: float | None) -> ExecutionRecord:
        """Drive, then sleep until the next timer, an answer, the end, or `deadline` (monotonic)."""
        while True:
            seen = self._answered
            record = self._drive(arn)
            if record.is_terminal or self._closed:
                return record
            wait = self.backend.seconds_until_due(arn)
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return record
                wait = remaining if wait is None else min(wait, remaining)
            self._await_change(arn, seen, wait)
            if self._closed:
                return record

    def _await_change(self, arn: str, seen: int, seconds: float | None) -> None:
        """Block until an answer arrives after `seen`, the execution ends, the runner closes, or `seconds`."""

        def changed() -> bool:
            if self._closed or self._answered != seen or arn in self._failures:
                return True
            return self.backend.store.load_execution(arn).is_terminal

        with self._changed:
            self._changed.wait_for(changed, seconds)

    def wait_for_result(self, execution_arn: str, timeout: int = 60) -> DurableFunctionTestResult:
        record = self._advance(execution_arn, deadline=time.monotonic() + timeout)
        self._raise_failure(execution_arn)
        if not record.is_terminal:
            record = self._drive(execution_arn)  # one last look: timers that fell due meanwhile
        if record.is_terminal:
            return self._result(record)
        raise TimeoutError("Execution did not complete within timeout")

    def _raise_failure(self, arn: str) -> None:
        failure = self._failures.pop(arn, None)
        if failure is not None:
            raise failure

    def _result(self, record: ExecutionRecord) -> DurableFunctionTestResult:
        records = list(self.backend.store.load_operations(record.arn).values())
        return DurableFunctionTestResult.create(record.status, records, record.result, record.error)

    # -- callbacks --------------------------------------------------------------------------------------

    def send_callback_success(self, callback_id: str, result: bytes | None = None) -> None:
        text = result.decode() if isinstance(result, bytes | bytearray) else result
        self._answer(callback_id, "succeed", result=text)

    def send_callback_failure(self, callback_id: str, error: ErrorObject | None = None) -> None:
        self._answer(callback_id, "fail", error=error or ErrorObject(None, None, None, None))

    def send_callback_heartbeat(self, callback_id: str) -> None:
        self._answer(callback_id, "heartbeat")

    def _answer(self, callback_id: str, action: str, **fields: Any) -> None:
        try:
            self.backend.complete_callback(callback_id, action, **fields)
        except (KeyError, ValueError) as error:
            raise DurableFunctionsTestError(str(error)) from error
        with self._changed:
            self._answered += 1
            self._changed.notify_all()

    def wait_for_callback(self, execution_arn: str, name: str | None = None, timeout: int = 60) -> str:
        """The id of an open callback, once the invocation that created it has completed."""
        self._drive(execution_arn)
        found: list[str] = []

        def available() -> bool:
            callback_id = _open_callback(self.backend.store.events(execution_arn), name)
            found.extend([callback_id] if callback_id else [])
            return bool(found) or self._closed

        with self._changed:
            self._changed.wait_for(available, timeout)
        if not found:
            raise TimeoutError(f"Callback did not become available within {timeout}s.")
        return found[0]

    def get_execution_history(
        self, execution_arn: str, include_execution_data: bool = False
    ) -> GetDurableExecutionHistoryResponse:
        return GetDurableExecutionHistoryResponse([Event(e) for e in self.backend.store.events(execution_arn)])

    def get_execution(self, execution_arn: str) -> ExecutionRecord:
        return self.backend.store.load_execution(execution_arn)


def _isolated_store(store: Store | None) -> tuple[tempfile.TemporaryDirectory[str] | None, Store]:
    """Invocations in their own process share state through SQLite: the given store, or a scratch one."""
    if store is None:
        made, scratch = scratch_store()
        return scratch, made
    if not isinstance(store, SqliteStore):
        raise TypeError("isolate_invocations=True needs a SqliteStore (or no store: a temporary one is made)")
    return None, store


def _open_callback(events: list[dict[str, Any]], name: str | None) -> str | None:
    """The id of a started, unanswered callback whose invocation has completed (latest first)."""
    closed = {
        e.get("Id") for e in events if e["EventType"] in ("CallbackSucceeded", "CallbackFailed", "CallbackTimedOut")
    }
    ready: list[str] = []
    for index, event in enumerate(events):
        if event["EventType"] != "CallbackStarted" or (name is not None and event.get("Name") != name):
            continue
        if name is not None and event.get("Id") in closed:
            raise DurableFunctionsTestError(f"Callback {name} has already completed (succeeded/failed/timed out)")
        later = events[index + 1 :]
        if event.get("Id") not in closed and any(e["EventType"] == "InvocationCompleted" for e in later):
            ready.append(event["CallbackStartedDetails"]["CallbackId"])
    return ready[-1] if ready else None


class DurableChildContextTestRunner(DurableFunctionTestRunner):
    """Runs one `@durable_with_child_context` function as a whole execution."""

    def __init__(self, context_function: Callable[..., Any], *args: Any, skip_time: bool = True, **kwargs: Any) -> None:
        @durable_execution
        def handler(event: Any, context: Any) -> Any:
            return context_function(*args, **kwargs)(context)

        super().__init__(handler, skip_time=skip_time)
