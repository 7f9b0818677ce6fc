"""The test runner on a real clock: `run_async` returns after the first invocation, the execution moves forward
on its own, and an answer sent while a timer runs is applied at once, not when the timer ends.

The timers here are an hour long: a runner that slept through them would hang (the guards below turn the hang
into a failure after `GUARD_SECONDS`); none of these tests waits for a timer to fall due.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from durable_runtime import DurableContext, durable_execution
from durable_runtime.config import Duration
from durable_runtime.testing import DurableFunctionTestRunner

GUARD_SECONDS = 30  #: far above any answer here; reached only when the runner sleeps through a timer
HOUR = Duration.from_hours(1)


def guarded(call: Callable[[], Any]) -> Any:
    """`call()`, failing the test instead of hanging when it does not return within `GUARD_SECONDS`."""
    done: list[Any] = []
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(GUARD_SECONDS)
    assert done, f"{call} did not return: the runner slept through a timer"
    return done[0]


def event_types(runner: DurableFunctionTestRunner, arn: str) -> list[str]:
    return [e.event_type for e in runner.get_execution_history(arn).events]


@durable_execution
def waits_an_hour(event: Any, context: DurableContext) -> str:
    context.wait(HOUR, name="long")
    return "done"


def test_run_async_returns_after_the_first_invocation_and_close_stops_the_follower() -> None:
    runner = DurableFunctionTestRunner(waits_an_hour, skip_time=False)
    arn = guarded(runner.run_async)
    assert event_types(runner, arn) == ["ExecutionStarted", "WaitStarted", "InvocationCompleted"]
    assert runner.get_execution(arn).status == "RUNNING"
    guarded(runner.close)


@durable_execution
def answered_during_a_wait(event: Any, context: DurableContext) -> str:
    """Branch 1 waits an hour; branch 2 needs callback `a`, then opens callback `b`."""
    first = context.create_callback(name="a")

    def after_first(ctx: DurableContext) -> str:
        first.result()
        return str(ctx.create_callback(name="b").result())

    context.parallel([lambda ctx: ctx.wait(HOUR, name="long"), after_first], name="both")
    return "unreachable within the hour"


def test_an_answer_during_a_real_wait_re_invokes_the_handler_at_once() -> None:
    with DurableFunctionTestRunner(answered_during_a_wait, skip_time=False) as runner:
        arn = guarded(runner.run_async)
        runner.send_callback_success(runner.wait_for_callback(arn, name="a", timeout=GUARD_SECONDS), b'"yes"')
        second = runner.wait_for_callback(arn, name="b", timeout=GUARD_SECONDS)  # needs the re-invocation
        types = event_types(runner, arn)
    assert second
    assert types.count("CallbackSucceeded") == 1 and "WaitSucceeded" not in types
    assert types.count("InvocationCompleted") == 2 and runner.get_execution(arn).status == "RUNNING"


@durable_execution
def asks_once(event: Any, context: DurableContext) -> str:
    return str(context.create_callback(name="ask").result())


@durable_execution
def invokes_an_asker(event: Any, context: DurableContext) -> str:
    return str(context.invoke("asker", None, name="call"))


def _invoked_arn(runner: DurableFunctionTestRunner, arn: str) -> str:
    started = next(e for e in runner.get_execution_history(arn).events if e.event_type == "ChainedInvokeStarted")
    return str(started.to_dict()["ChainedInvokeStartedDetails"]["DurableExecutionArn"])


def test_an_answer_to_an_invoked_execution_finishes_its_caller_without_polling() -> None:
    with DurableFunctionTestRunner(invokes_an_asker, poll_interval=3600) as runner:
        runner.register_durable_function("asker", asks_once)
        arn = runner.run_async()
        child = _invoked_arn(runner, arn)
        runner.send_callback_success(runner.wait_for_callback(child, name="ask", timeout=GUARD_SECONDS), b'"ok"')
        result = runner.wait_for_result(arn, timeout=GUARD_SECONDS)
    assert result.status.value == "SUCCEEDED" and json.loads(result.result or "") == '"ok"'


def test_the_synchronous_run_still_skips_an_hour_long_wait() -> None:
    with DurableFunctionTestRunner(waits_an_hour) as runner:
        result = runner.run(timeout=GUARD_SECONDS)
        types = event_types(runner, _only_arn(runner))
    assert result.status.value == "SUCCEEDED" and "WaitSucceeded" in types


def _only_arn(runner: DurableFunctionTestRunner) -> str:
    (record,) = runner.backend.store.list_executions()
    return record.arn
