"""Settle a month of invoices page by page, within a spending budget.

Loops around durable operations are fine as long as what drives them is deterministic: the input,
constants, or step results. A `while` loop fetches pages until the (simulated) API returns no next
cursor; a `for` loop settles each invoice of a page with one step, `continue`s past void invoices,
and `break`s out of both loops once the budget is spent. Operation names are built from the input
(invoice ids, page cursors), so they are the same on every replay.

Imports: top-level package only.
"""

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step

PAGE_SIZE = 3


@durable_step
def fetch_page(step_ctx: StepContext, invoices: list[dict], cursor: int) -> dict:
    """Simulated paginated API over the invoices in the event."""
    page = invoices[cursor : cursor + PAGE_SIZE]
    next_cursor = cursor + PAGE_SIZE if cursor + PAGE_SIZE < len(invoices) else None
    return {"invoices": page, "next_cursor": next_cursor}


@durable_step
def settle_invoice(step_ctx: StepContext, invoice: dict) -> int:
    """Pay the invoice (simulated bank transfer); returns the cents paid, fees included."""
    fee = 25 if invoice["cents"] < 10_000 else 0
    return invoice["cents"] + fee


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    budget = event["budget_cents"]
    spent = 0
    settled: list[str] = []
    skipped: list[str] = []
    pages = 0
    budget_hit = False
    cursor: int | None = 0
    while cursor is not None:
        page = context.step(fetch_page(event["invoices"], cursor), name=f"fetch-page-{cursor}")
        pages += 1
        for invoice in page["invoices"]:
            if invoice["status"] == "void":
                skipped.append(invoice["id"])
                continue
            if spent + invoice["cents"] > budget:
                budget_hit = True
                break
            spent += context.step(settle_invoice(invoice), name=f"settle-{invoice['id']}")
            settled.append(invoice["id"])
        if budget_hit:
            break
        cursor = page["next_cursor"]
    if budget_hit:
        context.step(lambda _: f"budget of {budget} cents reached", name="alert-finance")
    return {
        "settled": settled,
        "skipped": skipped,
        "spent_cents": spent,
        "pages": pages,
        "budget_hit": budget_hit,
    }
