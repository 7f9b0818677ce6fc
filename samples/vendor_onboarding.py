"""Onboard a supplier: an external background check, then an e-signature, both by callback.

`wait_for_callback(submitter, name=...)` bundles create_callback, a submitter step that hands the
callback id to the outside world, and the wait for the answer. The first submitter is declared with
`@durable_wait_for_callback` (called with its extra arguments); the second is a plain nested def
taking (callback_id, context). A callback answered with a failure raises a CallbackError subclass,
which the handler turns into a manual-review path.

Imports: top-level package for decorators and errors; WaitForCallbackConfig from .config;
JsonSerDes from .serdes; WaitForCallbackContext from .types.
"""

import json

from aws_durable_execution_sdk_python import (
    CallbackError,
    DurableContext,
    durable_execution,
    durable_step,
    durable_wait_for_callback,
)
from aws_durable_execution_sdk_python.config import Duration, WaitForCallbackConfig
from aws_durable_execution_sdk_python.retries import RetryPresets
from aws_durable_execution_sdk_python.serdes import JsonSerDes
from aws_durable_execution_sdk_python.types import WaitForCallbackContext


@durable_wait_for_callback
def request_background_check(
    callback_id: str, wfc_ctx: WaitForCallbackContext, vendor: dict, depth: str
) -> None:
    """Submit the vendor to the (simulated) screening agency, which answers on the callback id."""
    wfc_ctx.logger.info(f"screening {vendor['name']} ({depth}) with token {callback_id}")


@durable_step
def register_vendor(step_ctx, vendor: dict, risk: str) -> str:
    return f"vnd-{vendor['tax_id'][-4:]}-{risk}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    vendor = event["vendor"]
    screening = context.wait_for_callback(
        request_background_check(vendor, "enhanced" if event["annual_spend_cents"] > 10_000_000 else "basic"),
        name="background-check",
        config=WaitForCallbackConfig(
            timeout=Duration.from_days(7),
            serdes=JsonSerDes(),
            retry_strategy=RetryPresets.transient(),
        ),
    )
    if screening["sanctioned"]:
        return {"vendor": vendor["name"], "status": "refused", "reason": "sanctions list"}

    def send_contract(callback_id: str, wfc_ctx: WaitForCallbackContext) -> None:
        """Plain submitter: e-mail the contract with a signing link (simulated)."""
        wfc_ctx.logger.info(f"contract for {vendor['name']} sent, signing token {callback_id}")

    try:
        # No serdes configured: the callback result arrives as the raw string the signer sent.
        signed = json.loads(
            context.wait_for_callback(
                send_contract,
                name="contract-signature",
                config=WaitForCallbackConfig(
                    timeout=Duration.from_days(14), heartbeat_timeout=Duration.from_days(2)
                ),
            )
        )
        signatory = signed["signatory"]
    except CallbackError as err:
        reason = err.message
        context.step(lambda _: f"manual review: {reason}", name="open-review-ticket")
        return {"vendor": vendor["name"], "status": "manual-review", "risk": screening["risk"]}

    vendor_id = context.step(register_vendor(vendor, screening["risk"]))
    return {"vendor": vendor["name"], "status": "active", "vendor_id": vendor_id, "signatory": signatory}
