"""Instrumentation plugins, with the API of AWS SDK 3.0's `aws_durable_execution_sdk_python.plugin`.

Register factories with `@durable_execution(plugins=[factory])`. Every invocation calls each factory's
`create_plugin(InvocationStartInfo)` once and drops the plugin when it ends, so a plugin keeps one
invocation's state in its own attributes. Hooks (override only the ones you need):

- `on_invocation_start` / `on_invocation_end`: before the handler runs, after its output is final
  (with `InvocationStatus` SUCCEEDED, FAILED, PENDING when it suspended, RETRY when it failed retryably).
- `on_operation_start`: before an operation's START checkpoint, or when an invocation replays an
  operation that is still running; once per operation per invocation.
- `on_operation_end`: when a checkpoint of this invocation brings an operation to a terminal status;
  right after `on_invocation_start` for the operations the service ended while the execution waited (a
  wait that fired, an answered callback, a finished invoke: `InvocationStartInfo.updated_operations`).
- `on_operation_change`: after each checkpoint response, with the operations whose status changed.
- `on_user_function_start` / `on_user_function_end`: around the user code of a step, a child context or
  a wait_for_condition check, in its thread, with `UserFunctionOutcome`.

Hooks run synchronously in the thread that reaches them. A hook (or factory) that raises is logged and
ignored: plugins observe an execution, they never change its outcome. The dispatching lives in
`durable_runtime.plugin_host`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from durable_runtime.lambda_service import ErrorObject, Operation, OperationStatus, OperationType


class InvocationStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PENDING = "PENDING"
    RETRY = "RETRY"


class UserFunctionOutcome(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    INCOMPLETE = "INCOMPLETE"  #: the invocation ended inside it (a suspension)


def moment(timestamp: float | None) -> datetime.datetime | None:
    """A service timestamp (epoch seconds) as an aware UTC datetime."""
    return None if timestamp is None else datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


@dataclass(frozen=True)
class OperationInfo:
    operation_id: str
    operation_type: OperationType
    sub_type: str | None
    name: str | None
    parent_id: str | None
    start_time: datetime.datetime | None
    is_replayed: bool
    status: OperationStatus
    end_time: datetime.datetime | None = field(default=None, kw_only=True)
    result: str | None = field(default=None, kw_only=True)
    error: ErrorObject | None = field(default=None, kw_only=True)
    attempt: int | None = field(default=None, kw_only=True)

    @classmethod
    def from_operation(cls, op: Operation, *, is_replayed: bool = False) -> OperationInfo:
        return cls(
            op.operation_id,
            op.operation_type,
            op.sub_type,
            op.name,
            op.parent_id,
            moment(op.start_timestamp),
            is_replayed,
            op.status,
            end_time=moment(op.end_timestamp),
            result=op.result,
            error=op.error,
            attempt=op.attempt,
        )


@dataclass(frozen=True)
class OperationStartInfo(OperationInfo):
    pass


@dataclass(frozen=True)
class OperationEndInfo(OperationInfo):
    pass


@dataclass(frozen=True)
class OperationChangeInfo:
    execution_arn: str | None
    updated_operations: dict[str, OperationInfo]
    operations: dict[str, OperationInfo]


@dataclass(frozen=True)
class UserFunctionStartInfo(OperationInfo):
    is_replay_children: bool = False  #: the function runs again only to replay its children


@dataclass(frozen=True)
class UserFunctionEndInfo(OperationInfo):
    is_replay_children: bool
    outcome: UserFunctionOutcome


@dataclass(frozen=True)
class InvocationInfo:
    request_id: str | None
    execution_arn: str | None
    is_first_invocation: bool
    execution_start_time: datetime.datetime | None = None
    execution_input: Any = field(default=None, kw_only=True, repr=False, compare=False)
    operations: dict[str, OperationInfo] = field(default_factory=dict, kw_only=True, repr=False, compare=False)


@dataclass(frozen=True)
class InvocationStartInfo(InvocationInfo):
    updated_operations: dict[str, OperationInfo] = field(default_factory=dict, kw_only=True, repr=False, compare=False)


@dataclass(frozen=True)
class InvocationEndInfo(InvocationInfo):
    status: InvocationStatus = field(kw_only=True)
    error: ErrorObject | None = None
    execution_result: str | None = field(default=None, kw_only=True, repr=False, compare=False)


class DurableInstrumentationPlugin:
    """Base class for plugins: every hook does nothing until overridden."""

    def on_invocation_start(self, info: InvocationStartInfo) -> None:
        return None

    def on_invocation_end(self, info: InvocationEndInfo) -> None:
        return None

    def on_operation_start(self, info: OperationStartInfo) -> None:
        return None

    def on_operation_end(self, info: OperationEndInfo) -> None:
        return None

    def on_operation_change(self, info: OperationChangeInfo) -> None:
        return None

    def on_user_function_start(self, info: UserFunctionStartInfo) -> None:
        return None

    def on_user_function_end(self, info: UserFunctionEndInfo) -> None:
        return None


class DurableInstrumentationPluginFactory(Protocol):
    """What `durable_execution(plugins=[...])` takes: builds one plugin per invocation."""

    def create_plugin(self, info: InvocationStartInfo, /) -> DurableInstrumentationPlugin: ...


__all__ = [
    "DurableInstrumentationPlugin",
    "DurableInstrumentationPluginFactory",
    "InvocationEndInfo",
    "InvocationInfo",
    "InvocationStartInfo",
    "InvocationStatus",
    "OperationChangeInfo",
    "OperationEndInfo",
    "OperationInfo",
    "OperationStartInfo",
    "OperationType",
    "UserFunctionEndInfo",
    "UserFunctionOutcome",
    "UserFunctionStartInfo",
]
