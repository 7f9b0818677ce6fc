"""Constructs the Python backend rebuilds: hoisting, loops, elif, try, with, nested defs, lambdas."""

import contextlib

import aws_durable_execution_sdk_python
from aws_durable_execution_sdk_python import DurableContext, StepError, durable_step
from aws_durable_execution_sdk_python.config import Duration, MapConfig

LIMIT = 3


@durable_step
def count(step_ctx, n: int) -> int:
    return n + 1


@aws_durable_execution_sdk_python.durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    """Every control construct around durable calls."""
    total = 0
    # a durable call in a while test runs once per iteration
    while context.step(count(total), name="probe") < LIMIT:
        total += 1
    else:
        context.wait(Duration.from_seconds(1), name="settle")

    if event.get("mode") == "fast":
        picked = "fast"
    elif context.step(lambda _: event.get("slow", False), name="is-slow"):
        picked = "slow"
    else:
        picked = "normal"

    def per_item(ctx, item, index, items):
        # a map item function written as a nested def
        return ctx.step(count(item), name=f"item-{index}")

    mapped = context.map([1, 2, 3], per_item, name="items", config=MapConfig(max_concurrency=2))
    try:
        risky = context.step(lambda _: 1 // event.get("divisor", 1), name="divide")
    except StepError as err:
        risky = -1
    else:
        risky += 1
    finally:
        context.step(lambda _: "cleaned", name="cleanup")

    with contextlib.suppress(KeyError):
        picked = picked + event["suffix"]

    child = context.run_in_child_context(
        lambda child_ctx: child_ctx.step(count(10), name="in-child"),  # a lambda child
        name="child",
    )
    squares = [context.step(count(i), name=f"sq-{i}") for i in range(2)]
    return {
        "total": total,
        "picked": picked,
        "mapped": mapped.get_results(),
        "risky": risky,
        "child": child,
        "squares": squares,
        "last": context.step(count(total + 100), name="last"),
    }
