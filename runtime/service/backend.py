"""The local durable execution service over a store: start executions, apply checkpoints, fire timers,
complete callbacks and finish invocations. It never runs handler code except plain invoked functions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable_runtime.lambda_service import (
    ErrorObject,
    Operation,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
)
from durable_runtime.service.apply import apply_update, function_arn, parse_callback_token
from durable_runtime.service.clock import Clock
from durable_runtime.service.history import error_payload, invocation_completed, operation_event, payload
from durable_runtime.sources import with_location
from durable_runtime.store.base import ConflictError, ExecutionRecord, Store
from durable_runtime.types import LambdaContext

Events = list[dict[str, Any]]
UPDATED_OPERATIONS = "updated_operations"  #: record.extra key: ids changed since the last invocation began


@dataclass(frozen=True)
class RegisteredFunction:
    handler: Callable[..., Any]
    durable: bool


class Backend:
    def __init__(self, store: Store, clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or Clock()
        self.functions: dict[str, RegisteredFunction] = {}

    # -- executions -----------------------------------------------------------------------------------

    def start_execution(
        self,
        function_name: str,
        input_payload: str | None,
        *,
        name: str = "execution",
        timeout_seconds: int = 0,
        handler_ref: str | None = None,
        parent: dict[str, str] | None = None,
        arn: str | None = None,
        source: tuple[str, int] | None = None,
    ) -> str:
        """Create the execution; `source` is where its handler is defined (kept beside the history)."""
        now = self.clock.now()
        execution_id = arn.rsplit("/", 1)[-1] if arn else str(uuid.uuid4())
        arn = arn or f"{function_arn(function_name)}/durable-execution/{name}/{execution_id}"
        record = ExecutionRecord(arn, function_name, name, input=input_payload, start_timestamp=now)
        record.timeout_seconds, record.handler_ref, record.parent = timeout_seconds, handler_ref, parent
        record.extra["skipped_at_start"] = self.clock.skipped
        op = Operation(execution_id, OperationType.EXECUTION, OperationStatus.STARTED, name=name, start_timestamp=now)
        op.input_payload = input_payload
        op.extra = with_location(op.extra, source)
        details: dict[str, Any] = {"Input": payload(input_payload)}
        if timeout_seconds:
            details["ExecutionTimeout"] = timeout_seconds
        self.store.create_execution(record, [op], [operation_event(op, "Started", now, details)])
        return arn

    def checkpoint(
        self, arn: str, operations: dict[str, Operation], updates: list[OperationUpdate], owner: str | None
    ) -> list[Operation]:
        now = self.clock.now()
        changed: list[Operation] = []
        events: Events = []
        for u in updates:
            op, new_events = apply_update(operations.get(u.operation_id), u, now, arn)
            changed.append(op)
            events.extend(new_events)
            if u.operation_type is OperationType.CHAINED_INVOKE and u.action is OperationAction.START:
                done = self._invoke_plain(op, now)
                if done is not None:
                    op = done[0]
                    changed.append(op)
                    events.append(done[1])
            operations[op.operation_id] = op
        self.store.commit(arn, changed, events, owner=owner)
        return changed

    def begin_invocation(self, arn: str, owner: str | None = None) -> None:
        """Clear the wake-up flag first: an answer that arrives during the invocation sets it again."""
        now = self.clock.now()

        def begin(record: ExecutionRecord) -> None:
            record.needs_invocation, record.invoking = False, True
            record.extra["invocation_started"] = now
            record.extra.pop(UPDATED_OPERATIONS, None)

        self._commit(arn, [], [], begin, owner)

    def abandon_invocation(self, arn: str, error: ErrorObject, owner: str | None = None) -> ExecutionRecord:
        """Close an invocation whose process ended before finishing it (a crash): record its
        `InvocationCompleted` with `error`, count it as a failed invocation and ask for the next one."""
        now = self.clock.now()
        record = self.store.load_execution(arn)
        started = float(record.extra.get("invocation_started", now))

        def abandon(rec: ExecutionRecord) -> None:
            rec.invoking, rec.needs_invocation = False, True
            rec.extra["invocation_failures"] = int(rec.extra.get("invocation_failures", 0)) + 1

        return self._commit(arn, [], [invocation_completed(now, started, error)], abandon, owner)

    def finish_invocation(
        self, arn: str, output: dict[str, Any], started: float, owner: str | None = None
    ) -> ExecutionRecord:
        now = self.clock.now()
        error = ErrorObject.from_dict(output["Error"]) if output.get("Error") else None
        status = output["Status"]
        events = [invocation_completed(now, started, error if status == "FAILED" else None)]
        record = self.store.load_execution(arn)
        if status in ("SUCCEEDED", "FAILED"):
            return self._close(record, events, status, output.get("Result"), error, owner)
        return self._commit(arn, [], events, _set(next_wake=self.next_due(arn, record), invoking=False), owner)

    def fail_execution(
        self, arn: str, error: ErrorObject, status: str = "FAILED", owner: str | None = None
    ) -> ExecutionRecord:
        return self._close(self.store.load_execution(arn), [], status, None, error, owner)

    def _close(
        self,
        record: ExecutionRecord,
        events: Events,
        status: str,
        result: str | None,
        error: ErrorObject | None,
        owner: str | None,
    ) -> ExecutionRecord:
        now = self.clock.now()
        op = Operation(
            record.arn.rsplit("/", 1)[-1], OperationType.EXECUTION, OperationStatus(status), name=record.name
        )
        word = {"SUCCEEDED": "Succeeded", "FAILED": "Failed", "TIMED_OUT": "TimedOut"}[status]
        details = {"Result": payload(result)} if status == "SUCCEEDED" else {"Error": error_payload(error)}

        def close(rec: ExecutionRecord) -> None:
            rec.status, rec.result, rec.end_timestamp = status, result, now
            rec.error = error.to_dict() if error else None
            rec.next_wake, rec.needs_invocation, rec.invoking = None, False, False

        return self._commit(record.arn, [], [*events, operation_event(op, word, now, details)], close, owner)

    def _commit(
        self,
        arn: str,
        ops: list[Operation],
        events: Events,
        update: Callable[[ExecutionRecord], None],
        owner: str | None = None,
        expected: dict[str, str] | None = None,
    ) -> ExecutionRecord:
        record = self.store.commit(arn, ops, events, update, owner=owner, expected=expected)
        if record is None:  # pragma: no cover - stores return the record whenever an update is given
            raise RuntimeError("store returned no record")
        return record

    # -- timers ---------------------------------------------------------------------------------------

    def next_due(self, arn: str, record: ExecutionRecord | None = None, *, skippable: bool = False) -> float | None:
        """The earliest operation timer; with `record`, the execution's own timeout counts too.

        `skippable` keeps only the timers time skipping may jump to (waits and retry delays): callback
        timeouts, as in AWS's runner, always take real time.
        """
        kinds = (OperationType.CALLBACK,) if skippable else ()
        ops = self.store.active_operations(arn)
        times = [t for op in ops if op.operation_type not in kinds and (t := _deadline(op)) is not None]
        if record is not None and record.timeout_seconds:
            times.append(record.start_timestamp + record.timeout_seconds)
        return min(times) if times else None

    def seconds_until_due(self, arn: str) -> float | None:
        """Real seconds until a timer of the execution, of a durable execution it invoked, or its own timeout
        falls due; None when only the outside world (a callback answer) can move it forward."""
        record = self.store.load_execution(arn)
        gaps = [due - self.clock.now()] if (due := self.next_due(arn)) is not None else []
        if record.timeout_seconds:
            gaps.append(record.timeout_seconds - _real_elapsed(record, self.clock))
        for op in self.pending_invokes(arn):
            if op.child_execution_arn and (child := self.seconds_until_due(op.child_execution_arn)) is not None:
                gaps.append(child)
        return max(0.0, min(gaps)) if gaps else None

    def fire_due(self, arn: str, owner: str | None = None) -> bool:
        """Apply every timer that is due; returns whether an invocation is needed now."""
        now = self.clock.now()
        record = self.store.load_execution(arn)
        if record.timeout_seconds and _real_elapsed(record, self.clock) >= record.timeout_seconds:
            timeout = ErrorObject("Execution timed out", "Execution.Timeout", None, None)
            self.fail_execution(arn, timeout, "TIMED_OUT", owner)
            return False
        changed: list[Operation] = []
        events: Events = []
        for op in self.store.active_operations(arn):
            fired = _fire(op, now)
            if fired is not None:
                changed.append(fired[0])
                events.extend(fired[1])
        if not changed:
            return record.needs_invocation or record.invoking
        expected = {op.operation_id: _PRIOR[op.status] for op in changed}
        try:
            self._commit(arn, changed, events, _woken(changed), owner, expected)
        except ConflictError:
            return self.fire_due(arn, owner)
        return True

    # -- callbacks and chained invokes ------------------------------------------------------------------

    def complete_callback(
        self, callback_id: str, action: str, result: str | None = None, error: ErrorObject | None = None
    ) -> str:
        """action: succeed, fail or heartbeat. Returns the execution's arn."""
        arn, op_id = parse_callback_token(callback_id)
        op = self.store.load_operations(arn).get(op_id)
        if op is None or op.operation_type is not OperationType.CALLBACK:
            raise KeyError(f"unknown callback id {callback_id!r}")
        if op.is_terminal:
            raise ConflictError(f"callback {op.name or op_id} is already {op.status.value}")
        now = self.clock.now()
        new = op.clone()
        if action == "heartbeat":
            new.heartbeat_timestamp = now
            self.store.commit(arn, [new], [], expected={op_id: "STARTED"})
            return arn
        new.end_timestamp = now
        if action == "succeed":
            new.status, new.result = OperationStatus.SUCCEEDED, result
            event = operation_event(new, "Succeeded", now, {"Result": payload(result)})
        else:
            new.status, new.error = OperationStatus.FAILED, error
            event = operation_event(new, "Failed", now, {"Error": error_payload(error)})
        self._wake(arn, [new], [event], {op_id: "STARTED"})
        return arn

    def complete_invoke(self, arn: str, op_id: str, child: ExecutionRecord) -> None:
        new = self.store.load_operations(arn)[op_id].clone()
        now = self.clock.now()
        new.end_timestamp = now
        if child.status == "SUCCEEDED":
            new.status, new.result = OperationStatus.SUCCEEDED, child.result
            event = operation_event(new, "Succeeded", now, {"Result": payload(child.result)})
        else:
            new.status = OperationStatus(child.status)
            new.error = ErrorObject.from_dict(child.error) if child.error else None
            word = {"TIMED_OUT": "TimedOut", "STOPPED": "Stopped"}.get(child.status, "Failed")
            event = operation_event(new, word, now, {"Error": error_payload(new.error)})
        self._wake(arn, [new], [event], {op_id: "STARTED"})

    def _wake(self, arn: str, ops: list[Operation], events: Events, expected: dict[str, str]) -> None:
        self._commit(arn, ops, events, _woken(ops, next_wake=self.clock.now()), None, expected)

    def pending_invokes(self, arn: str) -> list[Operation]:
        return [
            op
            for op in self.store.active_operations(arn)
            if op.operation_type is OperationType.CHAINED_INVOKE and op.status is OperationStatus.STARTED
        ]

    def _invoke_plain(self, op: Operation, now: float) -> tuple[Operation, dict[str, Any]] | None:
        """Plain (non-durable) functions answer inside the checkpoint, as AWS's service does."""
        target = self.functions.get(op.function_name or "")
        if target is not None and target.durable:
            return None
        done = op.clone()
        done.end_timestamp = now
        try:
            if target is None:
                raise LookupError(f"Function not found: {op.function_name} (register it with the runner)")
            event_input = json.loads(op.input_payload) if op.input_payload else None
            done.result = json.dumps(target.handler(event_input, LambdaContext(function_name=op.function_name)))
            done.status = OperationStatus.SUCCEEDED
            return done, operation_event(done, "Succeeded", now, {"Result": payload(done.result)})
        except Exception as error:  # noqa: BLE001 - the invoked function's failure is the operation's
            done.status, done.error = OperationStatus.FAILED, ErrorObject.from_exception(error)
            return done, operation_event(done, "Failed", now, {"Error": error_payload(done.error)})


