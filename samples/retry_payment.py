"""Take a card payment through a flaky gateway with per-step retry strategies.

A step retries according to its StepConfig's retry strategy: a function of (error, attempts_made)
returning RetryDecision.retry(delay) or .no_retry(). Between attempts the execution is suspended,
not sleeping. This sample shows a strategy built from RetryStrategyConfig (filtering by error type
and by message), the RetryPresets, and AT_MOST_ONCE_PER_RETRY semantics for the one step that
moves money. The simulated gateway fails by attempt number (StepContext.attempt), so the outcome is
the same on every run.

Imports: the .config, .retries, .context and .execution submodules; a module alias for .retries.
"""

import re

import aws_durable_execution_sdk_python.retries as retries
from aws_durable_execution_sdk_python.config import Duration, JitterStrategy, StepConfig, StepSemantics
from aws_durable_execution_sdk_python.context import DurableContext, StepContext, durable_step
from aws_durable_execution_sdk_python.execution import durable_execution


class GatewayTimeout(Exception):
    """The payment gateway did not answer in time (worth retrying)."""


class CardDeclined(Exception):
    """The issuer refused the card (never worth retrying)."""


# Retry only gateway timeouts, and messages that say the gateway throttled us; anything else
# (a declined card) fails the step at once.
GATEWAY_RETRY = retries.create_retry_strategy(
    retries.RetryStrategyConfig(
        max_attempts=5,
        initial_delay=Duration.from_seconds(2),
        max_delay=Duration.from_seconds(30),
        backoff_rate=2.0,
        jitter_strategy=JitterStrategy.NONE,
        retryable_errors=[re.compile(r"throttl(ed|ing)")],
        retryable_error_types=[GatewayTimeout],
    )
)


@durable_step
def authorize(step_ctx: StepContext, card_token: str, amount_cents: int) -> dict:
    """Fails with a timeout on the first two attempts, then authorizes."""
    if card_token.startswith("tok_declined"):
        raise CardDeclined("issuer declined the card")
    if step_ctx.attempt < 3:
        raise GatewayTimeout(f"gateway timed out (attempt {step_ctx.attempt})")
    return {"auth_code": f"A{amount_cents:08d}", "attempts": step_ctx.attempt}


@durable_step
def capture(step_ctx: StepContext, auth_code: str) -> str:
    return f"cap-{auth_code}"


@durable_step
def fetch_exchange_rate(step_ctx: StepContext, currency: str) -> int:
    """Rate in millis against EUR; throttled once."""
    if step_ctx.attempt == 1:
        raise RuntimeError("rate service throttled the request")
    return {"EUR": 1000, "USD": 1085, "GBP": 857}[currency]


@durable_step
def email_receipt(step_ctx: StepContext, email: str, amount_cents: int) -> str:
    """Mail server hiccups on the first attempt."""
    if step_ctx.attempt == 1:
        raise ConnectionError("smtp connection reset")
    return f"receipt for {amount_cents} cents sent to {email} (attempt {step_ctx.attempt})"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    amount = event["amount_cents"]
    rate = context.step(
        fetch_exchange_rate(event["currency"]),
        config=StepConfig(retry_strategy=GATEWAY_RETRY),
    )
    auth = context.step(
        authorize(event["card_token"], amount),
        config=StepConfig(retry_strategy=GATEWAY_RETRY),
    )
    # Capturing moves money: record the start before running it, and never run it twice.
    capture_id = context.step(
        capture(auth["auth_code"]),
        config=StepConfig(
            retry_strategy=retries.RetryPresets.none(),
            step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
        ),
    )
    receipt = context.step(
        email_receipt(event["email"], amount),
        config=StepConfig(retry_strategy=retries.RetryPresets.fixed(Duration.from_seconds(10))),
    )
    ledger = context.step(
        lambda _: {"entry": f"L-{capture_id}", "eur_cents": amount * 1000 // rate},
        name="post-ledger",
        config=StepConfig(retry_strategy=retries.RetryPresets.transient()),
    )
    return {
        "capture_id": capture_id,
        "authorize_attempts": auth["attempts"],
        "receipt": receipt,
        "ledger": ledger,
    }
