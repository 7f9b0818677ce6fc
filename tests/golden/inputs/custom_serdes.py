"""Custom serdes on a step, a child context and a wait_for_condition: the steps function round-trips
each value through the user's serdes where the SDK does."""
import base64
import json
import zlib

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import ChildConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.serdes import SerDes
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitForConditionDecision


class Compressed(SerDes):
    """Checkpoints JSON compressed (large reports stay under the checkpoint limit)."""

    def serialize(self, value, serdes_context):
        return base64.b64encode(zlib.compress(json.dumps(value).encode())).decode()

    def deserialize(self, data, serdes_context):
        return json.loads(zlib.decompress(base64.b64decode(data)))


COMPRESSED = StepConfig(serdes=Compressed())


@durable_step
def build_report(step_ctx: StepContext, account: str) -> dict:
    return {"account": account, "lines": [f"line {i}" for i in range(3)]}


@durable_with_child_context
def summarize(ctx: DurableContext, account: str) -> dict:
    report = ctx.step(build_report(account), name="build-report", config=COMPRESSED)
    return {"account": account, "count": len(report["lines"])}


def poll(state: dict, check_ctx) -> dict:
    return {"polls": state["polls"] + 1}


def until_three(state: dict, attempt: int) -> WaitForConditionDecision:
    if state["polls"] >= 3:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(10))


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    summary = context.run_in_child_context(summarize(event["account"]), name="summarize",
                                           config=ChildConfig(serdes=Compressed()))
    polled = context.wait_for_condition(poll, config=WaitForConditionConfig(
        wait_strategy=until_three, initial_state={"polls": 0}, serdes=Compressed()), name="poll")
    return {"summary": summary, "polled": polled}
