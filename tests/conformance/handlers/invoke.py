"""Suite 5 (invoke): one handler per requirement 5-1 .. 5-16, and the functions they invoke."""

from __future__ import annotations

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration, InvokeConfig

from ._support import UpperJsonSerDes, UpperRawSerDes

LARGE_PAYLOAD_CHARS = 200 * 1024  #: near, but under, the 256 KiB checkpoint payload limit


@durable_execution
def echo(event, context):
    """Returns whatever it receives."""
    return event


@durable_execution
def fail(event, context):
    """Always raises."""
    raise RuntimeError("target function failed")


@durable_execution
def measure(event, context):
    """Receives a large payload and returns its size."""
    return {"receivedChars": len(event["blob"])}


TARGETS = {"echo": (echo, True), "echo-2": (echo, True), "fail": (fail, True), "measure": (measure, True)}


@durable_execution
def r5_1(event, context):
    return context.invoke("echo", event)


@durable_execution
def r5_2(event, context):
    return context.invoke("echo", event["payload"], name=event["name"])


@durable_execution
def r5_3(event, context):
    return context.invoke("echo", event)


@durable_execution
def r5_4(event, context):
    return context.invoke("echo", None)


@durable_execution
def r5_5(event, context):
    return context.invoke("fail", None)


@durable_execution
def r5_6(event, context):
    try:
        return context.invoke("fail", None)
    except Exception:
        return "fallback"


@durable_execution
def r5_7(event, context):
    return context.invoke("measure", {"blob": "x" * LARGE_PAYLOAD_CHARS})


@durable_execution
def r5_8(event, context):
    return context.invoke("echo", event["payload"], config=InvokeConfig(tenant_id=event["tenantId"]))


@durable_execution
def r5_9(event, context):
    result = context.invoke("echo", "cached")
    context.wait(Duration.from_seconds(1))
    return result


@durable_execution
def r5_10(event, context):
    try:
        result = context.invoke("fail", None)
    except Exception:
        result = "caught"
    context.wait(Duration.from_seconds(1))
    return result


@durable_execution
def r5_11(event, context):
    value = context.step(lambda _: "from-step", name="produce")
    return context.invoke("echo", value)


@durable_execution
def r5_12(event, context):
    result = context.invoke("echo", "from-invoke")
    return context.step(lambda _: f"{result}-processed", name="consume")


@durable_execution
def r5_13(event, context):
    return context.run_in_child_context(lambda child: child.invoke("echo", "in-child"), name="invoke_child")


@durable_execution
def r5_14(event, context):
    first = context.invoke("echo", "one")
    second = context.invoke("echo-2", "two")
    return [first, second]


@durable_execution
def r5_15(event, context):
    return context.invoke("echo", event, config=InvokeConfig(serdes_payload=UpperJsonSerDes()))


@durable_execution
def r5_16(event, context):
    return context.invoke("echo", event, config=InvokeConfig(serdes_result=UpperRawSerDes()))
