"""Two durable handlers in one module: open a support ticket, and close it.

A deployment can point two Lambda functions at two handlers of the same file. Each handler is its
own durable workflow with its own operations; they share the step functions defined at module level.

Imports: only `import aws_durable_execution_sdk_python as sdk`, everything through the alias.
"""

import aws_durable_execution_sdk_python as sdk
from aws_durable_execution_sdk_python.config import Duration

PRIORITY_BY_PLAN = {"enterprise": "P1", "business": "P2"}


@sdk.durable_step
def classify(step_ctx: sdk.StepContext, plan: str, summary: str) -> str:
    """Simulated triage model: outages are P1 for everyone, otherwise the plan decides."""
    if "outage" in summary.lower():
        return "P1"
    return PRIORITY_BY_PLAN.get(plan, "P3")


@sdk.durable_step
def notify(step_ctx: sdk.StepContext, customer: str, text: str) -> str:
    return f"to {customer}: {text}"


@sdk.durable_execution
def open_ticket(event: dict, context: sdk.DurableContext) -> dict:
    priority = context.step(classify(event["plan"], event["summary"]))
    ticket_id = context.step(lambda _: f"T-{event['ticket_no']:05d}", name="create-ticket")
    if priority == "P1":
        context.step(lambda _: "on-call engineer paged", name="page-on-call")
    message = context.step(notify(event["customer"], f"ticket {ticket_id} opened ({priority})"))
    return {"ticket": ticket_id, "priority": priority, "message": message}


@sdk.durable_execution
def close_ticket(event: dict, context: sdk.DurableContext) -> dict:
    ticket_id = f"T-{event['ticket_no']:05d}"
    message = context.step(notify(event["customer"], f"ticket {ticket_id} resolved: {event['resolution']}"))
    # Give the customer three days to reopen before the survey goes out.
    context.wait(Duration.from_days(3), name="reopen-window")
    survey = context.step(lambda _: f"survey sent for {ticket_id}", name="send-survey")
    return {"ticket": ticket_id, "message": message, "survey": survey}
