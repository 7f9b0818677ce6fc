"""`wait_for_condition`: poll `check(state)` with durable waits between attempts (one STEP operation).

Each attempt's state is checkpointed with the RETRY, so the next attempt starts from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from durable_runtime.exceptions import (
    ExecutionError,
    InvocationError,
    TimedSuspendExecution,
    WaitForConditionError,
)
from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import ErrorObject, Operation, OperationAction, OperationStatus
from durable_runtime.logger import Logger
from durable_runtime.operation.base import checkpoint_of, raise_recorded, suspend_until, update
from durable_runtime.serdes import deserialize, serialize
from durable_runtime.state import ExecutionState
from durable_runtime.types import WaitForConditionCheckContext
from durable_runtime.waits import WaitForConditionConfig


class ConditionRunner:
    def __init__(
        self,
        state: ExecutionState,
        ident: OperationIdentifier,
        check: Callable[[Any, WaitForConditionCheckContext], Any],
        config: WaitForConditionConfig[Any],
        logger: Logger,
    ) -> None:
        self.state, self.ident, self.check, self.config, self.logger = state, ident, check, config, logger

    def _ser(self, value: Any) -> str:
        return serialize(self.config.serdes, value, self.ident.operation_id, self.state.durable_execution_arn)

    def _de(self, data: str | None) -> Any:
        if data is None:
            return None
        return deserialize(self.config.serdes, data, self.ident.operation_id, self.state.durable_execution_arn)

    def process(self) -> Any:
        op = checkpoint_of(self.state, self.ident)
        if op is not None:
            if op.status is OperationStatus.SUCCEEDED:
                return self._de(op.result)
            if op.status is OperationStatus.FAILED:
                raise_recorded(op, WaitForConditionError)
            if op.status is OperationStatus.PENDING:
                suspend_until(self.state, self.ident, op.next_attempt_timestamp, "condition re-check scheduled")
        if op is None or op.status is not OperationStatus.STARTED:
            # like a step's: committed before the check runs on a durable store, batched in memory
            self.state.checkpoint(update(self.ident, OperationAction.START), is_sync=self.state.commit_starts)
        return self._attempt(op)

    def _attempt(self, op: Operation | None) -> Any:
        try:
            current = (
                self._de(op.result) if op is not None and op.result else self._de(self._ser(self.config.initial_state))
            )
            attempt = (op.attempt if op else 0) + 1
            logger = self.logger.with_extra({"operationId": self.ident.operation_id, "attempt": attempt})
            check_context = WaitForConditionCheckContext(logger=logger, attempt=attempt)
            check = self.check
            value = self.state.plugins.run_user_function(self.ident, lambda: check(current, check_context), attempt)
            data = self._ser(value)
            decision = self.config.wait_strategy(self._de(data), attempt)
            if not decision.should_continue:
                self.state.checkpoint(update(self.ident, OperationAction.SUCCEED, payload=data))
                return self._de(data)
            delay = max(1, decision.delay_seconds)
            self.state.checkpoint(
                update(self.ident, OperationAction.RETRY, payload=data, next_attempt_delay_seconds=delay)
            )
            raise TimedSuspendExecution(f"condition re-check in {delay}s", self.state.now() + delay)
        except ExecutionError:
            raise
        except Exception as error:  # noqa: BLE001 - recorded and re-raised as WaitForConditionError
            if isinstance(error, InvocationError) and error.is_retryable():
                raise
            record = ErrorObject.from_exception(error)
            self.state.checkpoint(update(self.ident, OperationAction.FAIL, error=record))
            record.raise_as_operation_error(WaitForConditionError)
