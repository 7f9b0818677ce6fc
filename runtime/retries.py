"""Retry strategies: `(error, attempts_made) -> RetryDecision`, their configs and the AWS presets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from durable_runtime.config import ChildConfig, DelayBounds, Duration, JitterStrategy, exponential_delay
from durable_runtime.exceptions import SuspendExecution

if TYPE_CHECKING:
    from durable_runtime.context import DurableContext

T = TypeVar("T")
RetryStrategy = Callable[[Exception, int], "RetryDecision"]
_ANY_MESSAGE = re.compile(".*")


@dataclass
class RetryDecision:
    should_retry: bool
    delay: Duration

    @property
    def delay_seconds(self) -> int:
        return self.delay.to_seconds()

    @classmethod
    def retry(cls, delay: Duration) -> RetryDecision:
        return cls(should_retry=True, delay=delay)

    @classmethod
    def no_retry(cls) -> RetryDecision:
        return cls(should_retry=False, delay=Duration())


@dataclass
class RetryStrategyConfig(DelayBounds):
    max_attempts: int = 3
    initial_delay: Duration = field(default_factory=lambda: Duration.from_seconds(5))
    max_delay: Duration = field(default_factory=lambda: Duration.from_minutes(5))
    backoff_rate: int | float = 2.0
    jitter_strategy: JitterStrategy = JitterStrategy.FULL
    retryable_errors: list[str | re.Pattern[str]] | None = None
    retryable_error_types: list[type[Exception]] | None = None


@dataclass
class LinearRetryStrategyConfig(DelayBounds):
    max_attempts: int = 6
    initial_delay: Duration = field(default_factory=lambda: Duration.from_seconds(1))
    increment: Duration = field(default_factory=lambda: Duration.from_seconds(1))
    max_delay: Duration = field(default_factory=lambda: Duration.from_minutes(5))
    jitter_strategy: JitterStrategy = JitterStrategy.FULL
    retryable_errors: list[str | re.Pattern[str]] | None = None
    retryable_error_types: list[type[Exception]] | None = None

    @property
    def increment_seconds(self) -> int:
        return self.increment.to_seconds()


def _error_filter(
    messages: list[str | re.Pattern[str]] | None, types: list[type[Exception]] | None
) -> Callable[[Exception], bool]:
    """With neither list every error is retryable; otherwise a message pattern or a type must match."""
    patterns = messages if messages is not None else ([_ANY_MESSAGE] if types is None else [])
    kinds = tuple(types or ())

    def matches(error: Exception) -> bool:
        text = str(error)
        for pattern in patterns:
            if pattern.search(text) if isinstance(pattern, re.Pattern) else pattern in text:
                return True
        return bool(kinds) and isinstance(error, kinds)

    return matches


def create_retry_strategy(config: RetryStrategyConfig | None = None) -> RetryStrategy:
    """Exponential backoff: initial * rate^(n-1), capped, jittered, whole seconds >= 1."""
    cfg = config or RetryStrategyConfig()
    retryable = _error_filter(cfg.retryable_errors, cfg.retryable_error_types)

    def strategy(error: Exception, attempts_made: int) -> RetryDecision:
        if attempts_made >= cfg.max_attempts or not retryable(error):
            return RetryDecision.no_retry()
        base = exponential_delay(cfg.initial_delay_seconds, cfg.backoff_rate, attempts_made, cfg.max_delay_seconds)
        return RetryDecision.retry(Duration(seconds=cfg.jitter_strategy.finalize_delay(base)))

    return strategy


def create_linear_retry_strategy(config: LinearRetryStrategyConfig | None = None) -> RetryStrategy:
    """Linear backoff: initial + increment * (n-1), capped, jittered, whole seconds >= 1."""
    cfg = config or LinearRetryStrategyConfig()
    retryable = _error_filter(cfg.retryable_errors, cfg.retryable_error_types)

    def strategy(error: Exception, attempts_made: int) -> RetryDecision:
        if attempts_made >= cfg.max_attempts or not retryable(error):
            return RetryDecision.no_retry()
        base = min(cfg.initial_delay_seconds + cfg.increment_seconds * (attempts_made - 1), cfg.max_delay_seconds)
        return RetryDecision.retry(Duration(seconds=cfg.jitter_strategy.finalize_delay(base)))

    return strategy


class RetryPresets:
    """The named strategies of the AWS SDK, with the same numbers."""

    @classmethod
    def none(cls) -> RetryStrategy:
        return create_retry_strategy(RetryStrategyConfig(max_attempts=1))

    @classmethod
    def default(cls) -> RetryStrategy:
        return create_retry_strategy(
            RetryStrategyConfig(max_attempts=6, max_delay=Duration.from_minutes(1), backoff_rate=2)
        )

    @classmethod
    def transient(cls) -> RetryStrategy:
        return create_retry_strategy(
            RetryStrategyConfig(max_attempts=3, backoff_rate=2, jitter_strategy=JitterStrategy.HALF)
        )

    @classmethod
    def resource_availability(cls) -> RetryStrategy:
        return create_retry_strategy(RetryStrategyConfig(max_attempts=5, backoff_rate=2))

    @classmethod
    def critical(cls) -> RetryStrategy:
        return create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=10,
                initial_delay=Duration.from_seconds(1),
                max_delay=Duration.from_minutes(1),
                backoff_rate=1.5,
                jitter_strategy=JitterStrategy.NONE,
            )
        )

    @classmethod
    def linear(cls) -> RetryStrategy:
        return create_linear_retry_strategy(LinearRetryStrategyConfig(jitter_strategy=JitterStrategy.NONE))

    @classmethod
    def fixed(cls, interval: Duration | None = None) -> RetryStrategy:
        delay = interval if interval is not None else Duration.from_seconds(5)
        return create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=5,
                initial_delay=delay,
                max_delay=delay,
                backoff_rate=1,
                jitter_strategy=JitterStrategy.NONE,
            )
        )


@dataclass(frozen=True)
class WithRetryConfig(Generic[T]):
    retry_strategy: RetryStrategy | None = None
    wrap_with_run_in_child_context: bool = True
    child_context_config: ChildConfig[T] | None = None


def with_retry(
    context: DurableContext,
    func: Callable[[DurableContext, int], T],
    config: WithRetryConfig[T],
    name: str | None = None,
) -> T:
    """Retry a block of durable code; the backoff is a durable wait named `{name}-backoff-{n}`."""
    strategy = config.retry_strategy or create_retry_strategy()

    def attempts(ctx: DurableContext) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return func(ctx, attempt)
            except SuspendExecution:
                raise
            except Exception as error:
                decision = strategy(error, attempt)
                if not decision.should_retry:
                    raise
                ctx.wait(duration=decision.delay, name=f"{name}-backoff-{attempt}" if name else None)

    if config.wrap_with_run_in_child_context:
        return context.run_in_child_context(attempts, name=name, config=config.child_context_config)
    return attempts(context)
