"""Suite 2 (wait): one handler per requirement 2-1 .. 2-5."""

from __future__ import annotations

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration


@durable_execution
def r2_1(event, context):
    context.wait(Duration.from_seconds(2))
    return "waited"


@durable_execution
def r2_2(event, context):
    context.wait(Duration.from_seconds(2), name="custom_wait_name")
    return "waited"


@durable_execution
def r2_3(event, context):
    context.wait(Duration.from_seconds(2), name="wait-1")
    context.wait(Duration.from_seconds(2), name="wait-2")
    return {"completedWaits": 2}


@durable_execution
def r2_4(event, context):
    context.wait(Duration.from_minutes(1))
    return "waited a minute"


@durable_execution
def r2_5(event, context):
    context.wait(Duration.from_hours(1))
    return "waited an hour"
