"""The engine's view of one execution during one invocation: the checkpointed operations and the outbox.

Takes the operations the service had when the invocation began; gives lookups by operation id and a
`checkpoint` that sends updates to the service. Non-blocking updates (a child context's START and SUCCEED;
an at-least-once step's START unless `commit_starts`) wait in the outbox and travel with the next blocking
one, in order, so a store commits them in one transaction. A crash can lose only such updates: a START,
whose step or context then runs again (exactly at-least-once), or a context's SUCCEED, whose context
then replays from its children's committed checkpoints. `commit_starts` is set for durable stores, where
a crash in a step's body should leave the step STARTED, as AWS records it; in memory nothing outlives a
crash, so the START waits for the step's result and both cost one commit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from durable_runtime.exceptions import PayloadTooLargeError
from durable_runtime.lambda_service import Operation, OperationAction, OperationUpdate
from durable_runtime.plugin_host import NO_PLUGINS, PluginHost

CHECKPOINT_SIZE_LIMIT_BYTES = 256 * 1024


class CheckpointService(Protocol):
    def checkpoint(self, execution_arn: str, updates: list[OperationUpdate]) -> list[Operation]: ...


class ExecutionState:
    def __init__(
        self,
        durable_execution_arn: str,
        operations: dict[str, Operation],
        service: CheckpointService,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.durable_execution_arn = durable_execution_arn
        self.operations = operations
        self.service = service
        self.now = clock
        self.plugins: PluginHost = NO_PLUGINS  #: this invocation's instrumentation plugins
        self.updated_ids: tuple[str, ...] = ()  #: operations the service changed while the execution waited
        self.commit_starts = False  #: the store is durable: commit a step's START before its body runs
        self._outbox: list[OperationUpdate] = []

    def get(self, operation_id: str) -> Operation | None:
        return self.operations.get(operation_id)

    def has_prior_operations(self) -> bool:
        return any(op.operation_type.value != "EXECUTION" for op in self.operations.values())

    def checkpoint(self, update: OperationUpdate, *, is_sync: bool = True) -> None:
        _check_size(update)
        if self.plugins.active and update.action is OperationAction.START:
            self.plugins.operation_started(update, self.operations.get(update.operation_id), self.now())
        self._outbox.append(update)
        if is_sync:
            self.flush()

    def flush(self) -> None:
        if not self._outbox:
            return
        updates, self._outbox = self._outbox, []
        before = self.plugins.statuses(self.operations, updates)  # the service may update `operations` in place
        changed = self.service.checkpoint(self.durable_execution_arn, updates)
        for op in changed:
            self.operations[op.operation_id] = op
        if before is not None:
            self.plugins.operations_updated(changed, before, self.operations)


def _check_size(update: OperationUpdate) -> None:
    payload = update.payload
    if payload is None or len(payload) <= CHECKPOINT_SIZE_LIMIT_BYTES:
        return
    size = len(payload.encode())
    if size <= CHECKPOINT_SIZE_LIMIT_BYTES:
        return
    label = f"{update.operation_type.value.lower()} {update.name!r}" if update.name else update.operation_type.value
    raise PayloadTooLargeError(
        f"checkpoint payload of {label} (id {update.operation_id[:12]}) is {size} bytes, over the 256 KiB "
        "limit: return a smaller value (store large data elsewhere and checkpoint a reference)"
    )
