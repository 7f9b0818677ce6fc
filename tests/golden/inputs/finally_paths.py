"""try/finally nested in a try, in loops and in a child context: the finally block on every way out."""
from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    durable_execution,
    durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.exceptions import StepError
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def charge(step_ctx: StepContext, amount: int) -> str:
    if amount > 100:
        raise ValueError(f"{amount} is over the limit")
    return f"charged {amount}"


@durable_step
def release(step_ctx: StepContext, what: str) -> str:
    return f"released {what}"


@durable_with_child_context
def reserve(ctx: DurableContext, amount: int) -> list:
    log = []
    try:
        log.append(ctx.step(charge(amount), name="reserve-charge", config=ONCE))
        return log
    finally:
        log.append(ctx.step(release("reservation"), name="release-reservation"))


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    log = []
    for amount in event["amounts"]:
        try:
            if amount == 0:
                continue
            if amount < 0:
                break
            try:
                log.append(context.step(charge(amount), name="charge", config=ONCE))
            finally:
                log.append(context.step(release("lock"), name="release-lock"))
        except StepError as err:
            log.append(f"declined: {err.message}")
        finally:
            log.append(f"done with {amount}")
    reserved = context.run_in_child_context(reserve(event["reserve"]), name="reserve")
    return {"log": log, "reserved": reserved}
