"""`context.wait`: a WAIT operation the service completes when its time has come."""

from __future__ import annotations

from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import OperationAction, OperationStatus
from durable_runtime.operation.base import checkpoint_of, suspend_until, update
from durable_runtime.state import ExecutionState


def run_wait(state: ExecutionState, ident: OperationIdentifier, seconds: int) -> None:
    op = checkpoint_of(state, ident)
    if op is None:
        state.checkpoint(update(ident, OperationAction.START, wait_seconds=seconds))
        op = state.operations[ident.operation_id]
    if op.status is OperationStatus.SUCCEEDED:
        return
    suspend_until(state, ident, op.scheduled_end_timestamp, f"wait {seconds}s")
