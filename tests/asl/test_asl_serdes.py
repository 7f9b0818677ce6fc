"""Custom serdes: the handler sees `deserialize(serialize(value))`, computed where the SDK computes it.

The serdes below change what they round-trip (`Boxed` wraps a value, `Counting` adds one to a number on
every deserialize), so a compiled machine that skipped the round trip, or ran it once too often or in
the wrong place, ends differently. Steps, child contexts and wait_for_condition run through them, and
through a serdes that fails (the execution fails at once with SerDesError, without a retry, even from
inside a child context). Each handler must end with
the same status, result and error type on our durable runtime and, compiled by to-asl, on sfnx.testing
and moto; the pinned outcomes show the round trips happened.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file, write
from tests.asl import test_asl_differential as differential
from tests.asl import test_asl_finally as finally_tests

HEAD = '''import json
from typing import Any

from aws_durable_execution_sdk_python import (
    ChildContextError, DurableContext, StepContext, StepError, durable_execution, durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.exceptions import WaitForConditionError
from aws_durable_execution_sdk_python.config import ChildConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy
from aws_durable_execution_sdk_python.serdes import SerDes
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitForConditionDecision


class Boxed(SerDes):
    """Deserializes into a box around the value."""

    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return {"boxed": json.loads(data)}


class Counting(SerDes):
    """Every deserialize adds one to the number it reads."""

    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return json.loads(data) + 1


class Picky(SerDes):
    """Serializes strings only."""

    def serialize(self, value, serdes_context):
        if not isinstance(value, str):
            raise TypeError(f"cannot store {type(value).__name__}")
        return value

    def deserialize(self, data, serdes_context):
        return data


BOXED = StepConfig(serdes=Boxed())
THRICE_PICKY = StepConfig(serdes=Picky(), retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(1))))


@durable_step
def echo(step_ctx: StepContext, what: Any) -> Any:
    return what


@durable_with_child_context
def total(ctx: DurableContext, values: list) -> int:
    found = 0
    for v in values:
        found = found + ctx.step(echo(v), name="value")
    return found


def grow(state: int, check_ctx) -> int:
    return state + 10


def until_over_30(state: int, attempt: int) -> WaitForConditionDecision:
    if state > 30:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(5))


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''

CASES: dict[str, str] = {
    "step through a serdes written in place and in a module constant": '''
    a = context.step(echo("hi"), name="in-place", config=StepConfig(serdes=Boxed()))
    b = context.step(echo([1, 2]), name="constant", config=BOXED)
    return {"a": a, "b": b}
''',
    "step whose serdes fails, retried on every error: not retried, SerDesError": '''
    return context.step(echo(7), name="seven", config=THRICE_PICKY)
''',
    "child context through a serdes, returning and falling off the end": '''
    n = context.run_in_child_context(total([1, 2, 3]), name="total", config=ChildConfig(serdes=Boxed()))

    def nothing(ctx: DurableContext) -> None:
        ctx.step(echo(0), name="zero")

    none = context.run_in_child_context(nothing, name="nothing", config=ChildConfig(serdes=Boxed()))
    return {"n": n, "none": none}
''',
    "child context whose serdes fails, uncaught": '''
    return context.run_in_child_context(total([1, 2]), name="total", config=ChildConfig(serdes=Picky()))
''',
    "step with a failing serdes inside a child context: SerDesError crosses the boundary": '''
    def block(ctx: DurableContext) -> str:
        return ctx.step(echo(5), name="five", config=THRICE_PICKY)
    return context.run_in_child_context(block, name="block")
''',
    "wait_for_condition whose serdes fails: except WaitForConditionError lets it through": '''
    try:
        return context.wait_for_condition(grow, config=WaitForConditionConfig(
            wait_strategy=until_over_30, initial_state=0, serdes=Picky()), name="poll")
    except WaitForConditionError:
        return "condition failed"
''',
    "wait_for_condition whose serdes fails in a try/finally, then caught by except Exception": '''
    try:
        try:
            return context.wait_for_condition(grow, config=WaitForConditionConfig(
                wait_strategy=until_over_30, initial_state=0, serdes=Picky()), name="poll")
        finally:
            context.step(echo(1), name="one")
    except Exception:
        return "caught after the finally"
''',
    "wait_for_condition state through a serdes on every attempt": '''
    return context.wait_for_condition(grow, config=WaitForConditionConfig(
        wait_strategy=until_over_30, initial_state=0, serdes=Counting()), name="poll")
''',
}
PINNED: dict[str, tuple[str, Any, str | None]] = {
    "step through a serdes written in place and in a module constant": (
        "SUCCEEDED", {"a": {"boxed": "hi"}, "b": {"boxed": [1, 2]}}, None),
    "step whose serdes fails, retried on every error: not retried, SerDesError": ("FAILED", None, "SerDesError"),
    "child context through a serdes, returning and falling off the end": (
        "SUCCEEDED", {"n": {"boxed": 6}, "none": {"boxed": None}}, None),
    "child context whose serdes fails, uncaught": ("FAILED", None, "SerDesError"),
    "step with a failing serdes inside a child context: SerDesError crosses the boundary": (
        "FAILED", None, "SerDesError"),
    "wait_for_condition whose serdes fails: except WaitForConditionError lets it through": (
        "FAILED", None, "SerDesError"),
    "wait_for_condition whose serdes fails in a try/finally, then caught by except Exception": (
        "SUCCEEDED", "caught after the finally", None),
    # 0 -> 1 (the initial state's round trip) -> 11 -> 12 -> 22 -> 23 -> 33 -> 34 (stops: over 30)
    "wait_for_condition state through a serdes on every attempt": ("SUCCEEDED", 34, None),
}
COUNTER = itertools.count(1)


def write_handler(tmp: Path, body: str) -> Path:
    path = tmp / f"serdes_handler_{next(COUNTER)}.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    return path


@pytest.mark.parametrize("name", list(CASES))
def test_the_handler_sees_values_through_the_serdes(name: str, tmp_path: Path) -> None:
    path = write_handler(tmp_path, CASES[name])
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    write(compiled, tmp_path / "out")
    try:
        expected = finally_tests.on_runtime(path)
        for engine in ("sfnx", "moto"):
            assert finally_tests.on_asl(tmp_path / "out", engine)[:3] == expected[:3], engine
    finally:
        sys.modules.pop(path.stem, None)
    assert expected[:3] == PINNED[name]


#: (a serdes failure that `except` or `finally` catches around a step or a child context is compiled:
#: test_asl_serdes_ops.py)
#: (a serdes failure that `except` or `finally` catches around a step, a child context or a
#: wait_for_condition is compiled: the cases above, test_asl_serdes_ops.py)
REFUSED = {
    "built from handler locals": ("""
    serdes = Boxed() if event else Counting()
    return context.step(echo(1), name="one", config=StepConfig(serdes=serdes))
""", "reads handler locals"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_serdes_the_machine_cannot_run_faithfully_is_refused_with_a_hint(name: str, tmp_path: Path) -> None:
    body, hint = REFUSED[name]
    compiled = compile_file(write_handler(tmp_path, body))
    refused = [d.message for d in compiled.diagnostics if d.code == "DUR820"]
    assert len(refused) == 1 and hint in refused[0], refused


GOLDEN_INPUT = Path(__file__).resolve().parents[1] / "golden" / "inputs" / "custom_serdes.py"


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
def test_the_golden_serdes_handler_ends_as_on_the_runtime(engine: str, tmp_path: Path) -> None:
    path = tmp_path / GOLDEN_INPUT.name
    path.write_text(GOLDEN_INPUT.read_text())
    try:
        expected = differential.on_runtime(path, {"account": "acme"})
        assert differential.on_asl(path, {"account": "acme"}, engine) == expected
    finally:
        sys.modules.pop(path.stem, None)
    assert expected == ("SUCCEEDED", {"summary": {"account": "acme", "count": 3}, "polled": {"polls": 3}}, None)
