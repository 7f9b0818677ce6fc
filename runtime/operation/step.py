"""`context.step`: run a function once, checkpoint its result; retries and the two step semantics.

At-most-once, and at-least-once on a durable store (`state.commit_starts`), commit the START before the
body runs (with whatever non-blocking updates wait in the outbox, such as the enclosing child context's
START), so a crash during the body leaves the step STARTED. In memory an at-least-once START travels with
the step's result instead (one commit; nothing outlives a crash there). The semantics differ in what a
later invocation does with a STARTED step. At-least-once (default): it runs the body again and records
the result without a second START. At-most-once: it does not run the body again but hands a
`StepInterruptedError` to the retry strategy.
A retry is a RETRY checkpoint (error + delay) and a suspension; the service turns the step READY later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from durable_runtime.config import StepConfig, StepSemantics
from durable_runtime.exceptions import (
    ExecutionError,
    RetryableSerDesError,
    SerDesError,
    StepError,
    StepInterruptedError,
    TimedSuspendExecution,
)
from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import ErrorObject, Operation, OperationAction, OperationStatus
from durable_runtime.logger import Logger
from durable_runtime.operation.base import checkpoint_of, raise_recorded, suspend_until, update
from durable_runtime.retries import RetryPresets
from durable_runtime.serdes import deserialize, serialize
from durable_runtime.state import ExecutionState
from durable_runtime.types import StepContext


class StepRunner:
    def __init__(
        self,
        state: ExecutionState,
        ident: OperationIdentifier,
        func: Callable[[StepContext], Any],
        config: StepConfig,
        logger: Logger,
    ) -> None:
        self.state = state
        self.ident = ident
        self.func = func
        self.config = config
        self.logger = logger
        self.at_most_once = config.step_semantics is StepSemantics.AT_MOST_ONCE_PER_RETRY

    def process(self) -> Any:
        op = checkpoint_of(self.state, self.ident)
        if op is not None:
            if op.status is OperationStatus.SUCCEEDED:
                return self._load(op.result)
            if op.status is OperationStatus.FAILED:
                raise_recorded(op, StepError)
            if op.status is OperationStatus.PENDING:
                suspend_until(self.state, self.ident, op.next_attempt_timestamp, "retry scheduled")
            if op.status is OperationStatus.STARTED and self.at_most_once:
                text = f"Step {self.ident.name or self.ident.operation_id} was interrupted earlier"
                self._retry_or_fail(StepInterruptedError(text, step_id=self.ident.operation_id))
        if op is None or op.status is OperationStatus.READY:
            blocking = self.at_most_once or self.state.commit_starts
            self.state.checkpoint(update(self.ident, OperationAction.START), is_sync=blocking)
        return self._execute(op)

    def _load(self, data: str | None) -> Any:
        if data is None:
            return None
        return deserialize(self.config.serdes, data, self.ident.operation_id, self.state.durable_execution_arn)

    def _execute(self, op: Operation | None) -> Any:
        attempt = (op.attempt if op else 0) + 1
        logger = self.logger.with_extra({"operationId": self.ident.operation_id, "attempt": attempt})
        try:
            step_context = StepContext(logger=logger, attempt=attempt)
            raw = self.state.plugins.run_user_function(self.ident, lambda: self.func(step_context), attempt)
            data = serialize(self.config.serdes, raw, self.ident.operation_id, self.state.durable_execution_arn)
            value = self._load(data)
            self.state.checkpoint(update(self.ident, OperationAction.SUCCEED, payload=data))
            return value
        except RetryableSerDesError:
            raise
        except SerDesError as error:
            record = ErrorObject.from_exception(error)
            self.state.checkpoint(update(self.ident, OperationAction.FAIL, error=record))
            record.raise_as_operation_error(StepError)
        except ExecutionError:
            raise
        except Exception as error:  # noqa: BLE001 - the step body's error goes to the retry strategy
            self._retry_or_fail(error)

    def _retry_or_fail(self, error: Exception) -> None:
        record = ErrorObject.from_exception(error)
        strategy = self.config.retry_strategy or RetryPresets.default()
        current = self.state.operations.get(self.ident.operation_id)
        decision = strategy(error, (current.attempt if current else 0) + 1)
        if decision.should_retry:
            delay = max(1, decision.delay_seconds)
            retry = update(self.ident, OperationAction.RETRY, error=record, next_attempt_delay_seconds=delay)
            self.state.checkpoint(retry)
            raise TimedSuspendExecution(f"retry of {self.ident.operation_id} in {delay}s", self.state.now() + delay)
        self.state.checkpoint(update(self.ident, OperationAction.FAIL, error=record))
        record.raise_as_operation_error(StepError)
