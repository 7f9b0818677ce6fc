"""Suite 4 (callback): one handler per requirement 4-1 .. 4-19."""

from __future__ import annotations

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration

from ._support import NumberSerDes, TypedPayloadSerDes


def _seconds(n: int) -> Duration:
    return Duration.from_seconds(n)


@durable_execution
def r4_1(event, context):
    return context.create_callback(name=event).result()


@durable_execution
def r4_2(event, context):
    return context.create_callback(name="approval").result()


@durable_execution
def r4_3(event, context):
    return context.create_callback(name=event, config=CallbackConfig(timeout=_seconds(5))).result()


@durable_execution
def r4_4(event, context):
    return context.create_callback(name=event, config=CallbackConfig(heartbeat_timeout=_seconds(5))).result()


@durable_execution
def r4_5(event, context):
    return context.create_callback(name=event, config=CallbackConfig(heartbeat_timeout=_seconds(10))).result()


@durable_execution
def r4_6(event, context):
    return context.create_callback(name=event).result()


@durable_execution
def r4_7(event, context):
    callback = context.create_callback(name=event)
    context.step(lambda _: "side work", name="side_work")
    return callback.result()


@durable_execution
def r4_8(event, context):
    callback = context.create_callback(name=event, config=CallbackConfig(timeout=_seconds(5)))
    context.step(lambda _: "side work", name="side_work")
    return callback.result()


@durable_execution
def r4_9(event, context):
    callback = context.create_callback(name=event)
    context.wait(_seconds(5))
    return callback.result()


@durable_execution
def r4_10(event, context):
    callback = context.create_callback(name=event)
    context.wait(_seconds(5))
    return callback.result()


@durable_execution
def r4_11(event, context):
    callback = context.create_callback(name=event, config=CallbackConfig(timeout=_seconds(3)))
    context.wait(_seconds(6))
    return callback.result()


@durable_execution
def r4_12(event, context):
    result = context.create_callback(name=event).result()
    context.wait(_seconds(2))
    return result


@durable_execution
def r4_13(event, context):
    try:
        message = context.create_callback(name=event).result()
    except Exception as error:
        message = f"callback failed: {error}"
    context.wait(_seconds(2))
    return message


@durable_execution
def r4_14(event, context):
    try:
        message = context.create_callback(name=event, config=CallbackConfig(timeout=_seconds(3))).result()
    except Exception as error:
        message = f"callback timed out: {type(error).__name__}"
    context.wait(_seconds(2))
    return message


@durable_execution
def r4_15(event, context):
    received = context.create_callback(name=event, config=CallbackConfig(serdes=TypedPayloadSerDes())).result()
    return {
        "received": {
            "id": received["id"],
            "message": received["message"],
            "timestamp": int(received["timestamp"].timestamp()),
        }
    }


@durable_execution
def r4_16(event, context):
    count = context.create_callback(name=event, config=CallbackConfig(serdes=NumberSerDes())).result()
    return {"count": count, "doubled": count * 2}


@durable_execution
def r4_17(event, context):
    first = context.create_callback(name=event[0]).result()
    second = context.create_callback(name=event[1]).result()
    return [first, second]


@durable_execution
def r4_18(event, context):
    a = context.create_callback(name=event[0])
    b = context.create_callback(name=event[1])
    return [a.result(), b.result()]


@durable_execution
def r4_19(event, context):
    a = context.create_callback(name=event[0])
    b = context.create_callback(name=event[1])
    second = b.result()
    first = a.result()
    return [first, second]
