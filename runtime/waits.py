"""Wait strategies for `wait_for_condition`: `(state, attempts_made) -> WaitForConditionDecision`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from durable_runtime.config import DelayBounds, Duration, JitterStrategy, exponential_delay
from durable_runtime.exceptions import WaitForConditionError

if TYPE_CHECKING:
    from durable_runtime.serdes import SerDes

T = TypeVar("T")


@dataclass
class WaitStrategyConfig(DelayBounds, Generic[T]):
    should_continue_polling: Callable[[T], bool]
    max_attempts: int = 60
    initial_delay: Duration = field(default_factory=lambda: Duration.from_seconds(5))
    max_delay: Duration = field(default_factory=lambda: Duration.from_minutes(5))
    backoff_rate: int | float = 1.5
    jitter_strategy: JitterStrategy = JitterStrategy.FULL


@dataclass(frozen=True)
class WaitForConditionDecision:
    should_continue: bool
    delay: Duration

    @property
    def delay_seconds(self) -> int:
        return self.delay.to_seconds()

    @classmethod
    def continue_waiting(cls, delay: Duration) -> WaitForConditionDecision:
        return cls(should_continue=True, delay=delay)

    @classmethod
    def stop_polling(cls) -> WaitForConditionDecision:
        return cls(should_continue=False, delay=Duration())


def create_wait_strategy(config: WaitStrategyConfig[T]) -> Callable[[T, int], WaitForConditionDecision]:
    """Poll with exponential backoff until `should_continue_polling` is false or attempts run out."""

    def strategy(state: T, attempts_made: int) -> WaitForConditionDecision:
        if not config.should_continue_polling(state):
            return WaitForConditionDecision.stop_polling()
        if attempts_made >= config.max_attempts:
            raise WaitForConditionError(
                f"wait_for_condition exhausted {config.max_attempts} attempts before the condition was met"
            )
        base = exponential_delay(config.initial_delay_seconds, config.backoff_rate, attempts_made,
                                 config.max_delay_seconds)
        return WaitForConditionDecision.continue_waiting(Duration(seconds=config.jitter_strategy.finalize_delay(base)))

    return strategy


@dataclass(frozen=True)
class WaitForConditionConfig(Generic[T]):
    wait_strategy: Callable[[T, int], WaitForConditionDecision]
    initial_state: T
    serdes: SerDes | None = None
