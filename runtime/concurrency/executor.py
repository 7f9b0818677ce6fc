"""Runs the branches of a `parallel`/`map` inside the batch's CONTEXT operation.

Branches run one after another in index order, each in its own child context (id = blake2b of the batch
id and the 0-based index). A branch that suspends keeps its concurrency slot, as in the AWS SDK. After
each branch the completion policy is consulted; once it says done, the rest are not started. When every
runnable branch is suspended and the batch is not done, the batch suspends until the earliest branch
wake-up. Running branches one at a time makes the operation order and the `BatchResult` deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from durable_runtime.concurrency.models import BatchItem, BatchResult, CompletionPolicy
from durable_runtime.config import (
    BatchItemStatus,
    ChildConfig,
    CompletionConfig,
    CompletionDecision,
    CompletionItemStatus,
    NestingType,
    ParallelBranch,
)
from durable_runtime.exceptions import (
    DurableOperationError,
    ExecutionError,
    InvocationError,
    SuspendExecution,
    TimedSuspendExecution,
)
from durable_runtime.identifier import OperationIdentifier, operation_id
from durable_runtime.lambda_service import ErrorObject, OperationType
from durable_runtime.operation.child import run_child
from durable_runtime.serdes import SerDes

if TYPE_CHECKING:
    from durable_runtime.context import DurableContext


@dataclass(frozen=True)
class Executable:
    index: int
    func: Callable[[DurableContext], Any]
    name: str | None = None


@dataclass(frozen=True)
class BatchSpec:
    executables: list[Executable]
    max_concurrency: int | None
    completion_config: CompletionConfig | None
    iteration_sub_type: str
    name_prefix: str
    item_serdes: SerDes[Any] | None
    nesting_type: NestingType

    @functools.cached_property
    def branch_config(self) -> ChildConfig[Any]:
        return ChildConfig(serdes=self.item_serdes, is_virtual=self.nesting_type is NestingType.FLAT)


class _Progress:
    def __init__(self, total: int) -> None:
        self.status: dict[int, BatchItemStatus] = {}
        self.results: dict[int, Any] = {}
        self.errors: dict[int, ErrorObject] = {}
        self.wakeups: list[float] = []
        self.untimed = False
        self.total = total

    @property
    def succeeded(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def snapshot(self, spec: BatchSpec) -> tuple[CompletionItemStatus, ...]:
        return tuple(
            CompletionItemStatus(index=e.index, name=e.name, status=self.status.get(e.index)) for e in spec.executables
        )


def run_batch(batch_context: DurableContext, spec: BatchSpec) -> BatchResult[Any]:
    policy = CompletionPolicy(len(spec.executables), spec.completion_config)
    progress = _Progress(len(spec.executables))
    slots = spec.max_concurrency or len(spec.executables) or 1
    in_flight = 0
    decision = _decide(policy, progress, spec)
    for executable in spec.executables:
        if policy.is_complete(progress.succeeded, progress.failed, decision):
            break
        if policy.tolerance_exceeded(progress.failed) or in_flight >= slots:
            break
        in_flight += _run_branch(batch_context, spec, executable, progress)
        decision = _decide(policy, progress, spec)
    done = policy.is_complete(progress.succeeded, progress.failed, decision) or policy.tolerance_exceeded(
        progress.failed
    )
    if not done:
        if progress.wakeups:
            raise TimedSuspendExecution("all branches complete or suspended", min(progress.wakeups))
        raise SuspendExecution("all branches complete or waiting for an external event")
    return _result(spec, progress, policy.reason(progress.succeeded, progress.failed, decision))


def _decide(policy: CompletionPolicy, progress: _Progress, spec: BatchSpec) -> CompletionDecision | None:
    if policy.custom is None:
        return None
    return policy.decide(progress.succeeded, progress.failed, progress.snapshot(spec))


def _run_branch(batch_context: DurableContext, spec: BatchSpec, executable: Executable, progress: _Progress) -> int:
    """Run one branch; returns 1 when it still holds a concurrency slot (suspended), else 0."""
    index = executable.index
    progress.status[index] = BatchItemStatus.STARTED
    try:
        progress.results[index] = _execute_branch(batch_context, spec, executable)
    except TimedSuspendExecution as suspension:
        progress.wakeups.append(suspension.scheduled_timestamp)
        return 1
    except SuspendExecution:
        progress.untimed = True
        return 1
    except ExecutionError:
        raise
    except Exception as error:  # noqa: BLE001 - a failed branch becomes a FAILED item
        if isinstance(error, InvocationError) and error.is_retryable():
            raise
        progress.errors[index] = _error_object(error)
        progress.status[index] = BatchItemStatus.FAILED
        return 0
    progress.status[index] = BatchItemStatus.SUCCEEDED
    return 0


def _execute_branch(batch_context: DurableContext, spec: BatchSpec, executable: Executable) -> Any:
    branch_id = operation_id(batch_context.step_id_prefix, executable.index)
    name = executable.name if executable.name is not None else f"{spec.name_prefix}{executable.index}"
    ident = OperationIdentifier(
        operation_id=branch_id,
        sub_type=spec.iteration_sub_type,
        parent_id=batch_context.parent_id,
        name=name,
        operation_type=OperationType.CONTEXT,
    )
    child = batch_context.create_child_context(branch_id, is_virtual=spec.branch_config.is_virtual)
    return run_child(batch_context.state, ident, lambda: executable.func(child), spec.branch_config)


def _error_object(error: Exception) -> ErrorObject:
    if isinstance(error, DurableOperationError):
        return ErrorObject(error.message, error.error_type, error.data, error.stack_trace)
    return ErrorObject.from_exception(error)


def _result(spec: BatchSpec, progress: _Progress, reason: Any) -> BatchResult[Any]:
    items: list[BatchItem[Any]] = []
    for executable in spec.executables:
        index = executable.index
        status = progress.status.get(index)
        if status is None:
            continue
        items.append(BatchItem(index, status, progress.results.get(index), progress.errors.get(index)))
    return BatchResult(items, reason)


def executables_for_parallel(functions: Sequence[Any]) -> list[Executable]:
    out = []
    for index, func in enumerate(functions):
        name = func.name if isinstance(func, ParallelBranch) else None
        out.append(Executable(index, func, name))
    return out


def executables_for_map(
    inputs: Sequence[Any], func: Callable[..., Any], namer: Callable[[Any, int], str] | None
) -> list[Executable]:
    def bind(index: int, item: Any) -> Callable[[DurableContext], Any]:
        return lambda child: func(child, item, index, inputs)

    return [Executable(i, bind(i, item), namer(item, i) if namer else None) for i, item in enumerate(inputs)]
