"""`create_callback` and its `Callback.result()`: an operation completed from outside the process."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from durable_runtime import sources
from durable_runtime.config import CallbackConfig
from durable_runtime.exceptions import (
    CallbackError,
    CallbackExternalError,
    CallbackTimeoutError,
    SuspendExecution,
)
from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import OperationAction, OperationStatus
from durable_runtime.operation.base import checkpoint_of, update
from durable_runtime.serdes import PASS_THROUGH_SERDES, SerDes, deserialize
from durable_runtime.state import ExecutionState

T = TypeVar("T")


def create_callback_id(state: ExecutionState, ident: OperationIdentifier, config: CallbackConfig) -> str:
    op = checkpoint_of(state, ident)
    if op is None:
        start = update(
            ident,
            OperationAction.START,
            callback_timeout_seconds=config.timeout_seconds,
            callback_heartbeat_timeout_seconds=config.heartbeat_timeout_seconds,
        )
        state.checkpoint(start)
        op = state.operations[ident.operation_id]
    if not op.callback_id:
        raise CallbackError(f"Missing callback details for operation: {ident.operation_id}")
    return op.callback_id


class Callback(Generic[T]):
    """A pending answer: `result()` returns it, raises its failure, or suspends until it arrives."""

    def __init__(self, callback_id: str, operation_id: str, state: ExecutionState, serdes: SerDes[T] | None = None):
        self.callback_id = callback_id
        self.operation_id = operation_id
        self.state = state
        self.serdes = serdes

    def result(self) -> T | None:
        op = self.state.operations.get(self.operation_id)
        if op is None:
            raise CallbackError(message="Callback operation must exist")
        if op.status is OperationStatus.SUCCEEDED:
            if op.result is None:
                return None
            serdes: Any = self.serdes if self.serdes is not None else PASS_THROUGH_SERDES
            return deserialize(serdes, op.result, self.operation_id, self.state.durable_execution_arn)  # type: ignore[no-any-return]
        if op.status is OperationStatus.TIMED_OUT:
            self._raise(CallbackTimeoutError, op.error.message if op.error else None, "Callback timed out", op)
        if op.is_terminal:
            self._raise(CallbackExternalError, op.error.message if op.error else None, "Callback failed", op)
        raise SuspendExecution("Callback result not received yet. Suspending execution while waiting for result.")

    @staticmethod
    def _raise(cls: type[CallbackError], message: str | None, default: str, op: Any) -> None:
        error = op.error
        failure = cls(
            message=message or default,
            data=error.data if error else None,
            stack_trace=error.stack_trace if error else None,
        )
        where = sources.here() or sources.of_record(op.extra)  # the result() call, else the callback's start
        sources.mark_error(failure, f"Callback {op.name or op.operation_id[:12]!r} result()", where)
        raise failure
