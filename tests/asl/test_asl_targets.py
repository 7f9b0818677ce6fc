"""Where a durable result lands: `a, b = context.step(...)` and `out["k"] = context.invoke(...)` compile
(the result goes to a fresh variable, then an ordinary assignment stores it), and end the same way on
our runtime and on both local interpreters."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.test_asl_differential import on_asl, on_runtime

HANDLER = '''from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration
from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitForConditionDecision


@durable_step
def pair(step_ctx: StepContext, n: int) -> list:
    return [n, n * 2]


def every_second(state: dict, attempt: int) -> WaitForConditionDecision:
    if state["n"] >= 2:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(1))


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    out = {"n": event["n"]}
    a, b = context.step(pair(event["n"]), name="pair")
    out["doubled"] = context.step(lambda _: b * 2, name="quad")
    polled = {}
    polled["state"] = context.wait_for_condition(
        lambda state, check_ctx: {"n": state["n"] + 1},
        config=WaitForConditionConfig(wait_strategy=every_second, initial_state={"n": 0}),
        name="poll",
    )
    return {"a": a, "b": b, "out": out, "polled": polled}
'''


@pytest.mark.parametrize("engine", ["moto", "sfnx"])
def test_results_stored_in_tuples_and_subscripts(engine: str, tmp_path: Path) -> None:
    path = tmp_path / "targets_handler.py"
    path.write_text(HANDLER)
    compiled = compile_file(path)
    assert compiled.ok and not [d for d in compiled.diagnostics if d.code == "DUR820"], compiled.diagnostics
    try:
        expected = on_runtime(path, {"n": 3})
        assert expected == ("SUCCEEDED", {"a": 3, "b": 6, "out": {"n": 3, "doubled": 12},
                                          "polled": {"state": {"n": 2}}}, None)
        assert on_asl(path, {"n": 3}, engine) == expected
    finally:
        sys.modules.pop(path.stem, None)
