"""Runs one invocation's instrumentation plugins (`durable_runtime.plugin`): builds them from their
factories, dispatches each hook synchronously in the calling thread, and contains what they raise.

Takes the factories given to `durable_execution(plugins=...)` and the invocation's `ExecutionState`;
the engine calls the `PluginHost` methods at the points the hooks name. Guarantees: a factory or hook
that raises (anything but KeyboardInterrupt, SystemExit, GeneratorExit) is logged on the
`durable_runtime.plugin` logger and skipped, so plugins never change an execution's outcome; without
plugins every method returns at once (`active` is False), so the engine pays one attribute test.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from durable_runtime.identifier import OperationIdentifier
from durable_runtime.lambda_service import ErrorObject, Operation, OperationStatus, OperationUpdate
from durable_runtime.lambda_service import OperationType as ServiceOperationType
from durable_runtime.plugin import (
    DurableInstrumentationPlugin,
    InvocationEndInfo,
    InvocationStartInfo,
    InvocationStatus,
    OperationChangeInfo,
    OperationEndInfo,
    OperationInfo,
    OperationStartInfo,
    UserFunctionEndInfo,
    UserFunctionOutcome,
    UserFunctionStartInfo,
    moment,
)

if TYPE_CHECKING:
    from durable_runtime.state import ExecutionState

LOG = logging.getLogger("durable_runtime.plugin")
_CONTROL = (KeyboardInterrupt, SystemExit, GeneratorExit)  #: orders to the thread, never contained
T = TypeVar("T")
_TERMINAL = frozenset(
    {
        OperationStatus.SUCCEEDED,
        OperationStatus.FAILED,
        OperationStatus.CANCELLED,
        OperationStatus.TIMED_OUT,
        OperationStatus.STOPPED,
    }
)


def check_factories(factories: Sequence[Any] | None) -> tuple[Any, ...]:
    """The factories `durable_execution(plugins=...)` was given; anything without `create_plugin` is an error."""
    for factory in factories or ():
        if not callable(getattr(factory, "create_plugin", None)):
            raise TypeError(
                f"plugins= takes plugin factories (objects with create_plugin(info)), got {type(factory).__name__}"
            )
    return tuple(factories or ())


class PluginHost:
    def __init__(self, plugins: list[DurableInstrumentationPlugin], start: InvocationStartInfo | None = None) -> None:
        self.plugins = plugins
        self.active = bool(plugins)
        self.start_info = start
        self._reported: set[str] = set()  #: operations whose start hook ran in this invocation

    @classmethod
    def open(cls, factories: Iterable[Any], state: ExecutionState, lambda_context: Any) -> PluginHost:
        """Build this invocation's plugins and run their `on_invocation_start` (before the handler)."""
        factories = tuple(factories)
        if not factories:
            return NO_PLUGINS
        info = InvocationStartInfo(
            request_id=getattr(lambda_context, "aws_request_id", None),
            execution_arn=state.durable_execution_arn,
            is_first_invocation=not state.has_prior_operations(),
            execution_start_time=_execution_start(state.operations.values()),
            execution_input=_input_copy(state.operations.values()),
            operations=(operations := snapshot(state.operations)),
            updated_operations={i: operations[i] for i in state.updated_ids if i in operations},
        )
        host = cls([p for f in factories if (p := _create(f, info)) is not None], info)
        host.dispatch("on_invocation_start", info)
        for updated in info.updated_operations.values():  # a wait that fired, a callback answered, ...
            if updated.status in _TERMINAL:
                host.dispatch("on_operation_end", OperationEndInfo(**vars(updated)))
        return host

    def dispatch(self, hook: str, info: object) -> None:
        for plugin in self.plugins:
            try:
                getattr(plugin, hook)(info)
            except _CONTROL:
                raise
            except BaseException:  # noqa: BLE001 - a plugin only observes; its failure is logged and ignored
                LOG.exception("plugin %s: %s raised (ignored)", type(plugin).__qualname__, hook)

    # -- invocation ---------------------------------------------------------------------------------------

    def invocation_end(self, output: Mapping[str, Any], operations: Mapping[str, Operation]) -> None:
        """`output` is the invocation output ({"Status", "Result", "Error"}); Status RETRY when re-raised."""
        start = self.start_info
        if not self.active or start is None:
            return
        error = output.get("Error")
        info = InvocationEndInfo(
            request_id=start.request_id,
            execution_arn=start.execution_arn,
            is_first_invocation=start.is_first_invocation,
            execution_start_time=start.execution_start_time,
            execution_input=start.execution_input,
            operations=snapshot(operations),
            status=InvocationStatus(output["Status"]),
            error=ErrorObject.from_dict(error) if isinstance(error, dict) else error,
            execution_result=output.get("Result"),
        )
        self.dispatch("on_invocation_end", info)

    # -- operations ---------------------------------------------------------------------------------------

    def operation_started(self, update: OperationUpdate, previous: Operation | None, now: float) -> None:
        """Before a START checkpoint (unless the operation was already reported in this invocation)."""
        if update.operation_id in self._reported:
            return
        self._reported.add(update.operation_id)
        info = OperationStartInfo(
            update.operation_id,
            update.operation_type,
            update.sub_type,
            update.name,
            update.parent_id,
            moment(now),
            previous is not None,
            OperationStatus.STARTED,
            attempt=(previous.attempt if previous else 0) + 1,
        )
        self.dispatch("on_operation_start", info)

    def operation_replayed(self, op: Operation) -> None:
        """An invocation meets an operation an earlier one started and that has not ended."""
        if op.is_terminal or op.operation_type is ServiceOperationType.EXECUTION or op.operation_id in self._reported:
            return
        self._reported.add(op.operation_id)
        self.dispatch("on_operation_start", OperationStartInfo.from_operation(op, is_replayed=True))

    def statuses(
        self, operations: Mapping[str, Operation], updates: Sequence[OperationUpdate]
    ) -> dict[str, OperationStatus] | None:
        """Before a checkpoint: the statuses of the operations it updates (None without plugins)."""
        if not self.active:
            return None
        return {u.operation_id: op.status for u in updates if (op := operations.get(u.operation_id)) is not None}

    def operations_updated(
        self, changed: Sequence[Operation], before: Mapping[str, OperationStatus], operations: Mapping[str, Operation]
    ) -> None:
        """After a checkpoint response: end hooks for newly terminal operations, then one change hook."""
        moved = [op for op in changed if before.get(op.operation_id) is not op.status]
        for op in moved:
            if op.is_terminal:
                self.dispatch("on_operation_end", OperationEndInfo.from_operation(op))
        if moved:
            start = self.start_info
            updated = {op.operation_id: OperationInfo.from_operation(op) for op in moved}
            arn = start.execution_arn if start else None
            self.dispatch("on_operation_change", OperationChangeInfo(arn, updated, snapshot(operations)))

    # -- user functions -----------------------------------------------------------------------------------

    def run_user_function(
        self,
        ident: OperationIdentifier,
        call: Callable[[], T],
        attempt: int | None = None,
        replay_children: bool = False,
    ) -> T:
        """Run `call` (a step body, a child context's function, a condition check) between the two hooks."""
        if not self.active:
            return call()
        start = UserFunctionStartInfo(
            ident.operation_id,
            ident.operation_type,
            ident.sub_type,
            ident.name,
            ident.parent_id,
            _now(),
            False,
            OperationStatus.STARTED,
            attempt=attempt,
            is_replay_children=replay_children,
        )
        self.dispatch("on_user_function_start", start)
        outcome, error = UserFunctionOutcome.INCOMPLETE, None
        try:
            value = call()
            outcome = UserFunctionOutcome.SUCCEEDED
            return value
        except Exception as exc:
            outcome, error = UserFunctionOutcome.FAILED, ErrorObject.from_exception(exc)
            raise
        finally:
            self.dispatch("on_user_function_end", _ended(start, outcome, error))


