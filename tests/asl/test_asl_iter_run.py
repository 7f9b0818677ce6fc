"""A handler that uses comprehensions, sum/any/max, unpacking, `**`, json.loads and `{n:04d}` runs the
same on the durable runtime and, compiled, under both local interpreters (sfnx and moto).

Everything in it translates to JSONata except the unpacking inside `try/except ValueError`, which stays
a computation task (the state machine could not catch a failure of its JSONata there). Where Python
raises outside any `try`, the execution fails on both sides; the error type differs by design (the
state machine reports States.QueryEvaluationError, with the Python error in the cause).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.test_asl_differential import on_asl, on_runtime

SOURCE = '''import json

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step


@durable_step
def double(step_ctx: StepContext, value: int) -> int:
    return value * 2


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    rows = event["rows"]
    big = [row["k"] for row in rows if row["k"] > 2]
    total = context.step(double(sum(row["k"] for row in rows)), name="double")
    first, second = event["pair"]
    try:
        left, right = event["maybe"]
    except ValueError:
        left, right = "none", "none"
    doc = json.loads(event["doc"])
    return {**doc, "big": big, "total": total, "negative": any(row["k"] < 0 for row in rows), "first": first,
            "second": second, "left": left, "right": right, "id": f"#{total:04d}", "top": max(r["k"] for r in rows)}
'''
EVENT: dict[str, Any] = {"rows": [{"k": 3}, {"k": -1}, {"k": 5}], "pair": [1, [2]], "maybe": ["l", "r"],
                         "doc": '{"signed": true, "by": "Ann O\'Neil"}'}
CASES = {
    "all translated": EVENT,
    "caught by except ValueError": {**EVENT, "maybe": [1, 2, 3]},
    "one row": {**EVENT, "rows": [{"k": 4}]},
}
FAILING = {
    "unpacking the wrong length": {**EVENT, "pair": [1]},
    "max of no rows": {**EVENT, "rows": []},
    "single-quoted json": {**EVENT, "doc": "{'signed': true}"},
}


@pytest.fixture
def handler_file(tmp_path: Path) -> Path:
    path = tmp_path / "iter_handler.py"
    path.write_text(SOURCE)
    return path


def test_only_the_unpacking_under_except_is_lifted(handler_file: Path) -> None:
    compiled = compile_file(handler_file)
    lifted = [(d.code, d.span.line) for d in compiled.diagnostics if d.code in ("DUR821", "DUR822")]
    assert lifted == [("DUR821", 18)]


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_as_on_the_runtime(handler_file: Path, case: str, engine: str) -> None:
    expected = on_runtime(handler_file, CASES[case])
    assert expected[0] == "SUCCEEDED"
    assert on_asl(handler_file, CASES[case], engine) == expected


@pytest.mark.parametrize("case", sorted(FAILING))
def test_fails_where_python_raises(handler_file: Path, case: str) -> None:
    assert on_runtime(handler_file, FAILING[case])[0] == "FAILED"
    status, _, error = on_asl(handler_file, FAILING[case], "sfnx")
    assert (status, error) == ("FAILED", "States.QueryEvaluationError")
