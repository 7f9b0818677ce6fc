"""Pure helpers from another project module, and a step from a sibling module, are clean."""
from aws_durable_execution_sdk_python import DurableContext, durable_execution

from shop.util import label, total


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    n = total(event["items"])
    for i in range(n):
        context.step(lambda _: i, name=label(event["id"], i))
    return {"n": n}
