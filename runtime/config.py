"""Configuration values for durable operations, with the AWS SDK 3.0 names and defaults."""

from __future__ import annotations

import math
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from durable_runtime.exceptions import ValidationError

if TYPE_CHECKING:
    from durable_runtime.retries import RetryDecision
    from durable_runtime.serdes import SerDes

P = TypeVar("P")
R = TypeVar("R")
T = TypeVar("T")

SummaryGenerator = Callable[[Any], str]


@dataclass(frozen=True)
class Duration:
    """A whole number of seconds."""

    seconds: int = 0

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValidationError("Duration seconds must be positive")

    def to_seconds(self) -> int:
        return self.seconds

    @classmethod
    def from_seconds(cls, value: float) -> Duration:
        return cls(seconds=int(value))

    @classmethod
    def from_minutes(cls, value: float) -> Duration:
        return cls(seconds=int(value * 60))

    @classmethod
    def from_hours(cls, value: float) -> Duration:
        return cls(seconds=int(value * 3600))

    @classmethod
    def from_days(cls, value: float) -> Duration:
        return cls(seconds=int(value * 86400))


class NestingType(Enum):
    NESTED = "NESTED"  #: every branch is its own CONTEXT operation
    FLAT = "FLAT"  #: branches are virtual: their operations report to the batch operation


