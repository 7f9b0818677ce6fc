"""Bill a subscription every 30 days, with dunning when a charge fails.

A durable execution can live for up to a year, so one execution can run a whole subscription term:
a `for` loop over billing cycles waits 30 days (suspended, not billed) before each charge. A failed
charge starts a bounded `while` loop of reminders with growing waits; if the card is still refused
after the last reminder, the subscription is cancelled and the handler returns early.

Imports: .execution, .context, .config and .exceptions submodules.
"""

from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.context import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import StepError
from aws_durable_execution_sdk_python.execution import durable_execution
from aws_durable_execution_sdk_python.retries import RetryPresets

MAX_CHARGE_TRIES = 3
ONCE = StepConfig(retry_strategy=RetryPresets.none())


class PaymentRefused(Exception):
    """The card was refused for this cycle."""


@durable_step
def charge_subscription(step_ctx: StepContext, account: dict, cycle: int, attempt: int) -> str:
    """Simulated billing: cycles listed in `refuse` fail until the customer fixes the card.

    `refuse` maps a cycle number to how many charge attempts of that cycle are refused.
    """
    if attempt <= account["refuse"].get(str(cycle), 0):
        raise PaymentRefused(f"card refused for cycle {cycle}")
    return f"inv-{account['id']}-{cycle:02d}"


@durable_step
def send_reminder(step_ctx: StepContext, account_id: str, cycle: int, attempt: int) -> str:
    return f"reminder {attempt} for cycle {cycle} sent to {account_id}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    account = event["account"]
    invoices: list[str] = []
    reminders = 0
    for cycle in range(1, event["cycles"] + 1):
        context.wait(Duration.from_days(30), name=f"until-cycle-{cycle}")
        invoice = None
        attempt = 0
        while invoice is None and attempt < MAX_CHARGE_TRIES:
            attempt += 1
            try:
                invoice = context.step(
                    charge_subscription(account, cycle, attempt),
                    name=f"charge-{cycle}-{attempt}",
                    config=ONCE,
                )
            except StepError:
                context.step(send_reminder(account["id"], cycle, attempt))
                reminders += 1
                context.wait(Duration.from_hours(24 * attempt), name=f"grace-{cycle}-{attempt}")
        if invoice is None:
            context.step(lambda _: f"subscription {account['id']} cancelled", name="cancel-subscription")
            return {
                "status": "cancelled",
                "cancelled_in_cycle": cycle,
                "invoices": invoices,
                "reminders": reminders,
            }
        invoices.append(invoice)
    return {"status": "active", "invoices": invoices, "reminders": reminders}
