"""An in-process store: dicts behind one lock. For tests and the benchmark; nothing survives the process."""

from __future__ import annotations

import copy
import dataclasses
import threading
from typing import Any

from durable_runtime.lambda_service import Operation
from durable_runtime.store.base import ConflictError, ExecutionRecord, LeaseLostError, RecordUpdate


class MemoryStore:
    durable = False  #: nothing here outlives the process, so a step's START can wait for its result

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, ExecutionRecord] = {}
        self._operations: dict[str, dict[str, Operation]] = {}
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._active: dict[str, dict[str, Operation]] = {}
        self._leases: dict[str, tuple[str, float]] = {}

    def create_execution(
        self, record: ExecutionRecord, operations: list[Operation], events: list[dict[str, Any]]
    ) -> None:
        with self._lock:
            if record.arn in self._records:
                raise KeyError(f"execution {record.arn} already exists")
            self._records[record.arn] = copy.deepcopy(record)
            self._operations[record.arn] = {}
            self._active[record.arn] = {}
            self._events[record.arn] = []
            self._write(record.arn, operations, events)

    def load_execution(self, arn: str) -> ExecutionRecord:
        with self._lock:
            return _copy(self._records[arn])

    def load_operations(self, arn: str) -> dict[str, Operation]:
        with self._lock:
            return dict(self._operations[arn])

    def commit(
        self,
        arn: str,
        operations: list[Operation],
        events: list[dict[str, Any]],
        update: RecordUpdate | None = None,
        owner: str | None = None,
        expected: dict[str, str] | None = None,
    ) -> ExecutionRecord | None:
        with self._lock:
            if owner is not None and self._leases.get(arn, ("", 0.0))[0] != owner:
                raise LeaseLostError(f"lease on {arn} lost")
            current = self._operations[arn]
            for op_id, status in (expected or {}).items():
                if op_id not in current or current[op_id].status.value != status:
                    raise ConflictError(f"operation {op_id} is no longer {status}")
            self._write(arn, operations, events)
            if update is None:
                return None
            update(self._records[arn])
            return _copy(self._records[arn])

    def _write(self, arn: str, operations: list[Operation], events: list[dict[str, Any]]) -> None:
        ops, active = self._operations[arn], self._active[arn]
        for op in operations:
            ops[op.operation_id] = op
            if op.is_terminal:
                active.pop(op.operation_id, None)
            else:
                active[op.operation_id] = op
        log = self._events[arn]
        for event in events:  # events are built fresh for each commit, so they are numbered in place
            event["EventId"] = len(log) + 1
            log.append(event)

    def active_operations(self, arn: str) -> list[Operation]:
        with self._lock:
            return list(self._active[arn].values())

    def resolve(self, execution_id: str) -> str:
        with self._lock:
            for arn in self._records:
                if arn == execution_id or arn.endswith("/" + execution_id):
                    return arn
        raise KeyError(f"no execution {execution_id!r}")

    def events(self, arn: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events[arn])

    def list_executions(self, status: str | None = None) -> list[ExecutionRecord]:
        with self._lock:
            found = [r for r in self._records.values() if status is None or r.status == status]
            return [_copy(r) for r in sorted(found, key=lambda r: (r.start_timestamp, r.arn))]

    def acquire(self, arn: str, owner: str, now: float, ttl: float) -> bool:
        with self._lock:
            holder, until = self._leases.get(arn, ("", 0.0))
            if holder and holder != owner and until > now:
                return False
            self._leases[arn] = (owner, now + ttl)
            return True

    def release(self, arn: str, owner: str) -> None:
        with self._lock:
            if self._leases.get(arn, ("", 0.0))[0] == owner:
                del self._leases[arn]

    def close(self) -> None:
        pass


def _copy(record: ExecutionRecord) -> ExecutionRecord:
    """A copy the caller may change (records hold only JSON-like values)."""
    return dataclasses.replace(
        record,
        error=copy.deepcopy(record.error),
        parent=dict(record.parent) if record.parent else None,
        extra=copy.deepcopy(record.extra),
    )
