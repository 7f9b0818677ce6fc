"""How the service turns one `OperationUpdate` into the operation's new record and its history events.

The transitions are the AWS service's: START -> STARTED, SUCCEED -> SUCCEEDED, FAIL -> FAILED, and a
step's RETRY -> PENDING with one more attempt and the next attempt's time (READY once that time comes).
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from durable_runtime.lambda_service import (
    Operation,
    OperationAction,
    OperationStatus,
    OperationType,
    OperationUpdate,
)
from durable_runtime.service.history import error_payload, iso, operation_event, payload
from durable_runtime.sources import with_location

Event = dict[str, Any]


def callback_token(arn: str, operation_id: str) -> str:
    raw = json.dumps({"arn": arn, "op": operation_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def function_arn(function_name: str) -> str:
    return f"arn:aws:lambda:local:000000000000:function:{function_name}:$LATEST"


def invoked_execution_arn(arn: str, operation_id: str, function_name: str) -> str:
    """The ARN the durable execution started by a chained invoke gets: derived from the caller and the
    operation, so the `ChainedInvokeStarted` event can name it before the child starts."""
    child_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{operation_id}")
    return f"{function_arn(function_name)}/durable-execution/{operation_id[:16]}/{child_id}"


def parse_callback_token(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return str(data["arn"]), str(data["op"])
    except (ValueError, KeyError, TypeError) as error:
        raise KeyError(f"unknown callback id {token!r}") from error


def _fresh(u: OperationUpdate, now: float) -> Operation:
    return Operation(
        u.operation_id,
        u.operation_type,
        OperationStatus.STARTED,
        u.parent_id,
        u.name,
        u.sub_type,
        start_timestamp=now,
    )


def apply_update(current: Operation | None, u: OperationUpdate, now: float, arn: str) -> tuple[Operation, list[Event]]:
    op = current.clone() if current is not None else _fresh(u, now)
    if u.action is OperationAction.START:
        return op, [_start(op, u, now, arn)]
    if u.action is OperationAction.RETRY:
        return op, [_retry(op, u, now)]
    op.end_timestamp = now
    attempts = _attempt_details(op)
    if u.action is OperationAction.SUCCEED:
        op.status, op.result, op.replay_children = OperationStatus.SUCCEEDED, u.payload, u.replay_children
        return op, [operation_event(op, "Succeeded", now, {"Result": payload(u.payload), **attempts})]
    op.status, op.error = OperationStatus.FAILED, u.error
    return op, [operation_event(op, "Failed", now, {"Error": error_payload(u.error), **attempts})]


def _attempt_details(op: Operation) -> dict[str, Any]:
    """A step's terminal event names the attempt that ended it, as the service does (1-based)."""
    if op.operation_type is not OperationType.STEP:
        return {}
    return {"RetryDetails": {"CurrentAttempt": op.attempt + 1}}


def _start(op: Operation, u: OperationUpdate, now: float, arn: str) -> Event:
    op.status = OperationStatus.STARTED
    if u.source is not None:  # beside the record, never in the event (sources.py)
        op.extra = with_location(op.extra, u.source)
    kind = op.operation_type
    if kind is OperationType.WAIT:
        op.wait_seconds, op.scheduled_end_timestamp = u.wait_seconds, now + u.wait_seconds
        details = {"Duration": u.wait_seconds, "ScheduledEndTimestamp": iso(op.scheduled_end_timestamp)}
        return operation_event(op, "Started", now, details)
    if kind is OperationType.CALLBACK:
        op.callback_id = callback_token(arn, op.operation_id)
        op.timeout_seconds, op.heartbeat_timeout_seconds = (
            u.callback_timeout_seconds,
            u.callback_heartbeat_timeout_seconds,
        )
        op.heartbeat_timestamp = now
        cb: dict[str, Any] = {"CallbackId": op.callback_id}
        if op.timeout_seconds:
            cb["Timeout"] = op.timeout_seconds
        if op.heartbeat_timeout_seconds:
            cb["HeartbeatTimeout"] = op.heartbeat_timeout_seconds
        return operation_event(op, "Started", now, cb)
    if kind is OperationType.CHAINED_INVOKE:
        op.function_name, op.input_payload = u.function_name, u.payload
        started: dict[str, Any] = {"FunctionName": u.function_name}
        if u.tenant_id:
            started["TenantId"] = u.tenant_id
        started["Input"] = payload(u.payload)
        started["ExecutedVersion"] = "$LATEST"
        started["DurableExecutionArn"] = invoked_execution_arn(arn, op.operation_id, u.function_name or "")
        return operation_event(op, "Started", now, started)
    return operation_event(op, "Started", now, {})


def _retry(op: Operation, u: OperationUpdate, now: float) -> Event:
    op.status = OperationStatus.PENDING
    op.attempt += 1
    op.next_attempt_timestamp = now + u.next_attempt_delay_seconds
    op.result, op.error = u.payload, u.error
    retry = {"CurrentAttempt": op.attempt, "NextAttemptDelaySeconds": u.next_attempt_delay_seconds}
    if u.error is not None:
        return operation_event(op, "Failed", now, {"Error": error_payload(u.error), "RetryDetails": retry})
    return operation_event(op, "Succeeded", now, {"Result": payload(u.payload), "RetryDetails": retry})
