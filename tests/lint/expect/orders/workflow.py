"""Cross-module: helpers imported relatively and absolutely are followed into orders/clock.py."""
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

from orders import clock
from .clock import pure, stamp


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    label = stamp()  # expect: DUR101
    where = clock.region()  # expect: DUR105
    doubled = pure(event["n"])
    if where == "eu-west-1":  # expect: DUR401
        context.wait(Duration.from_seconds(doubled), name="eu-pause")
    context.step(lambda _: clock.now_label(), name="in-a-step")
    return {"label": label}
