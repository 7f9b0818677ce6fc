"""The small value types passed to user code (step, callback-submitter and condition contexts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from durable_runtime.config import SummaryGenerator

T = TypeVar("T")
__all__ = [
    "LambdaContext",
    "LoggerInterface",
    "OperationContext",
    "StepContext",
    "SummaryGenerator",
    "WaitForCallbackContext",
    "WaitForConditionCheckContext",
]


class LoggerInterface(Protocol):
    def debug(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None: ...
    def info(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None: ...
    def warning(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None: ...
    def error(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None: ...
    def exception(self, msg: object, *args: object, extra: Mapping[str, object] | None = None) -> None: ...


@dataclass(frozen=True)
class OperationContext:
    logger: Any


@dataclass(frozen=True)
class StepContext(OperationContext):
    attempt: int  #: 1-based


@dataclass(frozen=True)
class WaitForCallbackContext(OperationContext):
    pass


@dataclass(frozen=True)
class WaitForConditionCheckContext(OperationContext):
    attempt: int


@dataclass
class LambdaContext:
    """A stand-in for the Lambda context object handed to handlers."""

    aws_request_id: str = "local-request"
    function_name: str | None = "local-function"
    invoked_function_arn: str | None = None
    memory_limit_in_mb: str | None = "128"
    function_version: str | None = "$LATEST"
    log_group_name: str | None = None
    log_stream_name: str | None = None
    tenant_id: str | None = None
    client_context: Any | None = None
    identity: Any | None = None
    deadline: float = 0.0

    def get_remaining_time_in_millis(self) -> int:
        return 900_000

    def log(self, msg: str) -> None:  # pragma: no cover - handlers rarely call it
        import sys

        sys.stdout.write(msg)
