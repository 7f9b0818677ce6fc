"""Fulfil an order through plain functions that receive the durable context.

`reserve_lines` and `pay` are ordinary functions: the handler hands them its context (positionally, or
by keyword under another name) and their operations run in the handler's own context. to-asl inlines
them at each call site; `reserve_lines` is called twice, so its states and variables exist twice.
"""

from aws_durable_execution_sdk_python import DurableContext, StepContext, StepError, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def reserve(step_ctx: StepContext, sku: str, qty: int) -> dict:
    if qty <= 0:
        raise ValueError(f"nothing to reserve for {sku}")
    return {"sku": sku, "qty": qty}


@durable_step
def charge(step_ctx: StepContext, amount: int) -> str:
    if amount > 1000:
        raise ValueError(f"card declined for {amount}")
    return f"charged {amount}"


def reserve_lines(ctx: DurableContext, lines: list, log: list) -> list:
    held = []
    for line in lines:
        try:
            held.append(ctx.step(reserve(line["sku"], line["qty"]), name="reserve", config=NO_RETRY))
        except StepError as err:
            log.append(err.message)
    return held


def pay(amount: int, *, ledger: DurableContext) -> str | None:
    if amount == 0:
        return None
    receipt = ledger.step(charge(amount), name="charge", config=NO_RETRY)
    ledger.wait(Duration.from_seconds(30), name="settle")
    return receipt


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    log = []
    held = reserve_lines(context, event["lines"], log)
    total = 0
    for line in held:
        total = total + line["qty"] * event["price"]
    try:
        receipt = pay(total, ledger=context)
    except StepError as err:
        log.append(err.message)
        receipt = None
    rush = reserve_lines(context, event.get("rush", []), log)
    return {"held": held, "rush": rush, "receipt": receipt, "log": log}
