"""Drives executions: invoke the handler, fire timers, run chained invokes, until the execution settles.

Settled means terminal, or waiting on something only the outside world can do (a callback), or, when
detached, waiting on a timer. With time skipping the clock jumps to the next timer instead of sleeping.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from durable_runtime import sources
from durable_runtime.exceptions import InvocationError
from durable_runtime.execution import LocalInvocation
from durable_runtime.lambda_service import ErrorObject, Operation, OperationUpdate
from durable_runtime.service.apply import invoked_execution_arn
from durable_runtime.service.backend import UPDATED_OPERATIONS, Backend
from durable_runtime.state import ExecutionState
from durable_runtime.store.base import ConflictError, ExecutionRecord, LeaseLostError
from durable_runtime.types import LambdaContext

HandlerResolver = Callable[[ExecutionRecord], Callable[..., Any]]
MAX_INVOCATION_FAILURES = 3
LOST_INVOCATION = "the invocation's process ended before the invocation finished"
LEASE_SECONDS = 60.0


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Sink:
    """The checkpoint service one invocation talks to."""

    def __init__(self, backend: Backend, operations: dict[str, Operation], owner: str | None) -> None:
        self.backend, self.operations, self.owner = backend, operations, owner

    def checkpoint(self, execution_arn: str, updates: list[OperationUpdate]) -> list[Operation]:
        return self.backend.checkpoint(execution_arn, self.operations, updates, self.owner)


class Driver:
    def __init__(self, backend: Backend, resolve: HandlerResolver, owner: str | None = None) -> None:
        self.backend = backend
        self.resolve = resolve
        self.owner = owner

    def invoke_once(self, arn: str) -> ExecutionRecord:
        record = self.backend.store.load_execution(arn)
        handler = self.resolve(record)
        started = self.backend.clock.now()
        operations = self.backend.store.load_operations(arn)
        sink = _Sink(self.backend, dict(operations), self.owner)
        state = ExecutionState(arn, sink.operations, sink, self.backend.clock.now)
        state.updated_ids = tuple(record.extra.get(UPDATED_OPERATIONS, ()))
        state.commit_starts = self.backend.store.durable
        self.backend.begin_invocation(arn, self.owner)
        try:
            output = handler(LocalInvocation(state), LambdaContext(function_name=record.function_name))
        except InvocationError as error:
            return self._invocation_failed(arn, record, error)
        return self.backend.finish_invocation(arn, output, started, self.owner)

    def _invocation_failed(self, arn: str, record: ExecutionRecord, error: InvocationError) -> ExecutionRecord:
        failures = int(record.extra.get("invocation_failures", 0)) + 1
        if failures >= MAX_INVOCATION_FAILURES:
            return self.backend.fail_execution(arn, ErrorObject.from_exception(error), owner=self.owner)

        def count(rec: ExecutionRecord) -> None:
            rec.extra["invocation_failures"] = failures
            rec.needs_invocation, rec.invoking = True, False

        updated = self.backend.store.commit(arn, [], [], count, owner=self.owner)
        return updated or record

    def recover(self, arn: str, detail: str) -> ExecutionRecord:
        """Record an invocation whose process died (the execution still says `invoking`) as Lambda does,
        `InvocationCompleted` with a `Runtime.ExitError`, so the next invocation replays from the last
        checkpoint; after MAX_INVOCATION_FAILURES failed invocations the execution fails."""
        error = ErrorObject(f"Runtime exited with error: {detail}", "Runtime.ExitError", None, None)
        record = self.backend.abandon_invocation(arn, error, self.owner)
        if int(record.extra.get("invocation_failures", 0)) >= MAX_INVOCATION_FAILURES:
            return self.backend.fail_execution(arn, error, owner=self.owner)
        return record

    def settle(self, arn: str, *, detach: bool = False, sleep: Callable[[float], None] = time.sleep) -> ExecutionRecord:
        """Run until terminal or waiting for the outside world (or, detached, for a timer)."""
        while True:
            record = self.backend.store.load_execution(arn)
            if record.is_terminal:
                self._answer_parent(record)
                return record
            if record.invoking:  # an earlier invocation's process ended before finishing it
                self.recover(arn, LOST_INVOCATION)
                continue
            self._run_child_invokes(arn, detach=detach)
            if self.backend.fire_due(arn, self.owner):
                self.invoke_once(arn)
                continue
            due = self.backend.next_due(arn)
            if due is None:
                return record
            gap = due - self.backend.clock.now()
            if gap <= 0:
                continue
            skippable = self.backend.next_due(arn, skippable=True)
            if self.backend.clock.skip_time and skippable is not None and skippable <= due:
                self.backend.clock.advance_to(due)
            elif detach or self.backend.clock.skip_time:
                return record
            else:
                sleep(gap)

    def _run_child_invokes(self, arn: str, *, detach: bool = False) -> None:
        """Start or continue the durable executions this one invoked; answer the invokes that finished.
        Detached, a child waiting on a timer is left for the next drive (`Backend.seconds_until_due` counts it)."""
        for op in self.backend.pending_invokes(arn):
            target = self.backend.functions.get(op.function_name or "")
            if target is None or not target.durable:
                continue
            child_arn = op.child_execution_arn or self._start_child(arn, op)
            type(self)(self.backend, self.resolve).settle(child_arn, detach=detach)

    def _answer_parent(self, record: ExecutionRecord) -> None:
        """A finished child execution completes the CHAINED_INVOKE that started it (once)."""
        if record.parent is None:
            return
        try:
            self.backend.complete_invoke(record.parent["arn"], record.parent["operation_id"], record)
        except ConflictError:
            return

    def _start_child(self, arn: str, op: Operation) -> str:
        target = self.backend.functions.get(op.function_name or "")
        child_arn = self.backend.start_execution(
            op.function_name or "",
            op.input_payload,
            name=op.operation_id[:16],
            parent={"arn": arn, "operation_id": op.operation_id},
            arn=invoked_execution_arn(arn, op.operation_id, op.function_name or ""),
            source=sources.of_function(target.handler) if target else None,
        )
        linked = op.clone()
        linked.child_execution_arn = child_arn
        self.backend.store.commit(arn, [linked], [])
        return child_arn

    def run_with_lease(self, arn: str, now: float, **kwargs: Any) -> ExecutionRecord | None:
        """Settle under this driver's lease; None when another process holds the execution."""
        owner = self.owner or new_owner()
        self.owner = owner
        if not self.backend.store.acquire(arn, owner, now, LEASE_SECONDS):
            return None
        try:
            return self.settle(arn, **kwargs)
        except LeaseLostError:
            return None
        finally:
            self.backend.store.release(arn, owner)
