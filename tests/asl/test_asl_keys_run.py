"""A handler that sorts and picks with key functions, iterates strings and joins runs the same on the
durable runtime and, compiled, under both local interpreters (sfnx and moto); all of it stays in JSONata.

Where Python raises outside any `try` (max of nothing without a default), the execution fails on both
sides; the error type differs by design (the state machine reports States.QueryEvaluationError, with the
Python error in the cause: docs/aws-differences.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.test_asl_differential import on_asl, on_runtime

SOURCE = '''from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step


@durable_step
def load(step_ctx: StepContext, orders: list) -> list:
    return orders


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    orders = context.step(load(event["orders"]), name="load")
    by_total = sorted(orders, key=lambda o: o["total"])
    ranked = sorted(orders, key=lambda o: (o["region"], -o["total"]), reverse=True)
    biggest = max(orders, key=lambda o: o["total"], default=None)
    first_name = min((o["name"] for o in orders), key=str.lower, default="")
    initials = "".join(o["name"][0] for o in orders if o["name"])
    letters = [c for c in event["code"] if c != "-"]
    newest = max(orders, key=lambda o: o["id"])
    return {"by_total": [o["id"] for o in by_total], "ranked": [o["id"] for o in ranked], "biggest": biggest,
            "first_name": first_name, "initials": initials, "letters": "-".join(letters), "newest": newest["id"]}
'''
ORDERS = [{"id": 1, "name": "pear", "total": 20, "region": "eu"},
          {"id": 2, "name": "Apple", "total": 5, "region": "us"},
          {"id": 3, "name": "fig", "total": 20, "region": "eu"},
          {"id": 4, "name": "", "total": 7.5, "region": "us"}]
CASES: dict[str, dict[str, Any]] = {
    "several orders, ties kept in order": {"orders": ORDERS, "code": "ab-cé"},
    "one order": {"orders": ORDERS[:1], "code": ""},
}


@pytest.fixture
def handler_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys_handler.py"
    path.write_text(SOURCE)
    return path


def test_nothing_is_lifted(handler_file: Path) -> None:
    compiled = compile_file(handler_file)
    assert compiled.ok
    assert [d.code for d in compiled.diagnostics if d.code in ("DUR821", "DUR822")] == []


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_as_on_the_runtime(handler_file: Path, case: str, engine: str) -> None:
    expected = on_runtime(handler_file, CASES[case])
    assert expected[0] == "SUCCEEDED"
    assert on_asl(handler_file, CASES[case], engine) == expected


def test_fails_where_python_raises(handler_file: Path) -> None:
    event = {"orders": [], "code": "x"}
    assert on_runtime(handler_file, event)[0] == "FAILED"
    status, _, error = on_asl(handler_file, event, "sfnx")
    assert (status, error) == ("FAILED", "States.QueryEvaluationError")