_HEARTBEAT = "Callback timed out on heartbeat"
_PRIOR = {
    OperationStatus.READY: "PENDING",
    OperationStatus.SUCCEEDED: "STARTED",
    OperationStatus.TIMED_OUT: "STARTED",
}


def _set(**fields: Any) -> Callable[[ExecutionRecord], None]:
    def update(record: ExecutionRecord) -> None:
        for key, value in fields.items():
            setattr(record, key, value)

    return update


def _woken(ops: list[Operation], **fields: Any) -> Callable[[ExecutionRecord], None]:
    """Ask for an invocation and remember which operations changed while the execution was suspended
    (the next invocation's `UpdatedOperationIds`, which instrumentation plugins see)."""

    def update(record: ExecutionRecord) -> None:
        record.needs_invocation = True
        for key, value in fields.items():
            setattr(record, key, value)
        updated = record.extra.setdefault(UPDATED_OPERATIONS, [])
        updated.extend(op.operation_id for op in ops if op.operation_id not in updated)

    return update


def _real_elapsed(record: ExecutionRecord, clock: Clock) -> float:
    skipped = clock.skipped - float(record.extra.get("skipped_at_start", 0.0))
    return clock.now() - record.start_timestamp - skipped


def _deadline(op: Operation) -> float | None:
    if op.status is OperationStatus.PENDING:
        return op.next_attempt_timestamp
    if op.status is not OperationStatus.STARTED:
        return None
    if op.operation_type is OperationType.WAIT:
        return op.scheduled_end_timestamp
    if op.operation_type is OperationType.CALLBACK:
        times = []
        if op.timeout_seconds and op.start_timestamp is not None:
            times.append(op.start_timestamp + op.timeout_seconds)
        if op.heartbeat_timeout_seconds and op.heartbeat_timestamp is not None:
            times.append(op.heartbeat_timestamp + op.heartbeat_timeout_seconds)
        return min(times) if times else None
    return None


def _fire(op: Operation, now: float) -> tuple[Operation, Events] | None:
    due = _deadline(op)
    if due is None or due > now:
        return None
    new = op.clone()
    if op.status is OperationStatus.PENDING:
        new.status = OperationStatus.READY
        return new, []
    new.end_timestamp = now
    if op.operation_type is OperationType.WAIT:
        new.status = OperationStatus.SUCCEEDED
        return new, [operation_event(new, "Succeeded", now, {"Duration": op.wait_seconds})]
    hard = op.timeout_seconds and op.start_timestamp is not None and op.start_timestamp + op.timeout_seconds <= now
    kind, message = ("Callback.Timeout", "Callback timed out") if hard else ("Callback.Heartbeat", _HEARTBEAT)
    new.status, new.error = OperationStatus.TIMED_OUT, ErrorObject(message, kind, None, None)
    return new, [operation_event(new, "TimedOut", now, {"Error": error_payload(new.error)})]
