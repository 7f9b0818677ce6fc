"""Instrumentation plugins (`durable_execution(plugins=[factory])`, AWS SDK 3.0's API): which hooks fire,
in which order, with which infos, across invocations; faulty plugins never change an execution."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

import pytest

from durable_runtime import DurableContext, durable_execution
from durable_runtime.compat import aliased
from durable_runtime.config import Duration, StepConfig
from durable_runtime.plugin import (
    DurableInstrumentationPlugin,
    InvocationEndInfo,
    InvocationStartInfo,
    OperationType,
    UserFunctionOutcome,
)
from durable_runtime.retries import JitterStrategy, RetryStrategyConfig, create_retry_strategy
from durable_runtime.testing import DurableFunctionTestRunner
from durable_runtime.waits import WaitForConditionConfig, WaitForConditionDecision
from tests.runtime.runners import runner_class
from tests.runtime.sdk import AWS, OURS, namespace

RETRY_ONCE = StepConfig(
    retry_strategy=create_retry_strategy(
        RetryStrategyConfig(max_attempts=2, initial_delay=Duration.from_seconds(1), jitter_strategy=JitterStrategy.NONE)
    )
)


class Recorder(DurableInstrumentationPlugin):
    """Appends one tuple per hook to a shared log (names, not ids, so the expectation reads plainly)."""

    def __init__(self, log: list[tuple[Any, ...]], info: InvocationStartInfo) -> None:
        self.log, self.created_with = log, info

    def on_invocation_start(self, info: InvocationStartInfo) -> None:
        assert info is self.created_with
        self.log.append(("invocation-start", info.is_first_invocation, info.execution_input))
        self.log.extend(("updated", op.name, op.status.value) for op in info.updated_operations.values())

    def on_invocation_end(self, info: InvocationEndInfo) -> None:
        self.log.append(("invocation-end", info.status.value, info.execution_result))

    def on_operation_start(self, info: Any) -> None:
        self.log.append(("operation-start", info.operation_type.value, info.name, info.is_replayed))

    def on_operation_end(self, info: Any) -> None:
        self.log.append(("operation-end", info.operation_type.value, info.name, info.status.value))

    def on_user_function_start(self, info: Any) -> None:
        self.log.append(("function-start", info.name, info.attempt))

    def on_user_function_end(self, info: Any) -> None:
        self.log.append(("function-end", info.name, info.attempt, info.outcome.value))


class Factory:
    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []

    def create_plugin(self, info: InvocationStartInfo) -> Recorder:
        return Recorder(self.log, info)


def workflow(plugins: list[Any]) -> Any:
    @durable_execution(plugins=plugins)
    def handler(event: dict[str, Any], context: DurableContext) -> str:
        def flaky(step_context: Any) -> str:
            if step_context.attempt == 1:
                raise RuntimeError("first attempt fails")
            return event["word"]

        word = context.step(flaky, name="flaky", config=RETRY_ONCE)
        context.wait(Duration.from_seconds(5), name="pause")
        return context.run_in_child_context(lambda child: child.step(lambda _: word + "!", name="inner"), name="kid")

    return handler


def test_hooks_fire_in_order_across_invocations() -> None:
    factory = Factory()
    with DurableFunctionTestRunner(workflow([factory])) as runner:
        assert runner.run(input='{"word": "hi"}').result == '"hi!"'
    assert factory.log == [
        ("invocation-start", True, {"word": "hi"}),
        ("operation-start", "STEP", "flaky", False),
        ("function-start", "flaky", 1),
        ("function-end", "flaky", 1, "FAILED"),
        ("invocation-end", "PENDING", None),
        ("invocation-start", False, {"word": "hi"}),
        ("updated", "flaky", "READY"),  # its retry delay passed
        ("operation-start", "STEP", "flaky", True),  # found waiting for its retry: replayed, reported once
        ("function-start", "flaky", 2),
        ("function-end", "flaky", 2, "SUCCEEDED"),
        ("operation-end", "STEP", "flaky", "SUCCEEDED"),
        ("operation-start", "WAIT", "pause", False),
        ("invocation-end", "PENDING", None),
        ("invocation-start", False, {"word": "hi"}),
        ("updated", "pause", "SUCCEEDED"),
        ("operation-end", "WAIT", "pause", "SUCCEEDED"),  # the service ended it while the execution waited
        ("operation-start", "CONTEXT", "kid", False),
        ("function-start", "kid", 1),
        ("operation-start", "STEP", "inner", False),
        ("function-start", "inner", 1),
        ("function-end", "inner", 1, "SUCCEEDED"),
        ("operation-end", "STEP", "inner", "SUCCEEDED"),
        ("function-end", "kid", 1, "SUCCEEDED"),
        ("operation-end", "CONTEXT", "kid", "SUCCEEDED"),
        ("invocation-end", "SUCCEEDED", '"hi!"'),
    ]


def test_a_function_the_invocation_leaves_by_suspending_is_incomplete() -> None:
    factory = Factory()

    @durable_execution(plugins=[factory])
    def handler(event: Any, context: DurableContext) -> str:
        return context.run_in_child_context(lambda child: child.wait(Duration.from_seconds(1)) or "done", name="kid")

    with DurableFunctionTestRunner(handler) as runner:
        assert runner.run().result == '"done"'
    ends = [entry for entry in factory.log if entry[0] == "function-end"]
    assert ends == [("function-end", "kid", 1, "INCOMPLETE"), ("function-end", "kid", None, "SUCCEEDED")]
    assert UserFunctionOutcome.INCOMPLETE.value == "INCOMPLETE" and OperationType.CONTEXT.value == "CONTEXT"


def test_each_condition_check_is_a_user_function_with_its_attempt() -> None:
    factory = Factory()

    def until_two(state: int, attempt: int) -> WaitForConditionDecision:
        if state >= 2:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(1))

    @durable_execution(plugins=[factory])
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=until_two, initial_state=0)
        return context.wait_for_condition(lambda state, _: state + 1, config=config, name="poll")

    with DurableFunctionTestRunner(handler) as runner:
        assert runner.run().result == "2"
    checks = [entry for entry in factory.log if entry[0].startswith("function")]
    assert checks == [
        ("function-start", "poll", 1),
        ("function-end", "poll", 1, "SUCCEEDED"),
        ("function-start", "poll", 2),
        ("function-end", "poll", 2, "SUCCEEDED"),
    ]
    assert factory.log[-2:] == [("operation-end", "STEP", "poll", "SUCCEEDED"), ("invocation-end", "SUCCEEDED", "2")]


class Faulty(DurableInstrumentationPlugin):
    """Every hook raises."""

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("on_"):

            def hook(info: Any) -> None:
                raise RuntimeError(f"{name} failed on purpose")

            return hook
        return super().__getattribute__(name)


class FaultyFactory:
    def __init__(self, result: str) -> None:
        self.result = result

    def create_plugin(self, info: InvocationStartInfo) -> Any:
        if self.result == "raise":
            raise RuntimeError("factory failed on purpose")
        return None if self.result == "none" else Faulty()


def history_of(handler: Any) -> tuple[str | None, list[tuple[str, Any]]]:
    with DurableFunctionTestRunner(handler) as runner:
        arn = runner.run_async(input='{"word": "hi"}')
        result = runner.wait_for_result(arn)
        events = [(e.event_type, e.name) for e in runner.get_execution_history(arn).events]
    return result.result, events


def test_faulty_plugins_and_factories_change_nothing(caplog: pytest.LogCaptureFixture) -> None:
    plain = history_of(workflow([]))
    faulty = [FaultyFactory("plugin"), FaultyFactory("raise"), FaultyFactory("none")]
    with caplog.at_level(logging.WARNING, logger="durable_runtime.plugin"):
        assert history_of(workflow(faulty)) == plain
    messages = [r.getMessage() for r in caplog.records]
    assert any("on_user_function_end raised (ignored)" in m for m in messages)
    assert any("create_plugin raised (plugin skipped)" in m for m in messages)
    assert any("create_plugin returned None" in m for m in messages)


def test_plugins_must_be_factories() -> None:
    with pytest.raises(TypeError, match="plugin factories"):
        durable_execution(plugins=[Recorder])(lambda event, context: None)


def test_the_aws_import_path_is_this_module() -> None:
    with aliased():
        aws = importlib.import_module("aws_durable_execution_sdk_python.plugin")
    assert aws.DurableInstrumentationPlugin is DurableInstrumentationPlugin


def hook_log(root: str, workflow: Callable[[Any, Any], Any]) -> list[tuple[Any, ...]]:
    """The hooks `workflow(sdk, context)` fires, built against the SDK `root` and run on its test runner."""
    sdk, plugin = namespace(root), importlib.import_module(root + ".plugin")
    log: list[tuple[Any, ...]] = []

    class Record(plugin.DurableInstrumentationPlugin):  # type: ignore[name-defined,misc]
        def on_invocation_start(self, info: Any) -> None:
            updated = sorted(f"{op.name}:{op.status.value}" for op in info.updated_operations.values())
            log.append(("invocation-start", info.is_first_invocation, updated))

        def on_invocation_end(self, info: Any) -> None:
            log.append(("invocation-end", info.status.value))

        def on_operation_start(self, info: Any) -> None:
            log.append(("operation-start", info.operation_type.value, info.sub_type, info.name, info.is_replayed))

        def on_operation_end(self, info: Any) -> None:
            log.append(("operation-end", info.operation_type.value, info.sub_type, info.name, info.status.value))

        def on_user_function_start(self, info: Any) -> None:
            log.append(("function-start", info.sub_type, info.name, info.attempt, info.is_replay_children))

        def on_user_function_end(self, info: Any) -> None:
            log.append(("function-end", info.sub_type, info.name, info.attempt, info.outcome.value))

    class RecordFactory:
        def create_plugin(self, info: Any) -> Any:
            return Record()

    @sdk.durable_execution(plugins=[RecordFactory()])
    def handler(event: Any, context: Any) -> Any:
        return workflow(sdk, context)

    with runner_class(root)(handler=handler) as runner:
        assert runner.run(input="{}", execution_timeout=60).status.value == "SUCCEEDED"
    return log


def retry_wait_child(sdk: Any, context: Any) -> str:
    delays = sdk.RetryStrategyConfig(
        max_attempts=2, initial_delay=sdk.Duration.from_seconds(1), jitter_strategy=sdk.JitterStrategy.NONE
    )

    def flaky(step_context: Any) -> str:
        if step_context.attempt == 1:
            raise RuntimeError("first attempt fails")
        return "hi"

    word = context.step(flaky, name="flaky", config=sdk.StepConfig(retry_strategy=sdk.create_retry_strategy(delays)))
    context.wait(sdk.Duration.from_seconds(2), name="pause")
    return context.run_in_child_context(lambda child: child.step(lambda _: word + "!", name="inner"), name="kid")


def batches_and_polling(sdk: Any, context: Any) -> list[Any]:
    one_at_a_time = sdk.MapConfig(max_concurrency=1)
    doubled = context.map(
        [1, 2], lambda c, x, i, xs: c.step(lambda _: x * 2, name="double"), name="m", config=one_at_a_time
    )
    branches = [lambda c: c.step(lambda _: "a", name="a"), lambda c: c.wait(sdk.Duration.from_seconds(1)) or "b"]
    both = context.parallel(branches, name="p", config=sdk.ParallelConfig(max_concurrency=1))

    def until_two(state: int, attempt: int) -> Any:
        if state >= 2:
            return sdk.WaitForConditionDecision.stop_polling()
        return sdk.WaitForConditionDecision.continue_waiting(sdk.Duration.from_seconds(1))

    config = sdk.WaitForConditionConfig(wait_strategy=until_two, initial_state=0)
    polled = context.wait_for_condition(lambda state, _: state + 1, config=config, name="poll")
    return [doubled.get_results(), both.get_results(), polled]


def test_the_hooks_are_the_ones_aws_fires_in_the_same_order() -> None:
    """Differential: the same workflow and plugin on AWS's runner (SDK 3.0) and ours, hook for hook."""
    ours = hook_log(OURS, retry_wait_child)
    assert ours == hook_log(AWS, retry_wait_child)
    assert len(ours) == 23 and ours[-1] == ("invocation-end", "SUCCEEDED")


def test_batches_and_polling_fire_the_hooks_aws_fires() -> None:
    """Invocation and user-function hooks in AWS's order; operation hooks the same ones (AWS ends a child
    context when its background checkpoint returns, we when the context's SUCCEED is committed, so
    their positions are not compared: the conformance suite does not assert them either)."""
    ours, theirs = hook_log(OURS, batches_and_polling), hook_log(AWS, batches_and_polling)

    def ordered(log: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return [entry for entry in log if not entry[0].startswith("operation")]

    def operations(log: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted((entry for entry in log if entry[0].startswith("operation")), key=repr)

    assert ordered(ours) == ordered(theirs) and operations(ours) == operations(theirs)
    assert ("function-end", "ParallelBranch", "parallel-branch-1", 1, "INCOMPLETE") in ours
