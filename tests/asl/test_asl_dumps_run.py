"""A handler that writes JSON text with `json.dumps` runs the same on the durable runtime and, compiled,
under both local interpreters (sfnx and moto): the text is built in JSONata, character for character
what Python writes, and a step that receives it sees the same string.
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
def load(step_ctx: StepContext, doc: object) -> object:
    return doc


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    doc = context.step(load(event["doc"]), name="load")
    text = json.dumps(doc)
    compact = json.dumps({"size": len(text), "doc": doc}, separators=(",", ":"))
    echoed = context.step(lambda _: text + "|" + compact, name="echo")
    both = [json.dumps([doc, {"k": [doc]}]), json.dumps((doc, 1))]  # two writers in one expression
    return {"text": text, "compact": compact, "echoed": echoed, "both": both}
'''
CASES: dict[str, Any] = {
    "nested": {"b": [1, -2, 0.5, None, True, False], "a": {"x": "y", "empty": {}, "list": []}},
    "text to escape": ['quote " backslash \\ slash /', "tab\t newline\n", "café ü ß", "\u0001\u007f"],
    "a string": "plain",
    "a number": 1234567,
    "null": None,
}


@pytest.fixture
def handler_file(tmp_path: Path) -> Path:
    path = tmp_path / "dumps_handler.py"
    path.write_text(SOURCE)
    return path


def test_only_the_step_bodies_run_in_python(handler_file: Path) -> None:
    compiled = compile_file(handler_file)
    assert compiled.ok
    assert [d.code for d in compiled.diagnostics if d.code in ("DUR821", "DUR822")] == []


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_runs_as_on_the_runtime(handler_file: Path, case: str, engine: str) -> None:
    event = {"doc": CASES[case]}
    expected = on_runtime(handler_file, event)
    assert expected[0] == "SUCCEEDED"
    assert on_asl(handler_file, event, engine) == expected


def test_a_number_it_cannot_write_as_python_fails_loudly(handler_file: Path) -> None:
    event = {"doc": {"ratio": 0.1 + 0.2}}
    assert on_runtime(handler_file, event)[0] == "SUCCEEDED"
    assert on_asl(handler_file, event, "sfnx")[:2] == ("FAILED", None)
