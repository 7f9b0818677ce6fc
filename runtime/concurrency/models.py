"""`BatchResult` and the completion policy of `parallel`/`map` (AWS SDK names and semantics)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar, cast

from durable_runtime.config import (
    BatchItemStatus,
    CompletionConfig,
    CompletionDecision,
    CompletionItemStatus,
    CompletionOutcome,
    CompletionStatus,
)
from durable_runtime.exceptions import ChildContextError, DurableOperationError, register_operation_error
from durable_runtime.lambda_service import ErrorObject

R = TypeVar("R")


class CompletionReason(Enum):
    ALL_COMPLETED = "ALL_COMPLETED"
    MIN_SUCCESSFUL_REACHED = "MIN_SUCCESSFUL_REACHED"
    FAILURE_TOLERANCE_EXCEEDED = "FAILURE_TOLERANCE_EXCEEDED"
    CUSTOM_COMPLETION_SUCCEEDED = "CUSTOM_COMPLETION_SUCCEEDED"
    CUSTOM_COMPLETION_FAILED = "CUSTOM_COMPLETION_FAILED"


class BatchCompletionError(DurableOperationError):
    """`should_complete` ended the batch as failed."""

    def __init__(
        self,
        completion_reason: CompletionReason = CompletionReason.CUSTOM_COMPLETION_FAILED,
        message: str | None = None,
        error_type: str | None = None,
        data: str | None = None,
        stack_trace: list[str] | None = None,
    ) -> None:
        text = message or f"Batch completed as failed by should_complete ({completion_reason.value})"
        super().__init__(text, error_type, data, stack_trace)
        self.completion_reason = completion_reason


register_operation_error(BatchCompletionError)


@dataclass(frozen=True)
class CompletionPolicy:
    total: int
    config: CompletionConfig | None = None

    @property
    def _has_criteria(self) -> bool:
        c = self.config
        return c is not None and (
            c.min_successful is not None
            or c.tolerated_failure_count is not None
            or c.tolerated_failure_percentage is not None
        )

    @property
    def custom(self) -> Callable[[CompletionStatus], CompletionDecision] | None:
        return self.config.should_complete if self.config else None

    def tolerance_exceeded(self, failed: int) -> bool:
        if self.custom is not None:
            return False
        if not self._has_criteria:
            return failed > 0
        c = cast(CompletionConfig, self.config)
        if c.tolerated_failure_count is not None and failed > c.tolerated_failure_count:
            return True
        pct = c.tolerated_failure_percentage
        return pct is not None and self.total > 0 and failed / self.total * 100 > pct

    def decide(self, succeeded: int, failed: int, items: tuple[CompletionItemStatus, ...]) -> CompletionDecision | None:
        if self.custom is None:
            return None
        return self.custom(CompletionStatus(succeeded, failed, succeeded + failed, self.total, items))

    def is_complete(self, succeeded: int, failed: int, decision: CompletionDecision | None) -> bool:
        if decision is not None and decision.complete:
            return True
        if succeeded + failed >= self.total:
            return True
        c = self.config
        return c is not None and c.min_successful is not None and succeeded >= c.min_successful

    def reason(self, succeeded: int, failed: int, decision: CompletionDecision | None) -> CompletionReason:
        if self.tolerance_exceeded(failed):
            return CompletionReason.FAILURE_TOLERANCE_EXCEEDED
        if decision is not None and decision.complete:
            if decision.outcome is CompletionOutcome.FAILED:
                return CompletionReason.CUSTOM_COMPLETION_FAILED
            return CompletionReason.CUSTOM_COMPLETION_SUCCEEDED
        if succeeded + failed >= self.total:
            return CompletionReason.ALL_COMPLETED
        c = self.config
        if c is not None and c.min_successful is not None and succeeded >= c.min_successful:
            return CompletionReason.MIN_SUCCESSFUL_REACHED
        return CompletionReason.ALL_COMPLETED


@dataclass(frozen=True)
class BatchItem(Generic[R]):
    index: int
    status: BatchItemStatus
    result: R | None = None
    error: ErrorObject | None = None

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict() if self.error else None
        return {"index": self.index, "status": self.status.value, "result": self.result, "error": error}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchItem[R]:
        error = ErrorObject.from_dict(data["error"]) if data.get("error") else None
        return cls(data["index"], BatchItemStatus(data["status"]), data.get("result"), error)


@dataclass(frozen=True)
class BatchResult(Generic[R]):
    """What `parallel`/`map` return; they never raise a branch's error by themselves."""

    all: list[BatchItem[R]]
    completion_reason: CompletionReason

    @classmethod
    def from_dict(cls, data: dict[str, Any], completion_config: CompletionConfig | None = None) -> BatchResult[R]:
        items: list[BatchItem[R]] = [BatchItem.from_dict(item) for item in data["all"]]
        reason = data.get("completionReason")
        if reason is None:
            return cls.from_items(items, completion_config)
        return cls(items, CompletionReason(reason))

    @classmethod
    def from_items(cls, items: list[BatchItem[R]], completion_config: CompletionConfig | None = None) -> BatchResult[R]:
        ok = sum(1 for i in items if i.status is BatchItemStatus.SUCCEEDED)
        bad = sum(1 for i in items if i.status is BatchItemStatus.FAILED)
        policy = CompletionPolicy(len(items), completion_config)
        snapshot = tuple(CompletionItemStatus(index=i.index, status=i.status) for i in items)
        return cls(items, policy.reason(ok, bad, policy.decide(ok, bad, snapshot)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "all": [item.to_dict() for item in self.all],
            "completionReason": self.completion_reason.value,
        }

    def succeeded(self) -> list[BatchItem[R]]:
        return [i for i in self.all if i.status is BatchItemStatus.SUCCEEDED]

    def failed(self) -> list[BatchItem[R]]:
        return [i for i in self.all if i.status is BatchItemStatus.FAILED]

    def started(self) -> list[BatchItem[R]]:
        return [i for i in self.all if i.status is BatchItemStatus.STARTED]

    @property
    def status(self) -> BatchItemStatus:
        if self.completion_reason is CompletionReason.CUSTOM_COMPLETION_FAILED:
            return BatchItemStatus.FAILED
        if self.completion_reason is CompletionReason.CUSTOM_COMPLETION_SUCCEEDED:
            return BatchItemStatus.SUCCEEDED
        return BatchItemStatus.FAILED if self.has_failure else BatchItemStatus.SUCCEEDED

    @property
    def has_failure(self) -> bool:
        return any(i.status is BatchItemStatus.FAILED for i in self.all)

    def throw_if_error(self) -> None:
        first = next((i for i in self.all if i.status is BatchItemStatus.FAILED), None)
        if first is not None:
            if first.error is None:
                raise ChildContextError(message=f"Batch item {first.index} failed without an ErrorObject.")
            first.error.raise_as_operation_error(ChildContextError)
        if self.completion_reason is CompletionReason.CUSTOM_COMPLETION_FAILED:
            raise BatchCompletionError(self.completion_reason)

    def get_results(self) -> list[R]:
        # one cast for the list, not one call per item (orchestration code calls this, under the guard)
        return cast("list[R]", [i.result for i in self.all if i.status is BatchItemStatus.SUCCEEDED])

    def get_errors(self) -> list[ErrorObject | None]:
        return [i.error for i in self.all if i.status is BatchItemStatus.FAILED]

    @property
    def success_count(self) -> int:
        return len(self.succeeded())

    @property
    def failure_count(self) -> int:
        return len(self.failed())

    @property
    def started_count(self) -> int:
        return len(self.started())

    @property
    def total_count(self) -> int:
        return len(self.all)
