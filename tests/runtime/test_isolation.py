"""Invocations in their own process (`isolate_invocations=True`): a handler that kills its process is
recorded as a crashed invocation (`Runtime.ExitError`) and invoked again, as Lambda does after a
runtime crash; a handler that never crashes records the same history as in process."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from durable_runtime import DurableContext, durable_execution, durable_with_child_context
from durable_runtime.config import Duration, StepConfig, StepSemantics
from durable_runtime.retries import RetryPresets
from durable_runtime.service.driver import MAX_INVOCATION_FAILURES
from durable_runtime.service.isolation import exit_detail
from durable_runtime.store.memory import MemoryStore
from durable_runtime.store.sqlite import SqliteStore
from durable_runtime.testing import DurableFunctionTestRunner
from durable_runtime.waits import WaitForConditionConfig, WaitForConditionDecision

AT_MOST_ONCE = StepConfig(step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY, retry_strategy=RetryPresets.none())


def crash_once(marker: Path, how: str = "exit") -> None:
    """Log a run of the body, then end the process the first time only."""
    with (marker.parent / "runs.log").open("a") as log:
        log.write(marker.name + "\n")
    if marker.exists():
        return
    marker.write_text("crashed")
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(17)


def runs(tmp: Path) -> list[str]:
    return (tmp / "runs.log").read_text().splitlines()


def history(runner: DurableFunctionTestRunner, arn: str) -> list[dict[str, Any]]:
    return [e.to_dict() for e in runner.get_execution_history(arn).events]


def crashes(events: list[dict[str, Any]]) -> list[str]:
    """The error messages of the invocations recorded as crashed."""
    return [
        e["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorMessage"]
        for e in events
        if e["EventType"] == "InvocationCompleted"
        and "Error" in e["InvocationCompletedDetails"]
        and e["InvocationCompletedDetails"]["Error"]["Payload"].get("ErrorType") == "Runtime.ExitError"
    ]


def run(handler: Any, payload: str = '"x"') -> tuple[Any, list[dict[str, Any]]]:
    with DurableFunctionTestRunner(handler, isolate_invocations=True) as runner:
        arn = runner.run_async(input=payload)
        result = runner.wait_for_result(arn)
        return result, history(runner, arn)


def test_crash_in_an_at_most_once_step_fails_it_as_interrupted(tmp_path: Path) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda _: crash_once(tmp_path / "once"), name="charge", config=AT_MOST_ONCE)

    result, events = run(handler)
    kinds = [e["EventType"] for e in events]
    assert kinds == [
        "ExecutionStarted",
        "StepStarted",
        "InvocationCompleted",
        "StepFailed",
        "InvocationCompleted",
        "ExecutionFailed",
    ]
    assert crashes(events) == ["Runtime exited with error: exit status 17"]
    assert result.status.value == "FAILED" and result.error.message == "Step charge was interrupted earlier"
    assert (result.get_step("charge").error.type or "").endswith("StepInterruptedError")
    assert runs(tmp_path) == ["once"], "an at-most-once step body ran twice"


def test_crash_in_an_at_least_once_step_in_a_child_context_reruns_it_without_a_second_start(tmp_path: Path) -> None:
    @durable_with_child_context
    def child(ctx: DurableContext, value: str) -> str:
        return ctx.step(lambda _: crash_once(tmp_path / "child") or value, name="work")

    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.run_in_child_context(child(event))

    result, events = run(handler)
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "ContextStarted",
        "StepStarted",
        "InvocationCompleted",
        "StepSucceeded",
        "ContextSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    assert result.result == '"x"' and runs(tmp_path) == ["child", "child"]


def test_crash_in_a_condition_check_checks_again_without_a_second_start(tmp_path: Path) -> None:
    def check(state: int, _: Any) -> int:
        crash_once(tmp_path / "check")
        return state + 1

    def stop(state: int, attempt: int) -> WaitForConditionDecision:
        return WaitForConditionDecision.stop_polling()

    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        config = WaitForConditionConfig(wait_strategy=stop, initial_state=0)
        return context.wait_for_condition(check, config=config, name="poll")

    result, events = run(handler)
    kinds = [e["EventType"] for e in events]
    assert kinds == [
        "ExecutionStarted",
        "StepStarted",
        "InvocationCompleted",
        "StepSucceeded",
        "InvocationCompleted",
        "ExecutionSucceeded",
    ]
    assert result.result == "1" and runs(tmp_path) == ["check", "check"]


def test_a_signal_is_reported_with_its_name(tmp_path: Path) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        return context.step(lambda _: crash_once(tmp_path / "kill", how="kill") or "ok", name="s")

    result, events = run(handler)
    assert crashes(events) == ["Runtime exited with error: signal: killed"] and result.result == '"ok"'


def test_a_handler_that_always_crashes_fails_the_execution_after_the_invocation_limit() -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        os._exit(3)

    result, events = run(handler)
    assert crashes(events) == ["Runtime exited with error: exit status 3"] * MAX_INVOCATION_FAILURES
    assert result.status.value == "FAILED" and result.error.type == "Runtime.ExitError"


@durable_execution
def steady(event: Any, context: DurableContext) -> dict[str, Any]:
    first = context.step(lambda _: event["n"] + 1, name="first")
    context.wait(Duration.from_seconds(5), name="pause")
    second = context.run_in_child_context(lambda c: c.step(lambda _: first * 2, name="double"), name="kid")
    return {"first": first, "second": second}


def shape(isolate: bool) -> tuple[str | None, list[str]]:
    with DurableFunctionTestRunner(steady, isolate_invocations=isolate) as runner:
        arn = runner.run_async(input='{"n": 1}')
        result = runner.wait_for_result(arn)
        return result.result, [e["EventType"] for e in history(runner, arn)]


def test_without_crashes_the_history_is_the_same_as_in_process() -> None:
    in_process = shape(isolate=False)
    assert in_process[0] == '{"first": 2, "second": 4}' and in_process[1].count("InvocationCompleted") == 2
    assert shape(isolate=True) == in_process


def test_isolation_needs_a_sqlite_store(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="SqliteStore"):
        DurableFunctionTestRunner(steady, isolate_invocations=True, store=MemoryStore())
    with DurableFunctionTestRunner(steady, isolate_invocations=True, store=SqliteStore(tmp_path / "s.db")) as runner:
        assert runner.run(input='{"n": 2}').result == '{"first": 3, "second": 6}'
    assert (tmp_path / "s.db").exists()


@pytest.mark.parametrize(
    ("code", "detail"),
    [(17, "exit status 17"), (1, "exit status 1"), (-9, "signal: killed"), (-11, "signal: segmentation fault")],
)
def test_exit_detail_uses_lambdas_wording(code: int, detail: str) -> None:
    assert exit_detail(code) == detail
