"""`@durable_execution`: turns `handler(event, context)` into an invocation of the replay engine.

The wrapped function takes a `LocalInvocation` (the execution's checkpointed operations and the service
to checkpoint to) and returns the invocation output `{"Status", "Result", "Error"}`: SUCCEEDED with the
handler's return value as plain JSON, FAILED with the error record, or PENDING when it suspended.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable_runtime.context import DurableContext, ExecutionContext
from durable_runtime.exceptions import ExecutionError, InvocationError, SuspendExecution
from durable_runtime.lambda_service import ErrorObject, InvocationStatus, OperationType
from durable_runtime.state import ExecutionState
from durable_runtime.types import LambdaContext

LAMBDA_RESPONSE_SIZE_LIMIT = 6 * 1024 * 1024 - 50


@dataclass
class LocalInvocation:
    """What the local service hands a durable handler for one invocation."""

    state: ExecutionState

    @property
    def durable_execution_arn(self) -> str:
        return self.state.durable_execution_arn


def durable_execution(func: Callable[[Any, DurableContext], Any] | None = None, **_options: Any) -> Any:
    """Decorate the orchestration function; bare or called with (ignored) AWS options."""
    if func is None:
        return functools.partial(durable_execution, **_options)

    @functools.wraps(func)
    def wrapper(event: Any, context: Any = None) -> dict[str, Any]:
        if not isinstance(event, LocalInvocation):
            raise ExecutionError(
                "Unexpected payload provided to start the durable execution: run this handler with "
                "`durable-compile run` or durable_runtime.testing.DurableFunctionTestRunner"
            )
        return invoke_handler(func, event, context or LambdaContext())

    wrapper.__durable_handler__ = func  # type: ignore[attr-defined]
    return wrapper


def _input_event(state: ExecutionState) -> Any:
    for op in state.operations.values():
        if op.operation_type is OperationType.EXECUTION:
            raw = op.input_payload
            return json.loads(raw) if raw and raw.strip() else {}
    return {}


def invoke_handler(
    func: Callable[[Any, DurableContext], Any], invocation: LocalInvocation, lambda_context: Any
) -> dict[str, Any]:
    state = invocation.state
    context = DurableContext(
        state,
        ExecutionContext(state.durable_execution_arn),
        lambda_context,
        replaying=state.has_prior_operations(),
    )
    try:
        output = _succeeded(func(_input_event(state), context))
    except SuspendExecution:
        output = {"Status": InvocationStatus.PENDING.value}
    except InvocationError as error:
        state.flush()
        if error.is_retryable():
            raise
        output = _failed(error)
    except Exception as error:  # noqa: BLE001 - the execution fails with this error
        output = _failed(error)
    state.flush()
    return output


def _succeeded(result: Any) -> dict[str, Any]:
    try:
        text = json.dumps(result)
    except (TypeError, ValueError) as error:
        return _failed(error)
    if len(text) > LAMBDA_RESPONSE_SIZE_LIMIT:
        return _failed(ExecutionError(f"the handler's result is {len(text)} bytes, over the 6 MiB response limit"))
    return {"Status": InvocationStatus.SUCCEEDED.value, "Result": text}


def _failed(error: BaseException) -> dict[str, Any]:
    return {"Status": InvocationStatus.FAILED.value, "Error": ErrorObject.from_exception(error).to_dict()}
