"""Suite 10 (plugin): one handler per requirement 10-1 .. 10-7, with the instrumentation plugins.

Each plugin writes one JSON record per hook to the execution's log stream (`emit_json`), stamped
with the execution ARN it received in `on_invocation_start`.
"""

from __future__ import annotations

from aws_durable_execution_sdk_python import StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.plugin import DurableInstrumentationPlugin, OperationType
from aws_durable_execution_sdk_python.retries import RetryPresets

from ._support import emit_json, fixed_retry


def _token(value) -> str:
    return getattr(value, "value", value)


class Recorder(DurableInstrumentationPlugin):
    """Logs the hooks named in `hooks`; operation and attempt hooks only for steps."""

    def __init__(self, tag: str, hooks: frozenset[str], faulty: bool = False) -> None:
        self.tag, self.hooks, self.faulty, self.arn = tag, hooks, faulty, None

    def _emit(self, hook: str, **fields) -> None:
        if hook not in self.hooks:
            return
        emit_json({"plugin": self.tag, "hook": hook, **fields, "durableExecutionArn": self.arn})
        if self.faulty:
            raise RuntimeError(f"plugin hook {hook} failed on purpose")

    @staticmethod
    def _is_step(info) -> bool:
        return _token(info.operation_type) == OperationType.STEP.value

    def on_invocation_start(self, info) -> None:
        self.arn = info.execution_arn
        self._emit("invocation-start", **({} if self.faulty else {"first": info.is_first_invocation}))

    def on_invocation_end(self, info) -> None:
        self._emit("invocation-end", **({} if self.faulty else {"status": _token(info.status)}))

    def on_operation_start(self, info) -> None:
        if self._is_step(info):
            self._emit("operation-start", **({} if self.faulty else {"op": info.operation_id}))

    def on_operation_end(self, info) -> None:
        if self._is_step(info):
            fields = {} if self.faulty else {"op": info.operation_id, "status": _token(info.status)}
            self._emit("operation-end", **fields)

    def on_user_function_start(self, info) -> None:
        if self._is_step(info):
            self._emit("attempt-start", **({} if self.faulty else {"n": info.attempt, "op": info.operation_id}))

    def on_user_function_end(self, info) -> None:
        if self._is_step(info):
            fields = {"n": info.attempt, "outcome": _token(info.outcome), "op": info.operation_id}
            self._emit("attempt-end", **({} if self.faulty else fields))


class Factory:
    """Builds one Recorder per invocation."""

    def __init__(self, tag: str, *hooks: str, faulty: bool = False) -> None:
        self.tag, self.hooks, self.faulty = tag, frozenset(hooks), faulty

    def create_plugin(self, info) -> Recorder:
        return Recorder(self.tag, self.hooks, self.faulty)


INVOCATION_HOOKS = ("invocation-start", "invocation-end")
ALL_HOOKS = (*INVOCATION_HOOKS, "operation-start", "operation-end", "attempt-start", "attempt-end")


@durable_step
def greet(step_context: StepContext, name: str) -> str:
    step_context.logger.info(f"Greeting step running for: {name}")
    return f"Hello, {name}!"


def _fail_first(step_context: StepContext) -> str:
    if step_context.attempt == 1:
        raise RuntimeError("first attempt fails")
    return "Operation succeeded"


def _always_fail(step_context: StepContext) -> str:
    raise RuntimeError("this step always fails")


@durable_execution(plugins=[Factory("CONFPLUGIN", *INVOCATION_HOOKS)])
def r10_1(event, context):
    return context.step(greet(event))


@durable_execution(plugins=[Factory("CONFPLUGIN", "operation-start", "operation-end")])
def r10_2(event, context):
    return context.step(greet(event))


@durable_execution(plugins=[Factory("CONFPLUGIN", "attempt-start", "attempt-end")])
def r10_3(event, context):
    return context.step(_fail_first, name="unreliable_func", config=StepConfig(retry_strategy=fixed_retry(3)))


@durable_execution(plugins=[Factory("CONFPLUGIN-FAULTY", *ALL_HOOKS, faulty=True)])
def r10_4(event, context):
    return context.step(greet(event))


@durable_execution(plugins=[Factory("CONFPLUGIN-A", *INVOCATION_HOOKS), Factory("CONFPLUGIN-B", *INVOCATION_HOOKS)])
def r10_5(event, context):
    return context.step(greet(event))


@durable_execution(plugins=[Factory("CONFPLUGIN", *INVOCATION_HOOKS)])
def r10_6(event, context):
    context.wait(Duration.from_seconds(2))
    return "waited"


@durable_execution(plugins=[Factory("CONFPLUGIN", *INVOCATION_HOOKS)])
def r10_7(event, context):
    return context.step(_always_fail, name="failing_func", config=StepConfig(retry_strategy=RetryPresets.none()))
