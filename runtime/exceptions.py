"""The error hierarchy of durable executions, named as the AWS SDK 3.0 names it.

Operation errors (`StepError`, `ChildContextError`, ...) carry the original error's type name, message, data
and stack trace: the runtime never re-raises a user's exception object, it rebuilds an operation error from
the checkpointed error record so the first run and every replay raise the same thing.
Suspension is a `BaseException`, so `except Exception` in user code cannot swallow it.
"""

from __future__ import annotations

import time
from enum import Enum


class TerminationReason(Enum):
    UNHANDLED_ERROR = "UNHANDLED_ERROR"
    INVOCATION_ERROR = "INVOCATION_ERROR"
    EXECUTION_ERROR = "EXECUTION_ERROR"
    CHECKPOINT_FAILED = "CHECKPOINT_FAILED"
    NON_DETERMINISTIC_EXECUTION = "NON_DETERMINISTIC_EXECUTION"
    STEP_INTERRUPTED = "STEP_INTERRUPTED"
    SERIALIZATION_ERROR = "SERIALIZATION_ERROR"


class DurableExecutionsError(Exception):
    """Root of every error the runtime raises on purpose."""


class PluginLoadError(DurableExecutionsError):
    """Kept for import compatibility: this runtime loads no plugins."""


class UnrecoverableError(DurableExecutionsError):
    def __init__(self, message: str, termination_reason: TerminationReason) -> None:
        super().__init__(message)
        self.termination_reason = termination_reason


class ExecutionError(UnrecoverableError):
    """Fails the whole execution without retry."""

    def __init__(self, message: str, termination_reason: TerminationReason = TerminationReason.EXECUTION_ERROR) -> None:
        super().__init__(message, termination_reason)


class InvocationError(UnrecoverableError):
    """Ends the current invocation; the execution is retried by a later invocation."""

    def __init__(
        self, message: str, termination_reason: TerminationReason = TerminationReason.INVOCATION_ERROR
    ) -> None:
        super().__init__(message, termination_reason)

    def is_retryable(self) -> bool:
        return True


class NonDeterministicExecutionError(ExecutionError):
    """The code reached a position whose checkpoint has another type, subtype, name or parent."""

    def __init__(self, message: str, step_id: str | None = None) -> None:
        super().__init__(message, TerminationReason.NON_DETERMINISTIC_EXECUTION)
        self.step_id = step_id


class CheckpointError(InvocationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, TerminationReason.CHECKPOINT_FAILED)


class ValidationError(DurableExecutionsError):
    """An argument is out of range (a wait under 1 s, a bad completion config, ...)."""


class InvalidStateError(DurableExecutionsError):
    pass


class DurableOperationError(DurableExecutionsError):
    """A durable operation failed; `error_type` names the original error."""

    def __init__(
        self,
        message: str | None = None,
        error_type: str | None = None,
        data: str | None = None,
        stack_trace: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type or qualified_name(type(self))
        self.data = data
        self.stack_trace = stack_trace

    @classmethod
    def from_error_fields(
        cls, error_type: str | None, message: str | None, data: str | None, stack_trace: list[str] | None
    ) -> DurableOperationError:
        target = _OPERATION_ERRORS.get(error_type or "", DurableOperationError)
        return target(message=message, error_type=error_type, data=data, stack_trace=stack_trace)


class StepError(DurableOperationError):
    pass


class InvokeError(DurableOperationError):
    pass


class ChildContextError(DurableOperationError):
    pass


class WaitForConditionError(DurableOperationError):
    pass


class CallbackError(DurableOperationError):
    pass


class CallbackExternalError(CallbackError):
    pass


class CallbackTimeoutError(CallbackError):
    pass


class CallbackSubmitterError(CallbackError):
    pass


class SerDesError(DurableExecutionsError):
    """A value cannot be serialized or deserialized; fails the operation without retry."""

    def __init__(
        self,
        message: str | None = None,
        error_type: str | None = None,
        data: str | None = None,
        stack_trace: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type or qualified_name(SerDesError)
        self.data = data
        self.stack_trace = stack_trace


class StepInterruptedError(InvocationError):
    """An at-most-once step started in an earlier invocation that never finished."""

    def __init__(self, message: str, step_id: str | None = None) -> None:
        super().__init__(message, TerminationReason.STEP_INTERRUPTED)
        self.step_id = step_id


class RetryableSerDesError(InvocationError):
    def __init__(
        self, message: str, termination_reason: TerminationReason = TerminationReason.SERIALIZATION_ERROR
    ) -> None:
        super().__init__(message, termination_reason)


class PayloadTooLargeError(ExecutionError):
    """A checkpoint payload is over the 256 KiB limit."""


class SuspendExecution(BaseException):  # noqa: N818 - the AWS name
    """Ends the invocation: the execution waits for time, a callback or another execution."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class TimedSuspendExecution(SuspendExecution):
    """Suspends until `scheduled_timestamp` (epoch seconds)."""

    def __init__(self, message: str, scheduled_timestamp: float) -> None:
        super().__init__(message)
        self.scheduled_timestamp = scheduled_timestamp

    @classmethod
    def from_delay(cls, message: str, delay_seconds: int, now: float | None = None) -> TimedSuspendExecution:
        return cls(message, (time.time() if now is None else now) + delay_seconds)


class OrphanedChildException(BaseException):  # noqa: N818 - the AWS name
    def __init__(self, message: str, operation_id: str) -> None:
        super().__init__(message)
        self.operation_id = operation_id


def qualified_name(cls: type) -> str:
    """The error type recorded for an exception class: bare for builtins, module-qualified otherwise."""
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


_OPERATION_ERRORS: dict[str, type[DurableOperationError]] = {
    qualified_name(cls): cls
    for cls in (
        StepError,
        InvokeError,
        ChildContextError,
        WaitForConditionError,
        CallbackError,
        CallbackExternalError,
        CallbackTimeoutError,
        CallbackSubmitterError,
    )
}


def register_operation_error(error_cls: type[DurableOperationError]) -> None:
    """Let a recorded error of this class come back as this class on replay."""
    _OPERATION_ERRORS[qualified_name(error_cls)] = error_cls
