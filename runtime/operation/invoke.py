"""`context.invoke`: start another function (durable or plain) and wait for its result."""

from __future__ import annotations

from typing import Any

from durable_runtime.config import InvokeConfig
from durable_runtime.exceptions import InvokeError, SuspendExecution
from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import Operation, OperationAction, OperationStatus
from durable_runtime.operation.base import checkpoint_of, raise_recorded, update
from durable_runtime.serdes import DEFAULT_JSON_SERDES, deserialize, serialize
from durable_runtime.state import ExecutionState

_FAILED = (OperationStatus.FAILED, OperationStatus.TIMED_OUT, OperationStatus.STOPPED)


def run_invoke(
    state: ExecutionState,
    ident: OperationIdentifier,
    function_name: str,
    payload: Any,
    config: InvokeConfig[Any, Any],
) -> Any:
    op = checkpoint_of(state, ident)
    if op is None:
        arn = state.durable_execution_arn
        data = serialize(config.serdes_payload or DEFAULT_JSON_SERDES, payload, ident.operation_id, arn)
        start = update(
            ident,
            OperationAction.START,
            payload=data,
            function_name=function_name,
            tenant_id=config.tenant_id,
        )
        state.checkpoint(start)
        op = state.operations[ident.operation_id]
    return _outcome(state, ident, op, config)


def _outcome(state: ExecutionState, ident: OperationIdentifier, op: Operation, config: InvokeConfig[Any, Any]) -> Any:
    if op.status is OperationStatus.SUCCEEDED:
        if op.result is None:
            return None
        serdes = config.serdes_result or DEFAULT_JSON_SERDES
        return deserialize(serdes, op.result, ident.operation_id, state.durable_execution_arn)
    if op.status in _FAILED:
        raise_recorded(op, InvokeError)
    raise SuspendExecution(f"Invoke {ident.operation_id} started, suspending for completion")
