"""Process an insurance claim under a lock, with try/except StepError/finally and raise.

A step whose body raises (after its retries) raises StepError in the orchestration: the original
exception's type name is in `.error_type` and its text in `.message`. The handler catches it,
records the rejection in a step, and raises its own exception, which fails the execution. The
`finally` block releases the lock with a step on every path; it is safe to put a durable operation
there because the suspension signal is a BaseException that `except StepError` does not catch.

Imports: top-level package, exceptions from the .exceptions submodule.
"""

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.exceptions import StepError
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())


class ClaimRejected(Exception):
    """The claim cannot be paid; the execution fails with this error."""


@durable_step
def acquire_lock(step_ctx: StepContext, claim_id: str) -> str:
    return f"lock-{claim_id}"


@durable_step
def release_lock(step_ctx: StepContext, lock: str) -> str:
    return f"released {lock}"


@durable_step
def parse_claim(step_ctx: StepContext, claim: dict) -> dict:
    """Validate the claim form; a missing policy number is a permanent error."""
    if not claim.get("policy"):
        raise ValueError("claim has no policy number")
    return {"policy": claim["policy"], "amount_cents": claim["amount_cents"]}


@durable_step
def assess_damage(step_ctx: StepContext, parsed: dict) -> int:
    """Simulated assessor: pays 80 % of the claimed amount."""
    return parsed["amount_cents"] * 8 // 10


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    claim_id = event["claim_id"]
    lock = context.step(acquire_lock(claim_id))
    try:
        parsed = context.step(parse_claim(event), config=ONCE)
        payout = context.step(assess_damage(parsed))
    except StepError as err:
        reason = err.message
        context.step(lambda _: {"claim_id": claim_id, "reason": reason}, name="record-rejection")
        raise ClaimRejected(f"claim {claim_id} rejected: {reason}") from err
    finally:
        context.step(release_lock(lock))
    if payout > event["policy_limit_cents"]:
        raise ClaimRejected(f"claim {claim_id} exceeds the policy limit")
    return {"claim_id": claim_id, "payout_cents": payout}
