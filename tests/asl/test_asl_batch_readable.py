"""Readable batch output: the states a `map`/`parallel` needs, and no more, ending as on the runtime.

Each case is a handler and the shape its batch compiles to (which states the processor or branches
have); every case also runs on our durable runtime and, compiled by to-asl, on sfnx.testing, and must
end the same (status, result, error type).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_asl_differential import check

from durable_compile.backends.asl.branch_outcome import INDEX_SOURCE
from durable_compile.backends.asl.fold import assignments
from durable_compile.backends.asl.package import compile_file
from durable_compile.backends.asl.totality import numeric_variables

HEAD = '''from aws_durable_execution_sdk_python import (
    DurableContext, StepContext, durable_execution, durable_step, durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import CompletionConfig, MapConfig, ParallelConfig, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def check(step_ctx: StepContext, value: int, modulus: int) -> int:
    if value % modulus == 0:
        raise ValueError(f"bad {value}")
    return value + 1


'''

NUMBERED = HEAD + '''def numbered(ctx: DurableContext, value: int, index: int, values: list) -> dict:
    got = ctx.step(check(value, 4), config=ONCE)
    total = ctx.step(check(got, 7), config=ONCE)
    return {"line": index + 1, "total": total}


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    batch = context.map(event["values"], numbered, config=MapConfig(completion_config=CompletionConfig(
        tolerated_failure_count=1)))
    return {"results": batch.get_results(), "bad": batch.failure_count}
'''

RENUMBERED = NUMBERED.replace('    got = ctx.step', '    index = index + len(values)\n    got = ctx.step')


def machine(source: str, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "handler.py"
    path.write_text(source)
    compiled = compile_file(path)
    assert compiled.ok
    return compiled.output.definition


def processor(definition: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in definition["States"].values() if s["Type"] == "Map")["ItemProcessor"]


def test_a_return_that_reads_the_index_ends_the_last_task(tmp_path: Path) -> None:
    states = processor(machine(NUMBERED, tmp_path))["States"]
    task = [s for s in states.values() if s["Type"] == "Task"][-1]
    assert task.get("End") is True and "$index + 1" in task["Output"]
    assert [s["Comment"].split(" (")[0] for s in states.values() if s["Type"] == "Succeed"] == [
        "branch map-item failed: its error entry is the outcome"]


def _map_over(first: dict[str, Any]) -> dict[str, Any]:
    selector = {"item": "{% $states.context.Map.Item.Value %}", "index": INDEX_SOURCE}
    states = {"first": first, "done": {"Type": "Succeed"}}
    return {"StartAt": "map", "States": {"map": {"Type": "Map", "Items": [1], "ItemSelector": selector, "End": True,
                                                   "ItemProcessor": {"StartAt": "first", "States": states}}}}


def test_the_index_is_a_number_only_where_the_processor_starts() -> None:
    """A Map iteration's index, read from the input of the processor's first state, counts as a number
    (the fold may then move `$index + 1` under a catcher); not where a loop goes back to that state."""
    once = {"Type": "Pass", "Assign": {"i": "{% $states.input.index %}"}, "Next": "done"}
    again = {"Type": "Choice", "Assign": {"i": "{% $states.input.index %}"}, "Default": "done",
             "Choices": [{"Condition": "{% $random() > 0.5 %}", "Next": "first"}]}
    assert numeric_variables(assignments(_map_over(once))) == {"i"}
    assert numeric_variables(assignments(_map_over(again))) == frozenset()
    item = {"Type": "Pass", "Assign": {"i": "{% $states.input.item %}"}, "Next": "done"}
    assert numeric_variables(assignments(_map_over(item))) == frozenset()


@pytest.mark.parametrize("source", [NUMBERED, RENUMBERED], ids=["index", "reassigned index"])
@pytest.mark.parametrize("values", [[1, 2, 3], [4, 5, 8, 6], []])
def test_numbered_items_end_as_on_the_runtime(source: str, values: list[int], tmp_path: Path) -> None:
    check(source, 0, tmp_path, "sfnx", {"values": values})

