"""`wait_for_callback`: a CONTEXT (subtype WaitForCallback) holding a CALLBACK and the submitter STEP."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from durable_runtime.config import ChildConfig, StepConfig, WaitForCallbackConfig
from durable_runtime.exceptions import CallbackError, CallbackSubmitterError, ChildContextError, StepError
from durable_runtime.lambda_service import OperationSubType
from durable_runtime.types import StepContext, WaitForCallbackContext

if TYPE_CHECKING:
    from durable_runtime.context import DurableContext


def wait_for_callback_in(
    context: DurableContext,
    submitter: Callable[[str, WaitForCallbackContext], Any],
    name: str | None,
    config: WaitForCallbackConfig | None,
) -> Any:
    prefix = f"{name} " if name else ""

    def body(child: DurableContext) -> Any:
        callback = child.create_callback(name=f"{prefix}create callback id", config=config)

        def submit(step_context: StepContext) -> Any:
            return submitter(callback.callback_id, WaitForCallbackContext(logger=step_context.logger))

        step_config = StepConfig(retry_strategy=config.retry_strategy, serdes=config.serdes) if config else None
        child.step(submit, name=f"{prefix}submitter", config=step_config)
        return callback.result()

    try:
        return context._child(body, name, ChildConfig(), OperationSubType.WAIT_FOR_CALLBACK.value)
    except ChildContextError as error:
        inner = error.__cause__
        if isinstance(inner, CallbackError):
            raise inner from None
        if isinstance(inner, StepError):
            raise CallbackSubmitterError(
                inner.message or "Callback submitter failed", data=inner.data, stack_trace=inner.stack_trace
            ) from inner
        raise
