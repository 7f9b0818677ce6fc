"""Purchase approval: small requests pass automatically, larger ones wait for a person.

The handler prices the request, then picks an approval path with if/elif/else. A human approval is
a callback: `create_callback` returns an id at once, a step hands that id to the approver (here a
simulated e-mail), and `.result()` suspends the execution, at no compute cost, until the approver's
system answers through SendDurableExecutionCallbackSuccess/Failure or the timeout expires.

Imports: each name from the submodule that defines it (.context, .execution, .config, .serdes,
.exceptions).
"""

from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.context import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import CallbackError
from aws_durable_execution_sdk_python.execution import durable_execution
from aws_durable_execution_sdk_python.serdes import JsonSerDes

AUTO_APPROVE_CENTS = 50_000
MANAGER_LIMIT_CENTS = 1_000_000


@durable_step
def price_request(step_ctx: StepContext, lines: list[dict]) -> dict:
    """Total the requested lines (simulated catalogue lookup)."""
    total = sum(line["qty"] * line["unit_cents"] for line in lines)
    return {"total_cents": total, "lines": len(lines)}


@durable_step
def notify_approver(step_ctx: StepContext, approver: str, callback_id: str, total_cents: int) -> dict:
    """Send the approver a link carrying the callback id (simulated e-mail: build the message)."""
    link = f"https://approvals.example.com/respond?token={callback_id}"
    return {"to": approver, "subject": f"Approve a purchase of {total_cents / 100:.2f} EUR", "link": link}


@durable_step
def place_purchase_order(step_ctx: StepContext, request_id: str, approved_by: str) -> str:
    """Create the purchase order in the (simulated) ERP."""
    return f"po-{request_id}-{approved_by}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    request_id = event["request_id"]
    quote = context.step(price_request(event["lines"]))
    total = quote["total_cents"]

    if total <= AUTO_APPROVE_CENTS:
        decision = {"approved": True, "approver": "policy"}
    elif total <= MANAGER_LIMIT_CENTS:
        # One approval from the requester's manager, answered within two days.
        approval = context.create_callback(
            name="manager-approval",
            config=CallbackConfig(timeout=Duration.from_days(2), serdes=JsonSerDes()),
        )
        context.step(notify_approver(event["manager"], approval.callback_id, total))
        decision = approval.result()
    else:
        # Large purchases: a compliance cool-off first, then the finance director decides.
        context.wait(Duration.from_hours(24), name="compliance-hold")
        approval = context.create_callback(
            name="director-approval",
            config=CallbackConfig(
                timeout=Duration.from_days(5),
                heartbeat_timeout=Duration.from_days(1),
                serdes=JsonSerDes(),
            ),
        )
        context.step(notify_approver("finance-director@example.com", approval.callback_id, total))
        try:
            decision = approval.result()
        except CallbackError as err:
            # Timed out or answered with a failure: treat as a rejection, keep the reason.
            decision = {"approved": False, "approver": "nobody", "comment": err.message}

    if not decision["approved"]:
        return {"request_id": request_id, "status": "rejected", "by": decision["approver"]}
    po_number = context.step(place_purchase_order(request_id, decision["approver"]))
    return {"request_id": request_id, "status": "ordered", "po": po_number, "total_cents": total}
