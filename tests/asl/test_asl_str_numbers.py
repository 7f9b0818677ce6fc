"""`str()` and f-strings of numbers whose type the compiler does not know (read from the event or a step)
are written by JSONata's `$string` only where it writes what Python writes; a number it would write
otherwise (rounded to 15 digits, or in another notation) fails the execution loudly instead of giving
different text. A float of unknown type with a whole value (`5.0`) cannot be told from the integer `5`
once it is JSON and is written `5` (docs/aws-differences.md; floats the compiler proves print as in
Python: test_asl_floats.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.asl.test_asl_differential import on_asl, on_runtime

SOURCE = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    value = context.step(lambda _: event["value"], name="load")
    return {"f": f"value {value}", "s": str(event["value"]) + "!"}
'''
#: numbers Python and JSONata write alike
EXACT: dict[str, Any] = {"integer": 42, "negative": -7, "zero": 0, "decimal": 2.5, "small": 0.0001,
                         "fifteen digits": 0.123456789012345,
                         "large integer": 999999999999999, "text": "abc", "none": None, "true": True}
#: numbers JSONata would write differently: the execution fails where Python writes them
INEXACT: dict[str, Any] = {"sixteen digits": 0.1 + 0.2, "tiny": 1e-7, "huge": 1e16, "large float": 1.5e15}


@pytest.fixture
def handler_file(tmp_path: Path) -> Path:
    path = tmp_path / "str_numbers.py"
    path.write_text(SOURCE)
    return path


@pytest.mark.parametrize("case", sorted(EXACT))
def test_exact_numbers_read_the_same(handler_file: Path, case: str) -> None:
    event = {"value": EXACT[case]}
    expected = on_runtime(handler_file, event)
    assert expected[0] == "SUCCEEDED"
    assert on_asl(handler_file, event, "sfnx") == expected


@pytest.mark.parametrize("case", sorted(INEXACT))
def test_other_numbers_fail_loudly(handler_file: Path, case: str) -> None:
    event = {"value": INEXACT[case]}
    assert on_runtime(handler_file, event)[0] == "SUCCEEDED"
    status, result, error = on_asl(handler_file, event, "sfnx")
    assert (status, result, error) == ("FAILED", None, "States.QueryEvaluationError")


def test_a_whole_float_is_written_as_an_integer(handler_file: Path) -> None:
    """The documented deviation: JSON `5.0` is the number 5 in the state machine."""
    event = {"value": 5.0}
    assert on_runtime(handler_file, event) == ("SUCCEEDED", {"f": "value 5.0", "s": "5.0!"}, None)
    assert on_asl(handler_file, event, "sfnx") == ("SUCCEEDED", {"f": "value 5", "s": "5!"}, None)
