"""Enrich a customer profile from three sources at once, then score the segment.

`context.parallel` runs its branches concurrently, each in its own child context, and returns a
BatchResult in branch order. Branches are given three ways: a `ParallelBranch(func, name)` wrapping
a plain function, a function decorated with `@durable_parallel_branch(name=...)` called with its
arguments, and a bare lambda (which gets the default name `parallel-branch-2`). The completion config
requires every branch to succeed; `throw_if_error()` turns a failed branch into an exception.

Imports: top-level names with aliases, configs from the config submodule.
"""

from aws_durable_execution_sdk_python import DurableContext, ParallelBranch, durable_parallel_branch
from aws_durable_execution_sdk_python import durable_execution as durable
from aws_durable_execution_sdk_python import durable_step as ds
from aws_durable_execution_sdk_python.config import CompletionConfig, ParallelConfig


@ds
def fetch_credit_score(step_ctx, customer_id: str) -> int:
    """Simulated credit bureau: a stable score derived from the id."""
    return 550 + sum(ord(ch) for ch in customer_id) % 300


def credit_branch(ctx: DurableContext, customer_id: str) -> dict:
    """A plain function wrapped in ParallelBranch below."""
    return {"credit_score": ctx.step(fetch_credit_score(customer_id))}


@durable_parallel_branch(name="order-history")
def order_history(ctx: DurableContext, orders: list[dict]) -> dict:
    """Summarise past orders: two steps inside the branch."""
    count = ctx.step(lambda _: len(orders), name="count-orders")
    spend = ctx.step(lambda _: sum(order["cents"] for order in orders), name="sum-spend")
    return {"orders": count, "lifetime_cents": spend}


@ds
def score_segment(step_ctx, credit_score: int, lifetime_cents: int, country: str) -> str:
    if credit_score >= 750 and lifetime_cents >= 100_000:
        return "premium"
    if lifetime_cents >= 20_000:
        return f"regular-{country.lower()}"
    return "new"


@durable
def handler(event: dict, context: DurableContext) -> dict:
    customer_id = event["customer_id"]
    batch = context.parallel(
        [
            ParallelBranch(lambda ctx: credit_branch(ctx, customer_id), name="credit-bureau"),
            order_history(event["orders"]),
            lambda ctx: ctx.step(lambda _: event["ip"].split(".")[0] == "10", name="is-internal-ip"),
        ],
        name="enrich-customer",
        config=ParallelConfig(max_concurrency=2, completion_config=CompletionConfig.all_successful()),
    )
    batch.throw_if_error()
    credit, history, internal = batch.get_results()
    segment = context.step(score_segment(credit["credit_score"], history["lifetime_cents"], event["country"]))
    return {"customer_id": customer_id, **credit, **history, "internal": internal, "segment": segment}
