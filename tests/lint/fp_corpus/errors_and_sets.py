"""except Exception around operations, re-raising BaseException, set membership, sorted sets."""
from requests.exceptions import HTTPError

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

BLOCKED = frozenset({"x", "y"})


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    tags = set(event["tags"])
    if "vip" in tags:
        context.step(lambda _: "vip", name="vip")
    for tag in sorted(tags - BLOCKED):
        context.step(lambda _: tag, name=f"tag-{tag}")
    try:
        context.wait(Duration.from_seconds(5), name="w")
        result = context.step(lambda _: 1, name="one")
    except HTTPError:
        result = 0
    except Exception as err:
        context.logger.warning("failed: %s", err)
        raise
    try:
        context.step(lambda _: 2, name="two")
    except BaseException:
        context.logger.info("suspending or failing")
        raise
    if event.get("loop"):
        while True:
            done = context.step(lambda _: True, name="poll")
            if done:
                break
    return {"result": result, "count": len(tags)}
