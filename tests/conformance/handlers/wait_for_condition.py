"""Suite 6 (wait_for_condition): one handler per requirement 6-1 .. 6-13."""

from __future__ import annotations

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

from ._support import EncodedStateSerDes


def until(predicate, delay: int = 1):
    """Poll every `delay` seconds until `predicate(state)` holds."""

    def strategy(state, attempt):
        if predicate(state):
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(delay))

    return strategy


def increment(state, check_context):
    return state + 1


def count_to(context, start: int, threshold: int, name: str | None = None):
    config = WaitForConditionConfig(wait_strategy=until(lambda s: s >= threshold), initial_state=start)
    return context.wait_for_condition(increment, config=config, name=name)


@durable_execution
def r6_1(event, context):
    return count_to(context, 0, event)


@durable_execution
def r6_2(event, context):
    config = WaitForConditionConfig(wait_strategy=until(lambda s: s >= 5), initial_state=5)
    return context.wait_for_condition(lambda state, _ctx: state, config=config)


@durable_execution
def r6_3(event, context):
    return count_to(context, 0, event, name="poll-status")


@durable_execution
def r6_4(event, context):
    return count_to(context, 5, event)


@durable_execution
def r6_5(event, context):
    config = WaitForConditionConfig(wait_strategy=until(lambda s: s >= event, delay=2), initial_state=0)
    return context.wait_for_condition(increment, config=config)


@durable_execution
def r6_6(event, context):
    strategy = create_wait_strategy(
        WaitStrategyConfig(
            should_continue_polling=lambda state: True,
            max_attempts=3,
            initial_delay=Duration.from_seconds(1),
            backoff_rate=1,
            jitter_strategy=JitterStrategy.NONE,
        )
    )
    config = WaitForConditionConfig(wait_strategy=strategy, initial_state=event)
    return context.wait_for_condition(increment, config=config)


def _raising_check(state, check_context):
    raise RuntimeError("check function failed")


@durable_execution
def r6_7(event, context):
    config = WaitForConditionConfig(wait_strategy=until(lambda s: True), initial_state=0)
    return context.wait_for_condition(_raising_check, config=config)


@durable_execution
def r6_8(event, context):
    config = WaitForConditionConfig(wait_strategy=until(lambda s: True), initial_state=0)
    try:
        return context.wait_for_condition(_raising_check, config=config)
    except Exception:
        return "recovered"


def _advance(state, check_context):
    attempts = state["attempts"] + 1
    return {"status": "DONE" if attempts >= 2 else "PENDING", "attempts": attempts}


@durable_execution
def r6_9(event, context):
    config = WaitForConditionConfig(
        wait_strategy=until(lambda s: s["status"] != "PENDING"),
        initial_state={"status": "PENDING", "attempts": 0},
    )
    return context.wait_for_condition(_advance, config=config)


@durable_execution
def r6_10(event, context):
    config = WaitForConditionConfig(wait_strategy=until(lambda s: True), initial_state=0)
    return context.wait_for_condition(lambda state, _ctx: None, config=config)


@durable_execution
def r6_11(event, context):
    config = WaitForConditionConfig(
        wait_strategy=until(lambda s: len(s) >= 2), initial_state="", serdes=EncodedStateSerDes()
    )
    return context.wait_for_condition(lambda state, _ctx: state + "x", config=config)


@durable_execution
def r6_12(event, context):
    reached = count_to(context, 0, event)
    return context.step(lambda _: reached * 10, name="times_ten")


@durable_execution
def r6_13(event, context):
    first = count_to(context, 0, 2)
    return count_to(context, first, 4)
