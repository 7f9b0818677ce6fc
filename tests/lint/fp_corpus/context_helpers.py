"""Helpers that take the context and only start durable operations; children use their own context."""
from aws_durable_execution_sdk_python import (
    DurableContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import Duration


@durable_step
def reserve(step_ctx, sku: str) -> str:
    return f"reserved-{sku}"


def reserve_all(ctx: DurableContext, skus: list[str]) -> list[str]:
    return [ctx.step(reserve(s), name=f"reserve-{s}") for s in skus]


def cool_down(ctx, minutes):
    ctx.wait(Duration.from_minutes(minutes), name="cool-down")


@durable_with_child_context
def ship(child: DurableContext, order: dict) -> str:
    label = child.step(lambda _: f"label-{order['id']}", name="label")
    child.wait(Duration.from_seconds(5), name="pickup")
    return label


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    reserved = reserve_all(context, event["skus"])
    cool_down(context, 1)
    label = context.run_in_child_context(ship(event), name="ship")
    batch = context.parallel([
        lambda c: c.step(lambda _: "email", name="email"),
        lambda c: c.step(lambda _: "sms", name="sms"),
    ], name="notify")
    mapped = context.map(event["skus"], lambda c, sku, i, items: c.step(reserve(sku), name=f"m-{i}"), name="each")
    return {"reserved": reserved, "label": label, "notify": batch.get_results(), "mapped": mapped.get_results()}
