"""`run_in_child_context` (and the CONTEXT wrapper of map, parallel and wait_for_callback).

A completed child returns its checkpointed result without running. A result over 256 KiB is not stored:
the context is marked `replay_children` and re-runs from its own children's checkpoints on replay.
Virtual contexts (FLAT batches) checkpoint nothing of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from durable_runtime.config import ChildConfig
from durable_runtime.exceptions import (
    ChildContextError,
    ExecutionError,
    InvocationError,
    NonDeterministicExecutionError,
    SuspendExecution,
)
from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import ErrorObject, Operation, OperationAction, OperationStatus
from durable_runtime.operation.base import checkpoint_of, raise_recorded, update
from durable_runtime.serdes import deserialize, serialize
from durable_runtime.state import CHECKPOINT_SIZE_LIMIT_BYTES, ExecutionState


def run_child(state: ExecutionState, ident: OperationIdentifier, func: Callable[[], Any], config: ChildConfig) -> Any:
    op = checkpoint_of(state, ident)
    if config.is_virtual and op is not None:
        raise NonDeterministicExecutionError(
            f"Non-deterministic child context at id={ident.operation_id!r}: checkpoint contains a "
            "non-virtual child context but current child context is virtual",
            step_id=ident.operation_id,
        )
    if op is not None and op.status is OperationStatus.SUCCEEDED and not op.replay_children:
        return _load(state, ident, config, op.result)
    if op is not None and op.status is OperationStatus.FAILED:
        raise_recorded(op, ChildContextError)
    if op is None and not config.is_virtual:
        state.checkpoint(update(ident, OperationAction.START), is_sync=False)
    return _execute(state, ident, func, config, op)


def _load(state: ExecutionState, ident: OperationIdentifier, config: ChildConfig, data: str | None) -> Any:
    if data is None:
        return None
    return deserialize(config.serdes, data, ident.operation_id, state.durable_execution_arn)


def _execute(
    state: ExecutionState,
    ident: OperationIdentifier,
    func: Callable[[], Any],
    config: ChildConfig,
    op: Operation | None,
) -> Any:
    try:
        # attempt 1 on the first run, None when it runs again over a checkpoint (AWS's numbering)
        attempt = None if op is not None else 1
        raw = state.plugins.run_user_function(
            ident, func, attempt, replay_children=op is not None and op.replay_children
        )
        data = serialize(config.serdes, raw, ident.operation_id, state.durable_execution_arn)
        value = _load(state, ident, config, data)
        if config.is_virtual or (op is not None and op.replay_children):
            return value
        payload, replay_children = data, False
        if data is not None and len(data.encode()) > CHECKPOINT_SIZE_LIMIT_BYTES:
            replay_children = True
            payload = config.summary_generator(raw) if config.summary_generator else ""
        # Non-blocking: it travels with the next blocking checkpoint (or the invocation's end). Lost in a
        # crash, the context just replays from its children's checkpoints, which are all committed.
        succeed = update(ident, OperationAction.SUCCEED, payload=payload, replay_children=replay_children)
        state.checkpoint(succeed, is_sync=False)
        return value
    except (SuspendExecution, ExecutionError):
        raise
    except Exception as error:  # noqa: BLE001 - recorded and re-raised as ChildContextError
        if isinstance(error, InvocationError) and error.is_retryable():
            raise
        record = ErrorObject.from_exception(error)
        if not config.is_virtual:
            state.checkpoint(update(ident, OperationAction.FAIL, error=record))
        record.raise_as_operation_error(ChildContextError)
