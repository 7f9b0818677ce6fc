"""Suite 1 (step): one handler per requirement 1-1 .. 1-20."""

from __future__ import annotations

from aws_durable_execution_sdk_python import StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig, StepSemantics
from aws_durable_execution_sdk_python.retries import RetryDecision, RetryPresets

from ._support import UpperJsonSerDes, crash_once, fixed_retry

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


class TransientError(Exception):
    """An error the 1-15/1-16 retry strategies single out by type."""


@durable_step
def greet(step_context: StepContext, name: str) -> str:
    return f"Hello, {name}!"


@durable_step
def greet_logged(step_context: StepContext, name: str) -> str:
    step_context.logger.info(f"Greeting step started for: {name}")
    greeting = f"Hello, {name}!"
    step_context.logger.info(f"Greeting step completed with: {greeting}")
    return greeting


@durable_step
def step_two(step_context: StepContext, first: str) -> str:
    return f"{first}_second"


@durable_step
def build_response(step_context: StepContext, event: dict) -> dict:
    return {"user": {"name": event["name"], "tags": list(event["tags"])}, "count": len(event["tags"])}


def fail_until(attempt_that_succeeds: int, result: str):
    """A step body that raises on every attempt before `attempt_that_succeeds`."""

    def body(step_context: StepContext) -> str:
        if step_context.attempt < attempt_that_succeeds:
            raise RuntimeError(f"attempt {step_context.attempt} failed")
        return result

    return body


def always_fail(step_context: StepContext) -> None:
    raise RuntimeError("this step always fails")


@durable_execution
def r1_1(event, context):
    return context.step(greet(event))


@durable_execution
def r1_2(event, context):
    return context.step(lambda _: f"Hello, {event}!", name="custom_step_name")


@durable_execution
def r1_3(event, context):
    first = context.step(lambda _: "first", name="step_one")
    return context.step(step_two(first))


@durable_execution
def r1_4(event, context):
    return context.step(build_response(event))


@durable_execution
def r1_5(event, context):
    return context.step(lambda _: None, name="do_nothing")


@durable_execution
def r1_6(event, context):
    return context.step(lambda _: event, name="return_input", config=StepConfig(serdes=UpperJsonSerDes()))


@durable_execution
def r1_7(event, context):
    return context.step(greet_logged(event))


@durable_execution
def r1_8(event, context):
    result = context.step(lambda _: "computed", name="compute")
    context.wait(Duration.from_seconds(2))
    return result


@durable_execution
def r1_9(event, context):
    def body(step_context: StepContext) -> str:
        step_context.logger.info("step executed")
        return "cached_value"

    result = context.step(body, name="cached")
    context.wait(Duration.from_seconds(1))
    return result


@durable_execution
def r1_10(event, context):
    def body(step_context: StepContext) -> None:
        step_context.logger.info("step executed")
        raise RuntimeError("permanent failure")

    try:
        context.step(body, name="fails_once", config=NO_RETRY)
    except Exception as error:  # the replayed StepError is caught again
        caught = type(error).__name__
    context.wait(Duration.from_seconds(1))
    return {"caught": caught}


@durable_execution
def r1_11(event, context):
    config = StepConfig(retry_strategy=fixed_retry(max_attempts=3))
    return context.step(fail_until(2, "Operation succeeded"), name="unreliable_func", config=config)


@durable_execution
def r1_12(event, context):
    config = StepConfig(retry_strategy=fixed_retry(max_attempts=4))
    return context.step(always_fail, name="always_fail", config=config)


@durable_execution
def r1_13(event, context):
    return context.step(fail_until(3, "succeeded on third attempt"), name="unreliable_func")


@durable_execution
def r1_14(event, context):
    config = StepConfig(retry_strategy=fixed_retry(max_attempts=5, delay=2, backoff=3))
    return context.step(fail_until(3, "succeeded on third attempt"), name="backoff_func", config=config)


def _transient_then_ok(step_context: StepContext) -> str:
    if step_context.attempt == 1:
        raise TransientError("temporary outage")
    return "Operation succeeded"


def _is_transient(error: Exception) -> bool:
    return isinstance(error, TransientError) or getattr(error, "error_type", "").endswith("TransientError")


def retry_on_transient(error: Exception, attempts_made: int) -> RetryDecision:
    if _is_transient(error) and attempts_made < 3:
        return RetryDecision.retry(Duration.from_seconds(1))
    return RetryDecision.no_retry()


def no_retry_on_transient(error: Exception, attempts_made: int) -> RetryDecision:
    if _is_transient(error) or attempts_made >= 3:
        return RetryDecision.no_retry()
    return RetryDecision.retry(Duration.from_seconds(1))


@durable_execution
def r1_15(event, context):
    config = StepConfig(retry_strategy=retry_on_transient)
    return context.step(_transient_then_ok, name="transient_func", config=config)


@durable_execution
def r1_16(event, context):
    def body(step_context: StepContext) -> str:
        raise TransientError("temporary outage")

    return context.step(body, name="transient_func", config=StepConfig(retry_strategy=no_retry_on_transient))


@durable_execution
def r1_17(event, context):
    def body(step_context: StepContext) -> str:
        step_context.logger.info(f"at-most-once step running for: {event}")
        crash_once(f"1-17/{event}")
        return "unreachable after the crash"

    config = StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY, retry_strategy=RetryPresets.none())
    return context.step(body, name="at_most_once_flaky_step", config=config)


@durable_execution
def r1_18(event, context):
    def body(step_context: StepContext) -> str:
        step_context.logger.info(f"at-most-once step attempt {step_context.attempt} for: {event}")
        crash_once(f"1-18/{event}")
        return "succeeded on second attempt"

    config = StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY, retry_strategy=fixed_retry(2))
    return context.step(body, name="at_most_once_retry_step", config=config)


@durable_execution
def r1_19(event, context):
    return context.step(always_fail, name="failing_func", config=NO_RETRY)


@durable_execution
def r1_20(event, context):
    try:
        fallback = context.step(always_fail, name="failing_func", config=NO_RETRY)
    except Exception:
        fallback = "fallback_result"
    return context.step(lambda _: fallback, name="after_failure")
