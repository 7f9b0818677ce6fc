"""Order saga: reserve stock, charge the card, book a carrier; undo what already happened on failure.

Every forward step that succeeds records how to undo it. When a later step fails (it raises
StepError once its retries are spent), the except block runs the recorded compensations in reverse
order, each one a durable step of its own, so a crash in the middle of the rollback resumes exactly
where it stopped instead of refunding twice.

Imports: the top-level package, plus the config and retries submodules.
"""

from aws_durable_execution_sdk_python import (
    DurableContext,
    StepContext,
    StepError,
    durable_execution,
    durable_step,
)
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

# Countries no carrier accepts (read-only data; never mutated).
EMBARGOED_COUNTRIES = ("AQ", "KP")

# Booking a carrier either works or it does not: retrying a refusal only delays the rollback.
NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


class ShippingUnavailable(Exception):
    """No carrier serves the destination."""


@durable_step
def reserve_inventory(step_ctx: StepContext, order_id: str, items: list[dict]) -> dict:
    """Hold the ordered units in the warehouse (simulated: count them)."""
    units = sum(item["qty"] for item in items)
    return {"reservation_id": f"rsv-{order_id}", "units": units}


@durable_step
def charge_card(step_ctx: StepContext, order_id: str, items: list[dict]) -> dict:
    """Charge the customer for the whole order (simulated payment gateway)."""
    amount = sum(item["qty"] * item["unit_cents"] for item in items)
    return {"charge_id": f"ch-{order_id}", "amount_cents": amount}


@durable_step
def book_carrier(step_ctx: StepContext, order_id: str, country: str) -> dict:
    """Book a shipment; destinations under embargo are refused."""
    if country in EMBARGOED_COUNTRIES:
        raise ShippingUnavailable(f"no carrier ships to {country}")
    return {"tracking_id": f"trk-{order_id}-{country.lower()}"}


@durable_step
def refund_charge(step_ctx: StepContext, charge: dict) -> str:
    """Compensation for charge_card."""
    return f"refunded {charge['amount_cents']} cents on {charge['charge_id']}"


@durable_step
def release_inventory(step_ctx: StepContext, reservation: dict) -> str:
    """Compensation for reserve_inventory."""
    return f"released {reservation['units']} units of {reservation['reservation_id']}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    order_id = event["order_id"]
    items = event["items"]
    # (kind, record) pairs in the order the forward steps succeeded. A plain local list is safe:
    # it is rebuilt from checkpointed step results on every replay.
    done: list[tuple[str, dict]] = []
    try:
        reservation = context.step(reserve_inventory(order_id, items))
        done.append(("release", reservation))
        charge = context.step(charge_card(order_id, items))
        done.append(("refund", charge))
        shipment = context.step(book_carrier(order_id, event["country"]), config=NO_RETRY)
    except StepError as err:
        context.logger.info("order failed, compensating", extra={"order_id": order_id})
        undone = []
        for kind, record in reversed(done):
            if kind == "refund":
                undone.append(context.step(refund_charge(record)))
            else:
                undone.append(context.step(release_inventory(record)))
        return {"order_id": order_id, "status": "compensated", "reason": err.message, "undone": undone}
    return {
        "order_id": order_id,
        "status": "confirmed",
        "charged_cents": charge["amount_cents"],
        "tracking_id": shipment["tracking_id"],
    }
