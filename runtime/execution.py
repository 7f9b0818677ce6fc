"""`@durable_execution`: turns `handler(event, context)` into an invocation of the replay engine.

The wrapped function takes a `LocalInvocation` (the execution's checkpointed operations and the service
to checkpoint to) and returns the invocation output `{"Status", "Result", "Error"}`: SUCCEEDED with the
handler's return value as plain JSON, FAILED with the error record, or PENDING when it suspended.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from durable_runtime.context import DurableContext, ExecutionContext
from durable_runtime.exceptions import ExecutionError, InvocationError, SuspendExecution
from durable_runtime.lambda_service import ErrorObject, InvocationStatus, OperationType
from durable_runtime.plugin import DurableInstrumentationPluginFactory
from durable_runtime.plugin_host import PluginHost, check_factories
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


def durable_execution(
    func: Callable[[Any, DurableContext], Any] | None = None,
    *,
    plugins: Sequence[DurableInstrumentationPluginFactory] | None = None,
    **_options: Any,
) -> Any:
    """Decorate the orchestration function; bare or called with AWS's options: `plugins` (instrumentation
    plugin factories, see `durable_runtime.plugin`) is used, the others (a boto3 client) are ignored."""
    factories = check_factories(plugins)
    if func is None:
        return functools.partial(durable_execution, plugins=factories, **_options)

    @functools.wraps(func)
    def wrapper(event: Any, context: Any = None) -> dict[str, Any]:
        if not isinstance(event, LocalInvocation):
            raise ExecutionError(
                "Unexpected payload provided to start the durable execution: run this handler with "
                "`durable-compile run` or durable_runtime.testing.DurableFunctionTestRunner"
            )
        return invoke_handler(func, event, context or LambdaContext(), factories)

    wrapper.__durable_handler__ = func  # type: ignore[attr-defined]
    return wrapper


def _input_event(state: ExecutionState) -> Any:
    for op in state.operations.values():
        if op.operation_type is OperationType.EXECUTION:
            raw = op.input_payload
            return json.loads(raw) if raw and raw.strip() else {}
    return {}


def invoke_handler(
    func: Callable[[Any, DurableContext], Any],
    invocation: LocalInvocation,
    lambda_context: Any,
    plugins: Sequence[DurableInstrumentationPluginFactory] = (),
) -> dict[str, Any]:
    state = invocation.state
    state.plugins = host = PluginHost.open(plugins, state, lambda_context)
    try:
        output = _run(func, state, lambda_context)
    except InvocationError as error:  # retryable: the service invokes again
        host.invocation_end({"Status": "RETRY", "Error": ErrorObject.from_exception(error)}, state.operations)
        raise
    host.invocation_end(output, state.operations)
    return output


def _run(func: Callable[[Any, DurableContext], Any], state: ExecutionState, lambda_context: Any) -> dict[str, Any]:
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