NO_PLUGINS = PluginHost([])


def snapshot(operations: Mapping[str, Operation]) -> dict[str, OperationInfo]:
    return {op_id: OperationInfo.from_operation(op) for op_id, op in operations.items()}


def _create(factory: Any, info: InvocationStartInfo) -> DurableInstrumentationPlugin | None:
    try:
        plugin = factory.create_plugin(info)
    except _CONTROL:
        raise
    except BaseException:  # noqa: BLE001 - a failing factory costs its plugin, never the invocation
        LOG.exception("plugin factory %s: create_plugin raised (plugin skipped)", type(factory).__qualname__)
        return None
    if plugin is None:
        LOG.warning("plugin factory %s: create_plugin returned None (skipped)", type(factory).__qualname__)
    return plugin  # type: ignore[no-any-return]


def _ended(
    start: UserFunctionStartInfo, outcome: UserFunctionOutcome, error: ErrorObject | None
) -> UserFunctionEndInfo:
    return UserFunctionEndInfo(
        start.operation_id,
        start.operation_type,
        start.sub_type,
        start.name,
        start.parent_id,
        start.start_time,
        start.is_replayed,
        start.status,
        end_time=_now(),
        error=error,
        attempt=start.attempt,
        is_replay_children=start.is_replay_children,
        outcome=outcome,
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _execution_op(operations: Iterable[Operation]) -> Operation | None:
    return next((op for op in operations if op.operation_type is ServiceOperationType.EXECUTION), None)


def _execution_start(operations: Iterable[Operation]) -> datetime.datetime | None:
    op = _execution_op(operations)
    return moment(op.start_timestamp) if op else None


def _input_copy(operations: Iterable[Operation]) -> Any:
    """The execution input, decoded afresh, so a plugin never shares the handler's event object."""
    op = _execution_op(operations)
    raw = op.input_payload if op else None
    try:
        return json.loads(raw) if raw and raw.strip() else {}
    except ValueError:
        return None
