"""The store contract: executions, their operations and their history, changed only in transactions.

`commit` writes operation records, appends events (numbering them) and applies `update` to the freshly
read execution record, all in one transaction. With an `owner` the commit succeeds only while that owner
holds the execution's lease, so a process that lost its lease can never record a step another process
is running. With `expected` ({operation id: status}) it succeeds only if those operations still have
those statuses (two answers to one callback cannot both win).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from durable_runtime.lambda_service import Operation

TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})


RecordUpdate = Callable[["ExecutionRecord"], None]


class ConflictError(ValueError):
    """An operation changed under this commit (for example a callback answered twice)."""


class LeaseLostError(BaseException):  # noqa: N818 - ends the invocation like a suspension would
    """Another process owns this execution now; this one must stop without writing."""


@dataclass
class ExecutionRecord:
    arn: str
    function_name: str
    name: str
    status: str = "RUNNING"  #: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, STOPPED
    input: str | None = None
    result: str | None = None
    error: dict[str, Any] | None = None
    start_timestamp: float = 0.0
    end_timestamp: float | None = None
    timeout_seconds: int = 0
    next_wake: float | None = None  #: earliest timer, for `worker`
    needs_invocation: bool = True  #: something changed since the last invocation
    invoking: bool = False  #: an invocation began and has not finished (true after a crash)
    handler_ref: str | None = None  #: FILE:HANDLER, so another process can resume it
    parent: dict[str, str] | None = None  #: {"arn", "operation_id"} of the invoke that started it
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class Store(Protocol):
    #: whether committed state outlives the process; a durable store gets a step's START committed before
    #: the step's body runs, so a crash in the body leaves the step STARTED (as AWS records it)
    durable: bool

    def create_execution(
        self, record: ExecutionRecord, operations: list[Operation], events: list[dict[str, Any]]
    ) -> None: ...

    def load_execution(self, arn: str) -> ExecutionRecord: ...

    def load_operations(self, arn: str) -> dict[str, Operation]: ...

    def commit(
        self,
        arn: str,
        operations: list[Operation],
        events: list[dict[str, Any]],
        update: RecordUpdate | None = None,
        owner: str | None = None,
        expected: dict[str, str] | None = None,
    ) -> ExecutionRecord | None: ...

    def resolve(self, execution_id: str) -> str: ...

    def active_operations(self, arn: str) -> list[Operation]:
        """Operations not in a terminal status (the only ones with timers), in creation order."""
        ...

    def events(self, arn: str) -> list[dict[str, Any]]: ...

    def list_executions(self, status: str | None = None) -> list[ExecutionRecord]: ...

    def acquire(self, arn: str, owner: str, now: float, ttl: float) -> bool: ...

    def release(self, arn: str, owner: str) -> None: ...

    def close(self) -> None: ...
