"""`for` over a handler value visits what Python visits: a list's items, a dict's keys (none for an empty
dict). A value Python cannot iterate fails in both. A string is iterated by characters in Python; the
state machine fails loudly there (it never iterates a string once as a whole)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.asl.test_asl_differential import on_asl, on_runtime

HANDLER = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event: dict, context: DurableContext) -> list:
    out = []
    for x in event["items"]:
        out.append(x)
    return out
'''


@pytest.fixture
def path(tmp_path: Path) -> Any:
    file = tmp_path / "loop_handler.py"
    file.write_text(HANDLER)
    yield file
    sys.modules.pop(file.stem, None)


@pytest.mark.parametrize("items", [[1, [2]], [], {"a": 1, "b": 2}, {"k": 0}, {}])
@pytest.mark.parametrize("engine", ["moto", "sfnx"])
def test_lists_and_dicts_iterate_as_in_python(path: Path, engine: str, items: Any) -> None:
    expected = on_runtime(path, {"items": items})
    assert expected[0] == "SUCCEEDED"
    assert on_asl(path, {"items": items}, engine) == expected


@pytest.mark.parametrize("engine", ["moto", "sfnx"])
def test_values_that_are_not_strings_lists_or_dicts_fail(path: Path, engine: str) -> None:
    assert on_runtime(path, {"items": 5})[0] == "FAILED"
    assert on_asl(path, {"items": 5}, engine)[0] == "FAILED"


@pytest.mark.parametrize("engine", ["moto", "sfnx"])
def test_a_string_iterates_by_characters(path: Path, engine: str) -> None:
    expected = on_runtime(path, {"items": "ab é"})
    assert expected[1] == ["a", "b", " ", "é"]
    assert on_asl(path, {"items": "ab é"}, engine) == expected
