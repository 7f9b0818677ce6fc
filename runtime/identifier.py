"""Deterministic operation ids: blake2b of the parent id and the 1-based position (AWS's scheme)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from durable_runtime.exceptions import NonDeterministicExecutionError
from durable_runtime.lambda_service import Operation, OperationType


def operation_id(prefix: str | None, position: int) -> str:
    """`blake2b("{prefix}-{n}")`, or `blake2b("{n}")` at the root."""
    key = f"{prefix}-{position}" if prefix else str(position)
    return hashlib.blake2b(key.encode()).hexdigest()[:64]


@dataclass(frozen=True)
class OperationIdNamespace:
    prefix: str | None = None

    def create_id_for_step(self, step: int) -> str:
        return operation_id(self.prefix, step)


@dataclass(frozen=True)
class OperationIdentifier:
    """Who an operation claims to be at its position; checked against the checkpoint found there."""

    operation_id: str
    sub_type: str
    parent_id: str | None = None
    name: str | None = None
    operation_type: OperationType = field(kw_only=True)

    def validate_checkpoint(self, checkpoint: Operation | None) -> None:
        if checkpoint is None:
            return
        found = (
            checkpoint.operation_type,
            checkpoint.sub_type,
            checkpoint.name or None,
            checkpoint.parent_id or None,
        )
        expected = (self.operation_type, self.sub_type, self.name or None, self.parent_id or None)
        if found == expected:
            return
        labels = ("type", "subtype", "name", "parent_id")
        diffs = [
            f"{label} checkpoint={_show(f)!r} current={_show(e)!r}"
            for label, f, e in zip(labels, found, expected, strict=True)
            if f != e
        ]
        raise NonDeterministicExecutionError(
            f"Non-deterministic operation identity at id={self.operation_id!r}: {', '.join(diffs)}",
            step_id=self.operation_id,
        )


def _show(value: object) -> object:
    return value.value if isinstance(value, OperationType) else value
