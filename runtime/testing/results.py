"""Result objects of the test runner, shaped like AWS's (`get_step`, `child_operations`, ...)."""

from __future__ import annotations

import datetime
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, cast

from durable_runtime.lambda_service import ErrorObject, InvocationStatus, OperationStatus, OperationType
from durable_runtime.lambda_service import Operation as Record


class DurableFunctionsTestError(Exception):
    pass


def _dt(timestamp: float | None) -> datetime.datetime | None:
    return None if timestamp is None else datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


@dataclass(frozen=True)
class Operation:
    operation_id: str
    operation_type: OperationType
    status: OperationStatus
    parent_id: str | None = field(default=None, kw_only=True)
    name: str | None = field(default=None, kw_only=True)
    sub_type: str | None = field(default=None, kw_only=True)
    start_timestamp: datetime.datetime | None = field(default=None, kw_only=True)
    end_timestamp: datetime.datetime | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class ExecutionOperation(Operation):
    input_payload: str | None = None


class NamedLookup(ABC):
    """Typed look-ups by operation name, shared by a test result and a context operation."""

    @abstractmethod
    def get_operation_by_name(self, name: str) -> Operation: ...

    def get_step(self, name: str) -> StepOperation:
        return cast(StepOperation, self.get_operation_by_name(name))

    def get_wait(self, name: str) -> WaitOperation:
        return cast(WaitOperation, self.get_operation_by_name(name))

    def get_context(self, name: str) -> ContextOperation:
        return cast(ContextOperation, self.get_operation_by_name(name))

    def get_callback(self, name: str) -> CallbackOperation:
        return cast(CallbackOperation, self.get_operation_by_name(name))

    def get_invoke(self, name: str) -> InvokeOperation:
        return cast(InvokeOperation, self.get_operation_by_name(name))


@dataclass(frozen=True)
class ContextOperation(Operation, NamedLookup):
    child_operations: list[Operation] = field(default_factory=list)
    result: str | None = None
    error: ErrorObject | None = None

    def get_operation_by_name(self, name: str) -> Operation:
        for op in self.child_operations:
            if op.name == name:
                return op
        raise DurableFunctionsTestError(f"Child Operation with name '{name}' not found")


@dataclass(frozen=True)
class StepOperation(ContextOperation):
    attempt: int = 0
    next_attempt_timestamp: datetime.datetime | None = None


@dataclass(frozen=True)
class WaitOperation(Operation):
    scheduled_end_timestamp: datetime.datetime | None = None


@dataclass(frozen=True)
class CallbackOperation(ContextOperation):
    callback_id: str | None = None


@dataclass(frozen=True)
class InvokeOperation(Operation):
    result: str | None = None
    error: ErrorObject | None = None


def create_operation(record: Record, children: dict[str | None, list[Record]]) -> Operation:
    common: dict[str, Any] = {
        "operation_id": record.operation_id,
        "operation_type": record.operation_type,
        "status": record.status,
        "parent_id": record.parent_id,
        "name": record.name,
        "sub_type": record.sub_type,
        "start_timestamp": _dt(record.start_timestamp),
        "end_timestamp": _dt(record.end_timestamp),
    }
    kind = record.operation_type
    if kind is OperationType.WAIT:
        return WaitOperation(**common, scheduled_end_timestamp=_dt(record.scheduled_end_timestamp))
    if kind is OperationType.CHAINED_INVOKE:
        return InvokeOperation(**common, result=record.result, error=record.error)
    if kind is OperationType.EXECUTION:
        return ExecutionOperation(**common, input_payload=record.input_payload)
    nested = [create_operation(c, children) for c in children.get(record.operation_id, [])]
    inner: dict[str, Any] = {"child_operations": nested, "result": record.result, "error": record.error}
    if kind is OperationType.STEP:
        return StepOperation(
            **common,
            **inner,
            attempt=record.attempt,
            next_attempt_timestamp=_dt(record.next_attempt_timestamp),
        )
    if kind is OperationType.CALLBACK:
        return CallbackOperation(**common, **inner, callback_id=record.callback_id)
    return ContextOperation(**common, **inner)


@dataclass(frozen=True)
class DurableFunctionTestResult(NamedLookup):
    status: InvocationStatus
    operations: list[Operation]
    result: str | None = None
    error: ErrorObject | None = None
    execution_status: str | None = None

    @classmethod
    def create(
        cls, status: str, records: list[Record], result: str | None, error: dict[str, Any] | None
    ) -> DurableFunctionTestResult:
        children: dict[str | None, list[Record]] = {}
        for record in records:
            if record.operation_type is not OperationType.EXECUTION:
                children.setdefault(record.parent_id, []).append(record)
        top = [create_operation(r, children) for r in children.get(None, [])]
        invocation = InvocationStatus[status] if status in InvocationStatus.__members__ else InvocationStatus.FAILED
        return cls(invocation, top, result, ErrorObject.from_dict(error) if error else None, status)

    def get_operation_by_name(self, name: str) -> Operation:
        for op in self.operations:
            if op.name == name:
                return op
        raise DurableFunctionsTestError(f"Operation with name '{name}' not found")

    def get_execution(self, name: str) -> ExecutionOperation:
        return cast(ExecutionOperation, self.get_operation_by_name(name))

    def get_all_operations(self) -> list[Operation]:
        found: list[Operation] = []
        stack = list(self.operations)
        while stack:
            op = stack.pop()
            found.append(op)
            stack.extend(getattr(op, "child_operations", []) or [])
        return found


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_ERROR_ALIASES = {"ErrorType": "type", "ErrorMessage": "message", "ErrorData": "data"}


class Details:
    """A `*Details` dict read with snake_case attributes (`callback_id` for `CallbackId`)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        for key, value in data.items():
            setattr(self, _snake(key), Details(value) if isinstance(value, dict) else value)
            if key in _ERROR_ALIASES:  # AWS's ErrorObject attribute names
                setattr(self, _ERROR_ALIASES[key], value)

    def to_dict(self) -> dict[str, Any]:
        return dict(self._data)

    def __getattr__(self, name: str) -> Any:
        return None


class Event:
    """One history event; attributes as in AWS's model (`event_type`, `operation_id`, `*_details`)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.event_type = data["EventType"]
        self.event_id = data.get("EventId", 0)
        self.event_timestamp = _dt(data["EventTimestamp"])
        self.sub_type = data.get("SubType")
        self.operation_id = data.get("Id")
        self.name = data.get("Name")
        self.parent_id = data.get("ParentId")
        for key, value in data.items():
            if key.endswith("Details"):
                setattr(self, _snake(key), Details(value))

    def __getattr__(self, name: str) -> Any:
        return None

    def to_dict(self) -> dict[str, Any]:
        """The event as AWS's model gives it: `EventTimestamp` as a datetime."""
        return {**self._data, "EventTimestamp": self.event_timestamp}


@dataclass(frozen=True)
class GetDurableExecutionHistoryResponse:
    events: list[Event]
    next_marker: str | None = None
