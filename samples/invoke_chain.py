"""Checkout that delegates to two other functions with `context.invoke`.

`invoke` calls another Lambda function by name and checkpoints its answer, so on replay the
function is not called again. The target can be a plain function (`tax-calculator`, answered in one
call) or a durable function (`fraud-screen`, itself a durable execution with its own steps); the
caller cannot tell the difference. Both targets live in this file so the sample is self-contained;
in production they are separate deployments.

Imports: `@durable_execution()` in its called form; the .context and .config submodules.
"""

from aws_durable_execution_sdk_python.config import InvokeConfig
from aws_durable_execution_sdk_python.context import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.exceptions import InvokeError
from aws_durable_execution_sdk_python.execution import durable_execution

# VAT rates by country, in basis points (simulated tax service data).
VAT_BASIS_POINTS = {"DE": 1900, "FR": 2000, "NL": 2100}


def calculate_tax(event: dict, lambda_context: object) -> dict:
    """Target `tax-calculator`: a plain (non-durable) Lambda handler."""
    rate = VAT_BASIS_POINTS.get(event["country"], 0)
    return {"tax_cents": event["net_cents"] * rate // 10_000, "rate_bp": rate}


@durable_step
def score_signals(step_ctx: StepContext, email: str, net_cents: int) -> int:
    """Simulated fraud model: disposable e-mail domains and large baskets add risk."""
    score = 10
    if email.endswith("@mailinator.com"):
        score += 60
    if net_cents > 500_000:
        score += 25
    return score


@durable_execution
def fraud_screen(event: dict, context: DurableContext) -> dict:
    """Target `fraud-screen`: a durable function of its own."""
    score = context.step(score_signals(event["email"], event["net_cents"]))
    verdict = context.step(lambda _: "review" if score >= 50 else "pass", name="verdict")
    return {"score": score, "verdict": verdict}


@durable_step
def capture_payment(step_ctx: StepContext, order_id: str, gross_cents: int) -> str:
    return f"cap-{order_id}-{gross_cents}"


@durable_execution()
def handler(event: dict, context: DurableContext) -> dict:
    order_id = event["order_id"]
    net = event["net_cents"]
    tax = context.invoke(
        "tax-calculator",
        {"country": event["country"], "net_cents": net},
        name="compute-tax",
        config=InvokeConfig(),
    )
    try:
        fraud = context.invoke(
            "fraud-screen", {"email": event["email"], "net_cents": net}, name="screen-fraud"
        )
    except InvokeError:
        # The fraud service failed for good: do not block the sale, send it to manual review.
        fraud = {"score": None, "verdict": "review"}

    gross = net + tax["tax_cents"]
    if fraud["verdict"] == "review":
        return {"order_id": order_id, "status": "held-for-review", "gross_cents": gross}
    capture = context.step(capture_payment(order_id, gross))
    return {"order_id": order_id, "status": "paid", "gross_cents": gross, "capture": capture}
