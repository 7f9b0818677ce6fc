"""`DurableContext`: the object a handler gets; every method is one durable operation at the next position.

Positions count from 1 per context; the id of position n is blake2b of the context's prefix and n. At each
position the checkpoint found there must have the same type, subtype, name and parent, or the execution
fails with `NonDeterministicExecutionError`. `is_replaying()` is true until the code reaches the first
position that has no completed checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from durable_runtime import sources
from durable_runtime.concurrency.executor import (
    BatchSpec,
    executables_for_map,
    executables_for_parallel,
    run_batch,
)
from durable_runtime.concurrency.models import BatchResult
from durable_runtime.config import (
    CallbackConfig,
    ChildConfig,
    Duration,
    InvokeConfig,
    MapConfig,
    ParallelConfig,
    StepConfig,
    WaitForCallbackConfig,
)
from durable_runtime.decorators import (
    durable_parallel_branch,
    durable_step,
    durable_wait_for_callback,
    durable_with_child_context,
)
from durable_runtime.exceptions import ValidationError
from durable_runtime.identifier import OperationIdentifier, operation_id
from durable_runtime.lambda_service import OperationSubType, OperationType
from durable_runtime.logger import Logger
from durable_runtime.operation.callback import Callback, create_callback_id
from durable_runtime.operation.child import run_child
from durable_runtime.operation.invoke import run_invoke
from durable_runtime.operation.step import StepRunner
from durable_runtime.operation.wait import run_wait
from durable_runtime.operation.wait_for_callback import wait_for_callback_in
from durable_runtime.operation.wait_for_condition import ConditionRunner
from durable_runtime.state import ExecutionState
from durable_runtime.types import (
    LoggerInterface,
    StepContext,
    WaitForCallbackContext,
    WaitForConditionCheckContext,
)
from durable_runtime.waits import WaitForConditionConfig

T = TypeVar("T")
__all__ = [
    "Callback",
    "DurableContext",
    "ExecutionContext",
    "durable_parallel_branch",
    "durable_step",
    "durable_wait_for_callback",
    "durable_with_child_context",
]


@dataclass(frozen=True)
class ExecutionContext:
    durable_execution_arn: str


class DurableContext:
    def __init__(
        self,
        state: ExecutionState,
        execution_context: ExecutionContext,
        lambda_context: Any = None,
        parent_id: str | None = None,
        logger: Logger | None = None,
        step_id_prefix: str | None = None,
        replaying: bool = False,
    ) -> None:
        self.state = state
        self.execution_context = execution_context
        self.lambda_context = lambda_context
        self.parent_id = parent_id
        self.step_id_prefix = step_id_prefix if step_id_prefix is not None else parent_id
        self._position = 0
        self._next_id: str | None = None
        self._replaying = replaying
        self._base_logger = logger
        self._logger: Logger | None = None

    @property
    def _parent_id(self) -> str | None:  # the AWS attribute name, used by some helpers
        return self.parent_id

    @property
    def is_virtual(self) -> bool:
        return self.parent_id != self.step_id_prefix

    @property
    def logger(self) -> Logger:
        """The replay-aware logger (built on first use: most contexts never log)."""
        if self._logger is None:
            extra = {"executionArn": self.state.durable_execution_arn, "parentId": self.parent_id}
            base = self._base_logger
            self._logger = base.derive(extra, self.is_replaying) if base else Logger.create(extra, self.is_replaying)
        return self._logger

    @logger.setter
    def logger(self, value: Logger) -> None:
        self._logger = value

    def create_child_context(self, operation_id: str, *, is_virtual: bool = False) -> DurableContext:
        return DurableContext(
            self.state,
            self.execution_context,
            self.lambda_context,
            parent_id=self.parent_id if is_virtual else operation_id,
            logger=self._logger if self._logger is not None else self._base_logger,
            step_id_prefix=operation_id,
            replaying=self._replaying,
        )

    def is_replaying(self) -> bool:
        return self._replaying

    def set_logger(self, new_logger: LoggerInterface) -> None:
        self.logger = Logger(new_logger, {"executionArn": self.state.durable_execution_arn}, self.is_replaying)

    @staticmethod
    def _resolve_step_name(name: str | None, func: Any) -> str | None:
        return name or getattr(func, "_original_name", None)

    def _operation(self, sub_type: str, name: str | None, operation_type: OperationType) -> _Position:
        """Take the next position (use as `with ... as ident`); keeps `is_replaying` right around it."""
        self._position += 1
        op_id = self._next_id or operation_id(self.step_id_prefix, self._position)
        self._next_id = None
        ident = OperationIdentifier(op_id, sub_type, self.parent_id, name, operation_type=operation_type)
        flip_after = False
        if self._replaying:
            op = self.state.operations.get(op_id)
            if op is None or (not op.is_terminal and op.operation_type is OperationType.STEP):
                self._replaying = False
            elif not op.is_terminal:
                flip_after = True
        return _Position(self, ident, flip_after)

    def _after_operation(self, flip_after: bool) -> None:
        if flip_after:
            self._replaying = False
        elif self._replaying:
            self._next_id = operation_id(self.step_id_prefix, self._position + 1)
            if self._next_id not in self.state.operations:
                self._replaying = False

    # -- operations -----------------------------------------------------------------------------------

    def step(self, func: Callable[[StepContext], T], name: str | None = None, config: StepConfig | None = None) -> T:
        config = config or _DEFAULT_STEP
        step_name = self._resolve_step_name(name, func)
        sub_type = config.sub_type or OperationSubType.STEP.value
        with self._operation(sub_type, step_name, OperationType.STEP) as ident:
            return StepRunner(self.state, ident, func, config, self.logger).process()  # type: ignore[no-any-return]

    def wait(self, duration: Duration, name: str | None = None) -> None:
        if duration.to_seconds() < 1:
            raise ValidationError("duration must be at least 1 second")
        with self._operation(OperationSubType.WAIT.value, name, OperationType.WAIT) as ident:
            run_wait(self.state, ident, duration.seconds)

    def create_callback(self, name: str | None = None, config: CallbackConfig | None = None) -> Callback[Any]:
        config = config or CallbackConfig()
        sub_type = config.sub_type or OperationSubType.CALLBACK.value
        with self._operation(sub_type, name, OperationType.CALLBACK) as ident:
            callback_id = create_callback_id(self.state, ident, config)
            return Callback(callback_id, ident.operation_id, self.state, config.serdes)

    def invoke(
        self,
        function_name: str,
        payload: Any,
        name: str | None = None,
        config: InvokeConfig[Any, Any] | None = None,
    ) -> Any:
        config = config or InvokeConfig()
        sub_type = OperationSubType.CHAINED_INVOKE.value
        with self._operation(sub_type, name, OperationType.CHAINED_INVOKE) as ident:
            return run_invoke(self.state, ident, function_name, payload, config)

    def run_in_child_context(
        self,
        func: Callable[[DurableContext], T],
        name: str | None = None,
        config: ChildConfig[Any] | None = None,
    ) -> T:
        sub_type = (config.sub_type if config else None) or OperationSubType.RUN_IN_CHILD_CONTEXT.value
        return self._child(func, self._resolve_step_name(name, func), config or ChildConfig(), sub_type)  # type: ignore[no-any-return]

    def _child(
        self, func: Callable[[DurableContext], Any], name: str | None, config: ChildConfig[Any], sub_type: str
    ) -> Any:
        with self._operation(sub_type, name, OperationType.CONTEXT) as ident:
            child = self.create_child_context(ident.operation_id, is_virtual=config.is_virtual)
            return run_child(self.state, ident, lambda: func(child), config)

    def wait_for_callback(
        self,
        submitter: Callable[[str, WaitForCallbackContext], Any],
        name: str | None = None,
        config: WaitForCallbackConfig | None = None,
    ) -> Any:
        step_name = self._resolve_step_name(name, submitter)
        return wait_for_callback_in(self, submitter, step_name, config)

    def wait_for_condition(
        self,
        check: Callable[[T, WaitForConditionCheckContext], T],
        config: WaitForConditionConfig[T],
        name: str | None = None,
    ) -> T:
        if check is None:
            raise ValidationError("`check` is required for wait_for_condition")
        if not config:
            raise ValidationError("`config` is required for wait_for_condition")
        sub_type = OperationSubType.WAIT_FOR_CONDITION.value
        with self._operation(sub_type, name, OperationType.STEP) as ident:
            return ConditionRunner(self.state, ident, check, config, self.logger).process()  # type: ignore[no-any-return]

    def parallel(
        self, functions: Sequence[Any], name: str | None = None, config: ParallelConfig | None = None
    ) -> BatchResult[Any]:
        if config is not None:
            config.completion_config._validate_for_total(len(functions))
        cfg = config or ParallelConfig()
        spec = BatchSpec(
            executables_for_parallel(functions),
            cfg.max_concurrency,
            cfg.completion_config,
            OperationSubType.PARALLEL_BRANCH.value,
            "parallel-branch-",
            cfg.item_serdes or cfg.serdes,
            cfg.nesting_type,
        )
        return self._batch(spec, name, OperationSubType.PARALLEL.value, ChildConfig(serdes=cfg.serdes))

    def map(
        self,
        inputs: Sequence[Any],
        func: Callable[[DurableContext, Any, int, Sequence[Any]], Any],
        name: str | None = None,
        config: MapConfig[Any] | None = None,
    ) -> BatchResult[Any]:
        if config is not None:
            config.completion_config._validate_for_total(len(inputs))
        cfg = config or MapConfig()
        spec = BatchSpec(
            executables_for_map(inputs, func, cfg.item_namer),
            cfg.max_concurrency,
            cfg.completion_config,
            OperationSubType.MAP_ITERATION.value,
            "map-item-",
            cfg.item_serdes or cfg.serdes,
            cfg.nesting_type,
        )
        child_config: ChildConfig[Any] = ChildConfig(serdes=cfg.serdes)
        return self._batch(spec, self._resolve_step_name(name, func), OperationSubType.MAP.value, child_config)

    def _batch(self, spec: BatchSpec, name: str | None, sub_type: str, config: ChildConfig[Any]) -> BatchResult[Any]:
        return self._child(lambda batch_context: run_batch(batch_context, spec), name, config, sub_type)  # type: ignore[no-any-return]


_DEFAULT_STEP = StepConfig()


class _Position:
    __slots__ = ("context", "flip_after", "ident")

    def __init__(self, context: DurableContext, ident: OperationIdentifier, flip_after: bool) -> None:
        self.context, self.ident, self.flip_after = context, ident, flip_after

    def __enter__(self) -> OperationIdentifier:
        return self.ident

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is not None and isinstance(error, Exception):  # not a suspension: name the call it leaves
            ident = self.ident
            sources.mark_error(error, f"{ident.sub_type} {ident.name or ident.operation_id[:12]!r}", sources.here())
        self.context._after_operation(self.flip_after)
