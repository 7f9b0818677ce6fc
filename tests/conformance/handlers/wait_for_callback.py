"""Suite 7 (wait_for_callback): one handler per requirement 7-1 .. 7-15."""

from __future__ import annotations

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration, WaitForCallbackConfig

from ._support import JsonSerDes, fixed_retry


def register(callback_id, wait_context):
    """The submitter: hands the id to an external system (here: nothing durable to do)."""
    wait_context.logger.info(f"submitted callback {callback_id}")


def _always_fails(callback_id, wait_context):
    raise RuntimeError("submitter could not reach the external system")


@durable_execution
def r7_1(event, context):
    return context.wait_for_callback(register, name=event)


@durable_execution
def r7_2(event, context):
    return context.wait_for_callback(register, name="approval")


@durable_execution
def r7_3(event, context):
    return context.wait_for_callback(lambda callback_id, wait_context: None)


@durable_execution
def r7_4(event, context):
    return context.wait_for_callback(register, name=event)


@durable_execution
def r7_5(event, context):
    return context.wait_for_callback(register, name=event, config=WaitForCallbackConfig(timeout=Duration.from_seconds(3)))


@durable_execution
def r7_6(event, context):
    try:
        return context.wait_for_callback(register, name=event)
    except Exception:
        return "recovered"


@durable_execution
def r7_7(event, context):
    config = WaitForCallbackConfig(retry_strategy=fixed_retry(2))
    return context.wait_for_callback(_always_fails, name=event, config=config)


@durable_execution
def r7_8(event, context):
    return context.run_in_child_context(lambda child: child.wait_for_callback(register, name=event), name="wrapper")


@durable_execution
def r7_9(event, context):
    context.wait_for_callback(register, name="first")
    return context.wait_for_callback(register, name="second")


@durable_execution
def r7_10(event, context):
    context.wait(Duration.from_seconds(1))
    context.step(lambda _: {"prepared": True}, name="prepare")
    return context.wait_for_callback(register, name=event)


@durable_execution
def r7_11(event, context):
    decision = context.wait_for_callback(register, name=event, config=WaitForCallbackConfig(serdes=JsonSerDes()))
    return decision["status"]


@durable_execution
def r7_12(event, context):
    config = WaitForCallbackConfig(heartbeat_timeout=Duration.from_seconds(5))
    return context.wait_for_callback(register, name=event, config=config)


@durable_execution
def r7_13(event, context):
    config = WaitForCallbackConfig(heartbeat_timeout=Duration.from_seconds(10))
    return context.wait_for_callback(register, name=event, config=config)


@durable_execution
def r7_14(event, context):
    try:
        config = WaitForCallbackConfig(timeout=Duration.from_seconds(3))
        return context.wait_for_callback(register, name=event, config=config)
    except Exception:
        return "timed-out-handled"


@durable_execution
def r7_15(event, context):
    return context.wait_for_callback(register, name=event)
