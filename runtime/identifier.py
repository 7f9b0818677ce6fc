"""Deterministic operation ids: blake2b of the parent id and the 1-based position (AWS's scheme)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

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


class OperationIdentifier:
    """Who an operation claims to be at its position; checked against the checkpoint found there."""

    __slots__ = ("name", "operation_id", "operation_type", "parent_id", "sub_type")

    def __init__(
        self,
        operation_id: str,
        sub_type: str,
        parent_id: str | None = None,
        name: str | None = None,
        *,
        operation_type: OperationType,
    ) -> None:
        self.operation_id = operation_id
        self.sub_type = sub_type
        self.parent_id = parent_id
        self.name = name
        self.operation_type = operation_type

    def __repr__(self) -> str:
        return f"OperationIdentifier({self.operation_id[:12]}, {self.operation_type.value}, {self.name!r})"

    @property
    def type(self) -> OperationType:
        return self.operation_type

    def validate_checkpoint(self, checkpoint: Operation | None) -> None:
        if checkpoint is None:
            return
        if (
            checkpoint.operation_type is self.operation_type
            and checkpoint.sub_type == self.sub_type
            and (checkpoint.name or None) == (self.name or None)
            and (checkpoint.parent_id or None) == (self.parent_id or None)
        ):
            return
        found = (checkpoint.operation_type, checkpoint.sub_type, checkpoint.name or None, checkpoint.parent_id or None)
        expected = (self.operation_type, self.sub_type, self.name or None, self.parent_id or None)
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
