"""Book the first free delivery slot, returning as early as possible.

Three early exits: a guard clause that rejects bad input before any durable operation, a cache hit
that returns right after its lookup step, and a `return` from inside a `while` loop that searches
the next days one step at a time. Each exit depends only on the input and on step results, so a
replay takes the same exit.

Imports: submodules .context and .execution; the step decorator under an alias.
"""

from aws_durable_execution_sdk_python.context import DurableContext
from aws_durable_execution_sdk_python.context import durable_step as step_fn
from aws_durable_execution_sdk_python.execution import durable_execution

SEARCH_DAYS = 5


@step_fn
def cached_booking(step_ctx, order_id: str, cache: dict) -> str | None:
    """Simulated cache lookup: the event carries the cache contents."""
    return cache.get(order_id)


@step_fn
def free_slots(step_ctx, calendar: dict, day: int) -> list[str]:
    """Simulated carrier calendar: the free slots of day `day` (0 = tomorrow)."""
    return calendar.get(str(day), [])


@step_fn
def reserve_slot(step_ctx, order_id: str, day: int, slot: str) -> str:
    return f"bk-{order_id}-d{day}-{slot}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    order_id = event.get("order_id")
    if not order_id:
        return {"status": "invalid", "reason": "order_id is required"}

    cached = context.step(cached_booking(order_id, event["cache"]))
    if cached is not None:
        return {"status": "already-booked", "booking": cached}

    day = 0
    while day < SEARCH_DAYS:
        slots = context.step(free_slots(event["calendar"], day), name=f"slots-day-{day}")
        if slots:
            booking = context.step(reserve_slot(order_id, day, slots[0]))
            return {"status": "booked", "booking": booking, "days_searched": day + 1}
        day += 1
    return {"status": "no-slot", "days_searched": SEARCH_DAYS}
