"""History events in the AWS shape (`StepStarted`, `WaitSucceeded`, `InvocationCompleted`, ...).

Events are plain dicts; `EventTimestamp` is epoch seconds in the store and ISO 8601 when rendered.
`EventId` is assigned by the store when the event is committed.
"""

from __future__ import annotations

import datetime
from typing import Any

from durable_runtime.lambda_service import ErrorObject, Operation, OperationType

_TYPE_WORD = {
    OperationType.STEP: "Step",
    OperationType.WAIT: "Wait",
    OperationType.CONTEXT: "Context",
    OperationType.CALLBACK: "Callback",
    OperationType.CHAINED_INVOKE: "ChainedInvoke",
    OperationType.EXECUTION: "Execution",
}


def payload(text: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"Truncated": False}
    if text is not None:
        out["Payload"] = text
    return out


def error_payload(error: ErrorObject | None) -> dict[str, Any]:
    return {"Truncated": False, "Payload": error.to_dict() if error else {}}


def operation_event(op: Operation, suffix: str, now: float, details: dict[str, Any] | None = None) -> dict[str, Any]:
    word = _TYPE_WORD[op.operation_type]
    event: dict[str, Any] = {"EventType": f"{word}{suffix}", "EventTimestamp": now}
    if op.sub_type:
        event["SubType"] = op.sub_type
    event["Id"] = op.operation_id
    if op.name:
        event["Name"] = op.name
    if op.parent_id:
        event["ParentId"] = op.parent_id
    event[f"{word}{suffix}Details"] = details if details is not None else {}
    return event


def invocation_completed(now: float, started: float, error: ErrorObject | None = None) -> dict[str, Any]:
    details: dict[str, Any] = {"StartTimestamp": iso(started), "EndTimestamp": iso(now)}
    if error is not None:
        details["Error"] = error_payload(error)
    return {"EventType": "InvocationCompleted", "EventTimestamp": now, "InvocationCompletedDetails": details}


def iso(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render(event: dict[str, Any]) -> dict[str, Any]:
    """The JSON form: the timestamp as ISO 8601."""
    out = dict(event)
    out["EventTimestamp"] = iso(event["EventTimestamp"])
    return out
