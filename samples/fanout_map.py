"""Price every line of a bulk order in parallel, tolerating a few bad lines.

`context.map` runs the item function once per input item, each in its own child context, at most
`max_concurrency` at a time. The completion config says when the batch is done: here every line
runs, and up to two failed lines are tolerated (a third would end the batch early as failed). The
map never raises by itself: the handler reads the BatchResult.

Imports: `import aws_durable_execution_sdk_python as sdk` for the core names, the config and
retries submodules for the configuration.
"""

import aws_durable_execution_sdk_python as sdk
from aws_durable_execution_sdk_python.config import CompletionConfig, MapConfig, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

# The simulated catalogue: unit prices in cents.
CATALOGUE = {"bolt-m6": 12, "nut-m6": 5, "washer-m6": 2, "bracket-l": 240}

# An unknown SKU stays unknown: do not retry it.
ONCE = StepConfig(retry_strategy=RetryPresets.none())


class UnknownSku(Exception):
    """The SKU is not in the catalogue."""


@sdk.durable_step
def look_up_price(step_ctx: sdk.StepContext, sku: str) -> int:
    if sku not in CATALOGUE:
        raise UnknownSku(f"unknown sku {sku}")
    return CATALOGUE[sku]


@sdk.durable_step
def apply_volume_discount(step_ctx: sdk.StepContext, unit_cents: int, qty: int) -> int:
    """10 % off from 100 units on (integer cents, rounded down)."""
    gross = unit_cents * qty
    return gross - gross // 10 if qty >= 100 else gross


def price_line(ctx: sdk.DurableContext, line: dict, index: int, lines: list[dict]) -> dict:
    """The map item function: two steps in the item's own child context."""
    unit = ctx.step(look_up_price(line["sku"]), config=ONCE)
    total = ctx.step(apply_volume_discount(unit, line["qty"]))
    return {"line": index + 1, "sku": line["sku"], "total_cents": total}


@sdk.durable_execution
def handler(event: dict, context: sdk.DurableContext) -> dict:
    batch = context.map(
        event["lines"],
        price_line,
        name="price-lines",
        config=MapConfig(
            max_concurrency=3,
            completion_config=CompletionConfig(tolerated_failure_count=2),
            item_namer=lambda line, index: f"line-{index + 1}-{line['sku']}",
        ),
    )
    priced = batch.get_results()
    return {
        "priced": priced,
        "order_total_cents": sum(line["total_cents"] for line in priced),
        "failed_lines": batch.failure_count,
        "completion": batch.completion_reason.value,
    }
