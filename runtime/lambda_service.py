"""The wire model shared by the engine and the service: operation types, statuses, updates, records.

Names and string values are the AWS Durable Execution API's, so histories and operation lists read the
same as AWS's. Timestamps are epoch seconds (floats) inside the runtime and milliseconds on the wire.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, NoReturn

from durable_runtime.exceptions import DurableOperationError, SerDesError, qualified_name


class OperationAction(Enum):
    START = "START"
    SUCCEED = "SUCCEED"
    FAIL = "FAIL"
    RETRY = "RETRY"
    CANCEL = "CANCEL"


class OperationStatus(Enum):
    STARTED = "STARTED"
    PENDING = "PENDING"
    READY = "READY"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    TIMED_OUT = "TIMED_OUT"
    STOPPED = "STOPPED"


TERMINAL = frozenset(
    {
        OperationStatus.SUCCEEDED,
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.TIMED_OUT,
        OperationStatus.STOPPED,
    }
)


_TERMINAL_IDS = frozenset(id(status) for status in TERMINAL)


class OperationType(Enum):
    EXECUTION = "EXECUTION"
    CONTEXT = "CONTEXT"
    STEP = "STEP"
    WAIT = "WAIT"
    CALLBACK = "CALLBACK"
    CHAINED_INVOKE = "CHAINED_INVOKE"


class OperationSubType(StrEnum):
    STEP = "Step"
    WAIT = "Wait"
    CALLBACK = "Callback"
    RUN_IN_CHILD_CONTEXT = "RunInChildContext"
    MAP = "Map"
    MAP_ITERATION = "MapIteration"
    PARALLEL = "Parallel"
    PARALLEL_BRANCH = "ParallelBranch"
    WAIT_FOR_CALLBACK = "WaitForCallback"
    WAIT_FOR_CONDITION = "WaitForCondition"
    CHAINED_INVOKE = "ChainedInvoke"


class InvocationStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PENDING = "PENDING"


@dataclass(frozen=True)
class ErrorObject:
    message: str | None
    type: str | None
    data: str | None
    stack_trace: list[str] | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorObject:
        return cls(data.get("ErrorMessage"), data.get("ErrorType"), data.get("ErrorData"), data.get("StackTrace"))

    @classmethod
    def from_exception(cls, exception: BaseException) -> ErrorObject:
        if isinstance(exception, SerDesError):
            return cls(exception.message, qualified_name(SerDesError), exception.data, exception.stack_trace)
        if isinstance(exception, DurableOperationError):
            return cls(exception.message, qualified_name(type(exception)), exception.data, exception.stack_trace)
        return cls(str(exception), qualified_name(type(exception)), None, None)

    @classmethod
    def from_message(cls, message: str) -> ErrorObject:
        return cls(message, None, None, None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.message is not None:
            out["ErrorMessage"] = self.message
        if self.type is not None:
            out["ErrorType"] = self.type
        if self.data is not None:
            out["ErrorData"] = self.data
        if self.stack_trace is not None:
            out["StackTrace"] = self.stack_trace
        return out

    def to_durable_operation_error(self) -> DurableOperationError:
        return DurableOperationError.from_error_fields(self.type, self.message, self.data, self.stack_trace)

    def raise_as_operation_error(self, operation_error_cls: builtins.type[DurableOperationError]) -> NoReturn:
        """Raise `operation_error_cls` rebuilt from this record, chained to the original error class."""
        cause = self.to_durable_operation_error()
        if self.type == qualified_name(SerDesError):
            raise SerDesError(self.message, self.type, self.data, self.stack_trace) from cause
        raise operation_error_cls(self.message, self.type, self.data, self.stack_trace) from cause


@dataclass(frozen=True, slots=True)
class OperationUpdate:
    """One checkpoint action on one operation (what the SDK sends to the service)."""

    operation_id: str
    operation_type: OperationType
    action: OperationAction
    parent_id: str | None = None
    name: str | None = None
    sub_type: str | None = None
    payload: str | None = None
    error: ErrorObject | None = None
    replay_children: bool = False
    next_attempt_delay_seconds: int = 0
    wait_seconds: int = 0
    callback_timeout_seconds: int = 0
    callback_heartbeat_timeout_seconds: int = 0
    function_name: str | None = None
    tenant_id: str | None = None
    source: tuple[str, int] | None = None  #: START: where the call is written (not sent to AWS; see sources.py)


@dataclass(slots=True)
class Operation:
    """The service's record of one operation, flat: the `*Details` of the API are plain fields here."""

    operation_id: str
    operation_type: OperationType
    status: OperationStatus
    parent_id: str | None = None
    name: str | None = None
    sub_type: str | None = None
    start_timestamp: float | None = None
    end_timestamp: float | None = None
    result: str | None = None
    error: ErrorObject | None = None
    attempt: int = 0  #: retries recorded so far (step and wait_for_condition)
    next_attempt_timestamp: float | None = None
    scheduled_end_timestamp: float | None = None  #: wait
    wait_seconds: int = 0
    callback_id: str | None = None
    timeout_seconds: int = 0  #: callback
    heartbeat_timeout_seconds: int = 0
    heartbeat_timestamp: float | None = None
    replay_children: bool = False
    function_name: str | None = None  #: chained invoke
    input_payload: str | None = None  #: execution input / chained invoke payload
    child_execution_arn: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_terminal(self) -> bool:
        return id(self.status) in _TERMINAL_IDS  # enum hashing is slow on this hot path

    def clone(self) -> Operation:
        """A shallow copy (faster than dataclasses.replace on this hot path)."""
        return Operation(
            self.operation_id,
            self.operation_type,
            self.status,
            self.parent_id,
            self.name,
            self.sub_type,
            self.start_timestamp,
            self.end_timestamp,
            self.result,
            self.error,
            self.attempt,
            self.next_attempt_timestamp,
            self.scheduled_end_timestamp,
            self.wait_seconds,
            self.callback_id,
            self.timeout_seconds,
            self.heartbeat_timeout_seconds,
            self.heartbeat_timestamp,
            self.replay_children,
            self.function_name,
            self.input_payload,
            self.child_execution_arn,
            self.extra,
        )

    def to_dict(self) -> dict[str, Any]:
        """A compact JSON form for stores (not the API shape)."""
        out: dict[str, Any] = {
            "Id": self.operation_id,
            "Type": self.operation_type.value,
            "Status": self.status.value,
        }
        for key in _OPTIONAL_FIELDS:
            value = getattr(self, key)
            if value not in (None, 0, False, {}):
                out[key] = value
        if self.error is not None:
            out["error"] = self.error.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Operation:
        op = cls(data["Id"], OperationType(data["Type"]), OperationStatus(data["Status"]))
        for key in _OPTIONAL_FIELDS:
            if key in data:
                setattr(op, key, data[key])
        if "error" in data:
            op.error = ErrorObject.from_dict(data["error"])
        return op


_OPTIONAL_FIELDS = (
    "parent_id",
    "name",
    "sub_type",
    "start_timestamp",
    "end_timestamp",
    "result",
    "attempt",
    "next_attempt_timestamp",
    "scheduled_end_timestamp",
    "wait_seconds",
    "callback_id",
    "timeout_seconds",
    "heartbeat_timeout_seconds",
    "heartbeat_timestamp",
    "replay_children",
    "function_name",
    "input_payload",
    "child_execution_arn",
    "extra",
)
