"""Helpers shared by the operation modules: build updates, look up a checkpoint with its identity checked."""

from __future__ import annotations

from typing import Any

from durable_runtime.exceptions import DurableOperationError, TimedSuspendExecution
from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import ErrorObject, Operation, OperationAction, OperationUpdate
from durable_runtime.sources import starting
from durable_runtime.state import ExecutionState


def update(ident: OperationIdentifier, action: OperationAction, **fields: Any) -> OperationUpdate:
    """The update of `action` on this operation; a START carries where the operation is written."""
    if action is OperationAction.START:
        fields["source"] = starting()
    return OperationUpdate(
        operation_id=ident.operation_id,
        operation_type=ident.operation_type,
        action=action,
        parent_id=ident.parent_id,
        name=ident.name,
        sub_type=ident.sub_type,
        **fields,
    )


def checkpoint_of(state: ExecutionState, ident: OperationIdentifier) -> Operation | None:
    """The checkpoint at this position, after checking it belongs to this call (else non-determinism)."""
    op = state.operations.get(ident.operation_id)
    if op is not None:
        ident.validate_checkpoint(op)
        if state.plugins.active:
            state.plugins.operation_replayed(op)
    return op


def raise_recorded(op: Operation, error_cls: type[DurableOperationError]) -> None:
    error = op.error or ErrorObject(f"{op.operation_type.value} {op.status.value}", None, None, None)
    error.raise_as_operation_error(error_cls)


def suspend_until(state: ExecutionState, ident: OperationIdentifier, timestamp: float | None, why: str) -> None:
    at = timestamp if timestamp is not None else state.now()
    raise TimedSuspendExecution(f"{why}: {ident.name or ident.operation_id}", max(at, state.now()))