class BatchItemStatus(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    STARTED = "STARTED"


class CompletionOutcome(Enum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class CompletionDecision:
    complete: bool
    outcome: CompletionOutcome | None = None

    def __post_init__(self) -> None:
        if self.complete and self.outcome is None:
            raise ValidationError("outcome is required when complete is True")
        if not self.complete and self.outcome is not None:
            raise ValidationError("outcome must be None when complete is False")


def continue_batch() -> CompletionDecision:
    return CompletionDecision(complete=False)


def complete_batch(outcome: CompletionOutcome = CompletionOutcome.SUCCEEDED) -> CompletionDecision:
    return CompletionDecision(complete=True, outcome=outcome)


@dataclass(frozen=True)
class CompletionItemStatus:
    index: int
    name: str | None = None
    status: BatchItemStatus | None = None


@dataclass(frozen=True)
class CompletionStatus:
    success_count: int
    failure_count: int
    completed_count: int
    total_count: int
    items: tuple[CompletionItemStatus, ...] = ()


@dataclass(frozen=True)
class CompletionConfig:
    """When a parallel/map is done. No criteria at all means: stop at the first failure."""

    min_successful: int | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_percentage: int | float | None = None
    should_complete: Callable[[CompletionStatus], CompletionDecision] | None = None

    def __post_init__(self) -> None:
        if self.min_successful is not None and self.min_successful < 1:
            raise ValidationError(f"min_successful must be at least 1, got: {self.min_successful}")
        if self.tolerated_failure_count is not None and self.tolerated_failure_count < 0:
            raise ValidationError(f"tolerated_failure_count must be non-negative, got: {self.tolerated_failure_count}")
        pct = self.tolerated_failure_percentage
        if pct is not None and not 0 <= pct <= 100:
            raise ValidationError(f"tolerated_failure_percentage must be between 0 and 100, got: {pct}")
        if self.should_complete is not None and not callable(self.should_complete):
            raise ValidationError("should_complete must be callable")
        has_criteria = (
            self.min_successful is not None
            or self.tolerated_failure_count is not None
            or self.tolerated_failure_percentage is not None
        )
        if self.should_complete is not None and has_criteria:
            raise ValidationError(
                "should_complete cannot be combined with min_successful, tolerated_failure_count, "
                "or tolerated_failure_percentage"
            )

    def _validate_for_total(self, total: int) -> None:
        if self.min_successful is not None and self.min_successful > total:
            raise ValidationError(f"min_successful cannot be greater than total items: {self.min_successful} > {total}")

    @staticmethod
    def first_successful() -> CompletionConfig:
        return CompletionConfig(min_successful=1)

    @staticmethod
    def all_completed() -> CompletionConfig:
        return CompletionConfig(tolerated_failure_percentage=100)

    @staticmethod
    def all_successful() -> CompletionConfig:
        return CompletionConfig(tolerated_failure_count=0, tolerated_failure_percentage=0)


def _check_concurrency(value: int | None) -> None:
    if value is not None and value < 1:
        raise ValidationError(f"max_concurrency must be at least 1, got: {value}")


@dataclass(frozen=True)
class ParallelConfig:
    max_concurrency: int | None = None
    completion_config: CompletionConfig = field(default_factory=CompletionConfig.all_successful)
    serdes: SerDes | None = None
    item_serdes: SerDes | None = None
    summary_generator: SummaryGenerator | None = None
    nesting_type: NestingType = NestingType.NESTED

    def __post_init__(self) -> None:
        _check_concurrency(self.max_concurrency)


@dataclass(frozen=True)
class ParallelBranch(Generic[T]):
    """A parallel branch with its own name (instead of `parallel-branch-{i}`)."""

    func: Callable[..., T]
    name: str | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> T:
        return self.func(*args, **kwargs)


class StepSemantics(Enum):
    AT_MOST_ONCE_PER_RETRY = "AT_MOST_ONCE_PER_RETRY"
    AT_LEAST_ONCE_PER_RETRY = "AT_LEAST_ONCE_PER_RETRY"


_SUB_TYPE_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_")
_SUB_TYPE_MAX_LENGTH = 32


def _validate_sub_type(sub_type: str | None) -> None:
    if not sub_type:
        return
    if len(sub_type) > _SUB_TYPE_MAX_LENGTH or not set(sub_type) <= _SUB_TYPE_CHARACTERS:
        raise ValidationError(
            f"sub_type must be 1 to {_SUB_TYPE_MAX_LENGTH} characters from A-Z, a-z, 0-9, hyphen, "
            f"and underscore, got: {sub_type!r}"
        )


@dataclass(frozen=True)
class StepConfig:
    retry_strategy: Callable[[Exception, int], RetryDecision] | None = None
    step_semantics: StepSemantics = StepSemantics.AT_LEAST_ONCE_PER_RETRY
    serdes: SerDes | None = None
    sub_type: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        _validate_sub_type(self.sub_type)


@dataclass(frozen=True)
class ChildConfig(Generic[T]):
    serdes: SerDes | None = None
    sub_type: str | None = None
    summary_generator: SummaryGenerator | None = None
    is_virtual: bool = False

    def __post_init__(self) -> None:
        _validate_sub_type(self.sub_type)


@dataclass(frozen=True)
class MapConfig(Generic[T]):
    max_concurrency: int | None = None
    completion_config: CompletionConfig = field(default_factory=CompletionConfig)
    serdes: SerDes | None = None
    item_serdes: SerDes | None = None
    summary_generator: SummaryGenerator | None = None
    nesting_type: NestingType = NestingType.NESTED
    item_namer: Callable[[T, int], str] | None = None

    def __post_init__(self) -> None:
        _check_concurrency(self.max_concurrency)


@dataclass(frozen=True)
class InvokeConfig(Generic[P, R]):
    serdes_payload: SerDes | None = None
    serdes_result: SerDes | None = None
    tenant_id: str | None = None


@dataclass(frozen=True)
class CallbackConfig:
    """0 s means no timeout."""

    timeout: Duration = field(default_factory=Duration)
    heartbeat_timeout: Duration = field(default_factory=Duration)
    serdes: SerDes | None = None
    sub_type: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        _validate_sub_type(self.sub_type)

    @property
    def timeout_seconds(self) -> int:
        return self.timeout.to_seconds()

    @property
    def heartbeat_timeout_seconds(self) -> int:
        return self.heartbeat_timeout.to_seconds()


@dataclass(frozen=True)
class WaitForCallbackConfig(CallbackConfig):
    """The retry strategy applies to the submitter step."""

    retry_strategy: Callable[[Exception, int], RetryDecision] | None = None


class JitterStrategy(StrEnum):
    NONE = "NONE"
    FULL = "FULL"
    HALF = "HALF"

    def apply_jitter(self, delay: float) -> float:
        if self is JitterStrategy.NONE:
            return delay
        if self is JitterStrategy.HALF:
            return delay / 2 + random.random() * (delay / 2)
        return random.random() * delay

    def finalize_delay(self, base_delay: float) -> int:
        """Whole seconds, at least 1."""
        return max(1, math.ceil(self.apply_jitter(base_delay)))


def exponential_delay(initial: float, rate: float, attempts_made: int, cap: float) -> float:
    """The un-jittered back-off before attempt `attempts_made + 1`: initial * rate^(n-1), at most `cap`."""
    return min(initial * rate ** (attempts_made - 1), cap)


class DelayBounds:
    """Whole-second views of a back-off config's `initial_delay` and `max_delay` (both `Duration`s)."""

    initial_delay: Duration
    max_delay: Duration

    @property
    def initial_delay_seconds(self) -> int:
        return self.initial_delay.to_seconds()

    @property
    def max_delay_seconds(self) -> int:
        return self.max_delay.to_seconds()
