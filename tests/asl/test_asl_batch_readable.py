"""Readable batch output: the states a `map`/`parallel` needs, and no more, ending as on the runtime.

Each case is a handler and the shape its batch compiles to (which states the processor or branches
have); every case also runs on our durable runtime and, compiled by to-asl, on sfnx.testing, and must
end the same (status, result, error type).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_asl_differential import check

from durable_compile.backends.asl.batch import ALL_SUCCEEDED, is_fold
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


# --- a batch that fails at its first failure -------------------------------------------------------------
BRANCHES = HEAD.replace("    DurableContext,", "    ChildContextError, DurableContext,") + '''
@durable_with_child_context
def grow(ctx: DurableContext, value: int) -> int:
    value = ctx.step(lambda _: value + 1, name="grow")
    if value % 3 == 0:
        raise RuntimeError(f"{value} is a multiple of 3")
    return value


def steps(ctx: DurableContext, value: int, index: int, values: list) -> dict:
    first = ctx.step(check(value, 3), config=ONCE)
    return {"first": first, "second": ctx.step(check(first, 5), config=ONCE), "at": index}


def raising(ctx: DurableContext, value: int, index: int, values: list) -> list:
    got = ctx.step(lambda _: value * 2, name="double")
    if got > 6:
        raise RuntimeError(f"too big: {got}")
    if got == 4:
        raise KeyError()
    return [got, None]


def child(ctx: DurableContext, value: int, index: int, values: list) -> int:
    return ctx.run_in_child_context(grow(value))


def unpacking(ctx: DurableContext, value: int, index: int, values: list) -> int:
    pair = ctx.step(lambda _: [value] * (value % 3), name="pair")
    first, second = pair
    return first + second


def nested(ctx: DurableContext, value: int, index: int, values: list) -> dict:
    inner = ctx.parallel([lambda c: c.step(check(value, 2), config=ONCE), lambda c: c.step(lambda _: value)])
    inner.throw_if_error()
    low, high = inner.get_results()
    return {"low": low, "high": high}


def counted(ctx: DurableContext, value: int, index: int, values: list) -> int:
    inner = ctx.map([value, value + 1], lambda c, v, i, vs: c.step(check(v, 4), config=ONCE))
    return value + inner.success_count


def with_finally(ctx: DurableContext, value: int, index: int, values: list) -> int:
    try:
        return ctx.step(check(value, 2), config=ONCE)
    finally:
        ctx.step(lambda _: value, name="cleanup")


def nothing(ctx: DurableContext, value: int, index: int, values: list) -> None:
    ctx.step(check(value, 4), config=ONCE)


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
'''
THROWN = ('    batch.throw_if_error()\n'
          '    return {"results": batch.get_results(), "ok": batch.success_count, "bad": batch.failure_count, '
          '"reason": batch.completion_reason.value, "status": batch.status.value}\n')


def mapped(function: str, config: str = "") -> str:
    return f'    batch = context.map(event["values"], {function}, config=MapConfig({config}))\n' + THROWN


def parallel(function: str, config: str = "") -> str:
    """Three branches running `function` (on the number of values, plus 0, 1, 2), then one running a step of
    its own (the bodies differ)."""
    branches = ", ".join([*(f"lambda c: {function}(c, n + {i}, {i}, [])" for i in range(3)),
                          "lambda c: c.step(lambda _: 'other', name='other')"])
    return ('    n = len(event["values"])\n'
            f"    batch = context.parallel([{branches}], config=ParallelConfig({config}))\n" + THROWN)


def caught(body: str) -> str:
    lines = body.splitlines()
    inner = "".join(f"    {line}\n" for line in lines[:-1])
    return (f"    try:\n{inner}    except ChildContextError as err:\n"
            "        return {'caught': err.message, 'ok': batch.success_count}\n" + lines[-1] + "\n")


DIRECT: dict[str, str] = {
    "map of steps": mapped("steps"),
    "map, no failure tolerated": mapped("steps", "completion_config=CompletionConfig(tolerated_failure_count=0)"),
    "map, all successful": mapped("raising", "completion_config=CompletionConfig.all_successful()"),
    "map, limited": mapped("raising", "max_concurrency=2"),
    "map of child contexts": mapped("child"),
    "map of lifted code": mapped("unpacking"),
    "map of nested batches": mapped("nested", "max_concurrency=2"),
    "map of branches that return nothing": mapped("nothing"),
    "map of branches with a batch whose items may fail": mapped("counted"),
    "parallel": parallel("raising"),
    "parallel, limited": parallel("steps", "max_concurrency=2"),
    "parallel of one function": ('    a = len(event["values"])\n'
                                 '    batch = context.parallel([lambda c: steps(c, a, 0, []),\n'
                                 '                              lambda c: steps(c, 4, 1, [a])])\n' + THROWN),
}
NOT_DIRECT: dict[str, str] = {
    "one failure tolerated": mapped("steps", "completion_config=CompletionConfig(tolerated_failure_count=1)"),
    "min successful": mapped("steps", "completion_config=CompletionConfig(min_successful=1, "
                                      "tolerated_failure_count=0)"),
    "caught": caught(mapped("steps")),
    "read before the throw": mapped("steps").replace("    batch.throw_if_error()\n",
                                                     "    seen = batch.failure_count\n    batch.throw_if_error()\n"),
    "a branch with finally": mapped("with_finally"),
}
VALUES = [[1, 2, 4], [2, 4, 3, 7], [5, 8], []]


def _batch_states(source: str, tmp_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    definition = machine(BRANCHES + source, tmp_path)
    found: list[dict[str, Any]] = []

    def visit(scope: dict[str, Any]) -> None:
        """The states of the scope and of the branches of the batches thrown at once in it."""
        for state in scope["States"].values():
            found.append(state)
            if any(is_fold(str(v)[3:]) for v in state.get("Assign", {}).values()):
                continue  # a batch of a branch, which keeps its error entries
            for inner in [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
                visit(inner)
    visit(definition)
    return definition, found


@pytest.mark.parametrize("title", list(DIRECT))
def test_a_batch_thrown_at_once_fails_as_a_state(title: str, tmp_path: Path) -> None:
    """No outcome entries, no catch-alls into them, no Choice on a failed item: the Parallel or Map
    fails with ChildContextError, which every failure of a branch becomes."""
    definition, states = _batch_states(DIRECT[title], tmp_path)
    assert not [s for s in states if s["Type"] == "Choice" and "throw_if_error" in s.get("Comment", "")]
    own = [{k: v for k, v in s.items() if k not in ("Branches", "ItemProcessor")} for s in states]
    assert not [s for s in own if "'status': 'FAILED'" in json.dumps(s) or "error entry" in s.get("Comment", "")]
    assert {s["Error"] for s in states if s["Type"] == "Fail"} <= {"ChildContextError"}
    batch = next(s for s in definition["States"].values() if s["Type"] in ("Map", "Parallel"))
    assert "Catch" not in batch and batch["Assign"]["batch"] == "{% " + ALL_SUCCEEDED + " %}"
    assert "; batch.throw_if_error() (line " in batch["Comment"]  # the state stands for that line too


@pytest.mark.parametrize("title", list(NOT_DIRECT))
def test_a_batch_whose_failures_are_read_keeps_its_error_entries(title: str, tmp_path: Path) -> None:
    _, states = _batch_states(NOT_DIRECT[title], tmp_path)
    assert [s for s in states if "'status': 'FAILED'" in json.dumps(s)]


@pytest.mark.parametrize("title", [*DIRECT, *NOT_DIRECT])
@pytest.mark.parametrize("values", VALUES, ids=lambda v: "-".join(map(str, v)) or "none")
def test_thrown_batches_end_as_on_the_runtime(title: str, values: list[int], tmp_path: Path) -> None:
    check(BRANCHES + {**DIRECT, **NOT_DIRECT}[title], 0, tmp_path, "sfnx", {"values": values})


@pytest.mark.parametrize("title", ["map of steps", "parallel, limited", "map of nested batches"])
def test_thrown_batches_end_as_on_the_runtime_on_moto(title: str, tmp_path: Path) -> None:
    for values in ([1, 2, 4], [2, 4, 3, 7]):
        check(BRANCHES + DIRECT[title], 0, tmp_path, "moto", {"values": values})


def test_a_batch_thrown_at_once_needs_no_resume_order_warning(tmp_path: Path) -> None:
    """Whenever its branches resume, the batch fails exactly when one of them fails."""
    waits = ('    batch = context.parallel([lambda c: c.step(check(n, 2)), lambda c: c.step(check(n, 3))])\n'
             '    {}\n    return batch.get_results()\n')
    for line, warned in (("batch.throw_if_error()", False), ("n = n + batch.failure_count", True)):
        path = tmp_path / "handler.py"
        path.write_text(BRANCHES + '    n = len(event["values"])\n' + waits.format(line))
        assert ("DUR824" in {d.code for d in compile_file(path).diagnostics}) is warned
