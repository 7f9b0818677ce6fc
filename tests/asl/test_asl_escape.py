"""Failures no `except` catches leave the task with the handler's error type, and need no Catch or Fail.

Each handler below fails (or recovers) in a different way: a step with no retry, retried on every error,
retried on some types only (with a matching and a non-matching error), a flaky step that recovers, the
same inside child contexts (ChildContextError), a failing wait_for_condition check
(WaitForConditionError), failures inside map/parallel branches, and failures an `except` catches (they
keep the body's own error type; a bare `raise` raises what was caught again). Each must end with the
same status, result, error type and error message on our durable runtime and, compiled by to-asl, on
sfnx.testing and moto; and the uncaught ones compile without scaffolding (no Catch, no Fail state).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.test_asl_differential import load_handler

HEAD = '''import re

from aws_durable_execution_sdk_python import (
    DurableContext, StepContext, StepError, durable_execution, durable_step, durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import Duration, JitterStrategy, MapConfig, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitForConditionDecision

ONCE = StepConfig(retry_strategy=RetryPresets.none())
THRICE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(1), jitter_strategy=JitterStrategy.NONE)))
FOUR_TIMES = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(  # MaxAttempts 3: left out
    max_attempts=4, initial_delay=Duration.from_seconds(1), jitter_strategy=JitterStrategy.NONE)))
ON_VALUE_ERROR = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(1), retryable_error_types=[ValueError])))
ON_THROTTLE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(1), retryable_errors=["throttled", re.compile(r"slow ?down")],
    retryable_error_types=[KeyError])))
ON_KEY_ERROR = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(1), retryable_error_types=[KeyError])))


class Broken(Exception):
    """A user error type (its name must survive when an except catches it)."""


@durable_step
def boom(step_ctx: StepContext, what: str) -> str:
    raise ValueError(f"{what} failed at attempt {step_ctx.attempt}")


@durable_step
def flaky(step_ctx: StepContext, what: str) -> str:
    if step_ctx.attempt < 2:
        raise ValueError(f"{what} is flaky")
    return f"{what} at attempt {step_ctx.attempt}"


@durable_step
def says(step_ctx: StepContext, first: str, then: str) -> str:
    message = first if step_ctx.attempt == 1 else then
    if message != "ok":
        raise RuntimeError(f"{message} at attempt {step_ctx.attempt}")
    return f"ok at attempt {step_ctx.attempt}"


@durable_step
def broken(step_ctx: StepContext, what: str) -> str:
    raise Broken(f"{what} is broken")


@durable_with_child_context
def inner(ctx: DurableContext, what: str) -> str:
    return ctx.step(boom(what), name="inner-boom", config=THRICE)


@durable_with_child_context
def outer(ctx: DurableContext, what: str) -> str:
    return ctx.run_in_child_context(inner(what), name="inner")


def unlucky(state: int, check_ctx) -> int:
    if state == 2:
        raise ValueError("two is unlucky")
    return state + 1


def forever(state: int, attempt: int) -> WaitForConditionDecision:
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(5))


def mapped(ctx: DurableContext, value: int, index: int, values: list) -> str:
    if value == 2:
        return ctx.step(boom(f"item {value}"), name="item", config=THRICE)
    return ctx.step(flaky(f"item {value}"), name="item", config=ON_VALUE_ERROR)
'''

#: name -> (handler body, whether the compiled machine needs no Catch and no Fail at all)
CASES: dict[str, tuple[str, bool]] = {
    "step with no retry": ('''
    return context.step(boom("charge"), name="charge", config=ONCE)
''', True),
    "step retried on every error, failing every attempt": ('''
    return context.step(boom("charge"), name="charge", config=THRICE)
''', True),
    "step retried three times (ASL's default MaxAttempts, not written)": ('''
    return context.step(boom("charge"), name="charge", config=FOUR_TIMES)
''', True),
    "step with the default strategy, failing every attempt": ('''
    return context.step(boom("charge"), name="charge")
''', True),
    "flaky step recovers on a retry": ('''
    return context.step(flaky("charge"), name="charge", config=THRICE)
''', True),
    "type-filtered retrier, non-matching error fails at once": ('''
    return context.step(boom("charge"), name="charge", config=ON_KEY_ERROR)
''', True),
    "type-filtered retrier, matching error retried to the last attempt": ('''
    return context.step(boom("charge"), name="charge", config=ON_VALUE_ERROR)
''', True),
    "type-filtered retrier, matching error then success": ('''
    return context.step(flaky("charge"), name="charge", config=ON_VALUE_ERROR)
''', True),
    "message filter: a matching message is retried": ('''
    return context.step(says("throttled", "ok"), name="charge", config=ON_THROTTLE)
''', True),
    "message filter: a matching pattern is retried to the last attempt": ('''
    return context.step(says("slowdown", "slow down"), name="charge", config=ON_THROTTLE)
''', True),
    "message filter: another message fails at once": ('''
    return context.step(says("refused", "ok"), name="charge", config=ON_THROTTLE)
''', True),
    "inside a child context": ('''
    return context.run_in_child_context(inner("setup"), name="setup")
''', True),
    "inside nested child contexts": ('''
    return context.run_in_child_context(outer("setup"), name="setup")
''', True),
    "raise inside a child context": ('''
    def block(ctx: DurableContext) -> int:
        n = ctx.step(lambda _: 3, name="three")
        if n > 2:
            raise RuntimeError(f"{n} is too many")
        return n
    return context.run_in_child_context(block, name="block")
''', True),
    "lifted code failing inside a child context": ('''
    def block(ctx: DurableContext) -> int:
        n = ctx.step(lambda _: "x3", name="text")
        return int(n.removeprefix("y"))
    return context.run_in_child_context(block, name="block")
''', True),
    "failing condition check": ('''
    return context.wait_for_condition(unlucky, config=WaitForConditionConfig(wait_strategy=forever,
                                                                               initial_state=0), name="poll")
''', True),
    "failing condition check inside a child context": ('''
    def block(ctx: DurableContext) -> int:
        return ctx.wait_for_condition(unlucky, config=WaitForConditionConfig(wait_strategy=forever,
                                                                           initial_state=0), name="poll")
    return context.run_in_child_context(block, name="block")
''', True),
    "failing invoke: its error comes from another function (Catch and Fail kept)": ('''
    return context.invoke("declines", {"amount": 5}, name="pay")
''', False),
    "failing invoke inside a child context": ('''
    def block(ctx: DurableContext) -> dict:
        n = ctx.step(lambda _: 7, name="seven")
        return ctx.invoke("declines", {"amount": n}, name="pay")
    return context.run_in_child_context(block, name="block")
''', False),
    "map branches failing after retries, and recovering": ('''
    batch = context.map([1, 2, 3], mapped, name="items", config=MapConfig(max_concurrency=1))
    return {"ok": batch.get_results(), "failed": [e.message for e in batch.get_errors()]}
''', False),
    "parallel branch failing after retries, thrown": ('''
    batch = context.parallel([lambda c: c.step(boom("left"), name="left", config=THRICE),
                              lambda c: c.step(flaky("right"), name="right", config=THRICE)], name="both")
    batch.throw_if_error()
    return batch.get_results()
''', False),
    "bare raise re-raises the StepError": ('''
    try:
        return context.step(boom("charge"), name="charge", config=ONCE)
    except StepError as err:
        raise
''', False),
    "bare raise re-raises lifted code's own error": ('''
    try:
        return int(event.get("text", "x3"))
    except ValueError as err:
        raise
''', False),
    "bare raise inside a child context": ('''
    def block(ctx: DurableContext) -> str:
        try:
            return ctx.step(boom("inner"), name="inner", config=ONCE)
        except StepError as err:
            raise
    return context.run_in_child_context(block, name="block")
''', False),
    "bare raise through finally": ('''
    try:
        context.step(boom("charge"), name="charge", config=ONCE)
    except StepError as err:
        raise
    finally:
        context.step(lambda _: 1, name="cleanup")
    return None
''', False),
    "caught failure keeps the body's error type": ('''
    try:
        context.step(broken("charge"), name="charge", config=THRICE)
    except StepError as err:
        return {"type": err.error_type.rsplit(".", 1)[-1], "message": err.message}
    return None
''', False),
    "caught failure of a filtered retrier keeps the body's error type": ('''
    try:
        context.step(boom("charge"), name="charge", config=ON_KEY_ERROR)
    except StepError as err:
        return {"type": err.error_type.rsplit(".", 1)[-1], "message": err.message}
    return None
''', False),
}
#: what some cases must end with (agreement alone could come from both sides doing nothing)
PINNED: dict[str, tuple[str, Any, str | None, str | None]] = {
    "step with no retry": ("FAILED", None, "StepError", "charge failed at attempt 1"),
    "step retried on every error, failing every attempt": ("FAILED", None, "StepError",
                                                           "charge failed at attempt 3"),
    "step with the default strategy, failing every attempt": ("FAILED", None, "StepError",
                                                              "charge failed at attempt 6"),
    "step retried three times (ASL's default MaxAttempts, not written)": ("FAILED", None, "StepError",
                                                                          "charge failed at attempt 4"),
    "flaky step recovers on a retry": ("SUCCEEDED", "charge at attempt 2", None, None),
    "type-filtered retrier, non-matching error fails at once": ("FAILED", None, "StepError",
                                                                "charge failed at attempt 1"),
    "type-filtered retrier, matching error retried to the last attempt": ("FAILED", None, "StepError",
                                                                          "charge failed at attempt 3"),
    "message filter: a matching message is retried": ("SUCCEEDED", "ok at attempt 2", None, None),
    "message filter: a matching pattern is retried to the last attempt": ("FAILED", None, "StepError",
                                                                          "slow down at attempt 3"),
    "message filter: another message fails at once": ("FAILED", None, "StepError", "refused at attempt 1"),
    "inside a child context": ("FAILED", None, "ChildContextError", "setup failed at attempt 3"),
    "inside nested child contexts": ("FAILED", None, "ChildContextError", "setup failed at attempt 3"),
    "lifted code failing inside a child context": ("FAILED", None, "ChildContextError",
                                                   "invalid literal for int() with base 10: 'x3'"),
    "raise inside a child context": ("FAILED", None, "ChildContextError", "3 is too many"),
    "failing condition check": ("FAILED", None, "WaitForConditionError", "two is unlucky"),
    "failing condition check inside a child context": ("FAILED", None, "ChildContextError", "two is unlucky"),
    "map branches failing after retries, and recovering": (  # the failure ends the map: none is tolerated
        "SUCCEEDED", {"ok": ["item 1 at attempt 2"], "failed": ["item 2 failed at attempt 3"]}, None, None),
    "failing invoke: its error comes from another function (Catch and Fail kept)": ("FAILED", None, "InvokeError",
                                                                                    "declined 5"),
    "failing invoke inside a child context": ("FAILED", None, "ChildContextError", "declined 7"),
    "bare raise re-raises the StepError": ("FAILED", None, "StepError", "charge failed at attempt 1"),
    "bare raise re-raises lifted code's own error": ("FAILED", None, "ValueError",
                                                     "invalid literal for int() with base 10: 'x3'"),
    "bare raise inside a child context": ("FAILED", None, "ChildContextError", "inner failed at attempt 1"),
    "bare raise through finally": ("FAILED", None, "StepError", "charge failed at attempt 1"),
    "caught failure keeps the body's error type": (
        "SUCCEEDED", {"type": "Broken", "message": "charge is broken"}, None, None),
}
COUNTER = itertools.count(1)


def declines(event: dict[str, Any], lambda_context: object) -> dict[str, Any]:
    """The function the handlers invoke (another Lambda), which fails."""
    raise RuntimeError(f"declined {event['amount']}")


Ending = tuple[str, Any, str | None, str | None]


def write_handler(tmp: Path, body: str) -> Path:
    path = tmp / f"escape_handler_{next(COUNTER)}.py"
    path.write_text("from typing import Any\n\n" + HEAD + "\n\n@durable_execution\n"
                    "def handler(event: dict, context: DurableContext) -> Any:\n" + body.strip("\n") + "\n")
    return path


def on_runtime(path: Path) -> Ending:
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        runner.register_function("declines", declines)
        result = runner.run(input="{}", execution_timeout=60)
    status = str(getattr(result.status, "value", result.status)).rsplit(".", 1)[-1]
    error = result.error
    return (status, json.loads(result.result) if result.result else None,
            error.type.rsplit(".", 1)[-1] if error is not None and error.type else None,
            error.message if error is not None else None)


def on_asl(folder: Path, engine: str) -> Ending:
    outcome = run_folder(folder, {}, functions={"declines": lambda event: declines(event, None)},
                         engine=engine)  # type: ignore[arg-type]
    return outcome.status, outcome.result, outcome.error, outcome.cause


def scaffolding(definition: dict[str, Any]) -> list[str]:
    """The Catch entries of a definition and its Fail states for unhandled errors, every scope included."""
    found = []
    for name, state in definition["States"].items():
        found += [f"{name}: Catch" for _ in state.get("Catch", ())]
        if state["Type"] == "Fail" and state["Comment"].startswith("unhandled"):
            found.append(f"{name}: Fail")
        for scope in [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            found += scaffolding(scope)
    return found


@pytest.mark.parametrize("name", list(CASES))
def test_uncaught_failures_end_as_on_the_runtime(name: str, tmp_path: Path) -> None:
    body, bare = CASES[name]
    path = write_handler(tmp_path, body)
    compiled = compile_file(path)
    assert compiled.ok and compiled.output is not None, [d.message for d in compiled.diagnostics]
    write(compiled, tmp_path / "out")
    try:
        expected = on_runtime(path)
        for engine in ("sfnx", "moto"):
            assert on_asl(tmp_path / "out", engine) == expected, engine
    finally:
        sys.modules.pop(path.stem, None)
    if name in PINNED:
        assert expected == PINNED[name]
    if bare:
        assert scaffolding(compiled.output.definition) == []


def test_a_caught_failure_keeps_its_catch_and_the_uncaught_one_has_none(tmp_path: Path) -> None:
    caught = compile_file(write_handler(tmp_path, CASES["caught failure keeps the body's error type"][0]))
    assert caught.output is not None and scaffolding(caught.output.definition) == ["charge: Catch"]
    assert "_escapes" not in caught.files["steps_handler.py"]
    uncaught = compile_file(write_handler(tmp_path, CASES["type-filtered retrier, non-matching error fails at "
                                                          "once"][0]))
    assert '@_escapes("StepError", 3, ["KeyError"])' in uncaught.files["steps_handler.py"]


def message_notes(tmp_path: Path, body: str) -> list[str]:
    compiled = compile_file(write_handler(tmp_path, body))
    return [d.message for d in compiled.diagnostics if d.code == "DUR823" and "retryable_errors" in d.message]


def test_message_filters_are_applied_where_the_steps_function_raises_the_error(tmp_path: Path) -> None:
    """Uncaught, the steps function applies the message filter; where an `except` needs the body's own
    error type, or the patterns read handler locals, the approximation is reported (DUR823)."""
    assert message_notes(tmp_path, CASES["message filter: another message fails at once"][0]) == []
    assert message_notes(tmp_path, '''
    try:
        return context.step(says("refused", "ok"), name="charge", config=ON_THROTTLE)
    except StepError:
        return None
''')
    assert message_notes(tmp_path, '''
    word = context.step(lambda _: "throttled", name="word")
    return context.step(says("refused", "ok"), name="charge", config=StepConfig(
        retry_strategy=create_retry_strategy(RetryStrategyConfig(retryable_errors=[word]))))
''')


def test_a_step_config_the_compiler_cannot_read_is_reported(tmp_path: Path) -> None:
    compiled = compile_file(write_handler(tmp_path, '''
    config = ONCE if context.step(lambda _: True, name="flag") else THRICE
    return context.step(boom("charge"), name="charge", config=config)
'''))
    assert any(d.code == "DUR823" and "'config' is not known when compiling" in d.message for d in compiled.diagnostics)
