"""Suite 3 (child context): one handler per requirement 3-1 .. 3-18."""

from __future__ import annotations

from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_with_child_context
from aws_durable_execution_sdk_python.config import ChildConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

from ._support import UpperRawSerDes, crash_once, fixed_retry, log_always

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())
LARGE_RESULT_CHARS = 300 * 1024  #: above the 256 KiB checkpoint limit


def _fail(_step_context) -> None:
    raise RuntimeError("child step failed")


@durable_with_child_context
def echo_child(child: DurableContext, value):
    return child.step(lambda _: value, name="echo")


@durable_with_child_context
def two_steps(child: DurableContext, value):
    first = child.step(lambda _: value, name="first")
    return child.step(lambda _: first, name="second")


@durable_with_child_context
def failing_child(child: DurableContext):
    return child.step(_fail, name="fails", config=NO_RETRY)


@durable_with_child_context
def inner_child(child: DurableContext, value):
    return child.step(lambda _: value, name="inner_step")


@durable_with_child_context
def outer_child(child: DurableContext, value):
    child.step(lambda _: value, name="outer_step")
    return child.run_in_child_context(inner_child(value))


@durable_execution
def r3_1(event, context):
    return context.run_in_child_context(echo_child(event))


@durable_execution
def r3_2(event, context):
    value = event["value"]
    return context.run_in_child_context(lambda child: child.step(lambda _: value, name="echo"), name=event["name"])


@durable_execution
def r3_3(event, context):
    return context.run_in_child_context(two_steps(event))


@durable_execution
def r3_4(event, context):
    return context.run_in_child_context(failing_child())


@durable_execution
def r3_5(event, context):
    try:
        context.run_in_child_context(failing_child())
    except Exception:
        pass
    return context.step(lambda _: event, name="recovery")


@durable_execution
def r3_6(event, context):
    return context.run_in_child_context(outer_child(event))


@durable_with_child_context
def retrying_child(child: DurableContext, value):
    def body(step_context):
        if step_context.attempt == 1:
            raise RuntimeError("first attempt fails")
        return value

    return child.step(body, name="retried", config=StepConfig(retry_strategy=fixed_retry(3)))


@durable_execution
def r3_7(event, context):
    return context.run_in_child_context(retrying_child(event))


@durable_with_child_context
def exhausted_child(child: DurableContext):
    return child.step(_fail, name="always_fails", config=StepConfig(retry_strategy=fixed_retry(2)))


@durable_execution
def r3_8(event, context):
    return context.run_in_child_context(exhausted_child())


@durable_execution
def r3_9(event, context):
    result = context.run_in_child_context(echo_child(event))
    context.wait(Duration.from_seconds(1))
    return result


@durable_with_child_context
def step_then_wait(child: DurableContext, value):
    result = child.step(lambda _: value, name="echo")
    child.wait(Duration.from_seconds(1))
    return result


@durable_execution
def r3_10(event, context):
    return context.run_in_child_context(step_then_wait(event))


@durable_with_child_context
def large_child(child: DurableContext, value):
    log_always(child, f"large child running for: {value}")
    small = child.step(lambda _: "x", name="small")
    return small * LARGE_RESULT_CHARS


@durable_execution
def r3_11(event, context):
    result = context.run_in_child_context(large_child(event))
    context.wait(Duration.from_seconds(1))
    return {"length": len(result)}


@durable_with_child_context
def crashing_child(child: DurableContext, value):
    def body(_step_context):
        crash_once(f"3-12/{value}")
        return value

    return child.step(body, name="crashes_once")


@durable_execution
def r3_12(event, context):
    return context.run_in_child_context(crashing_child(event))


@durable_with_child_context
def only_wait(child: DurableContext, value):
    child.wait(Duration.from_seconds(1))
    return value


@durable_execution
def r3_13(event, context):
    context.run_in_child_context(only_wait(event))
    return context.step(lambda _: event, name="after_child")


@durable_execution
def r3_14(event, context):
    return context.run_in_child_context(echo_child(event), config=ChildConfig(serdes=UpperRawSerDes()))


@durable_with_child_context
def raising_child(child: DurableContext):
    raise RuntimeError("thrown directly in the child body")


@durable_execution
def r3_15(event, context):
    return context.run_in_child_context(raising_child())


@durable_with_child_context
def null_child(child: DurableContext):
    return None


@durable_execution
def r3_16(event, context):
    return context.run_in_child_context(null_child())


@durable_with_child_context
def logging_child(child: DurableContext, value):
    log_always(child, f"child body ran for: {value}")
    return value


@durable_execution
def r3_17(event, context):
    result = context.run_in_child_context(logging_child(event))
    context.wait(Duration.from_seconds(1))
    return result


@durable_execution
def r3_18(event, context):
    inner = context.run_in_child_context(step_then_wait(event))
    outer = context.step(lambda _: inner, name="after_child")
    context.wait(Duration.from_seconds(1))
    return outer
