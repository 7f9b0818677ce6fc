"""Batch branches end in the outcome the runtime records, whatever way they end.

Every case is a handler whose `map`/`parallel` branches end one particular way (a failed step, a
`raise` with and without a message, a failure of lifted code, a step failure an `except` in the
branch does not match, a `finally` that runs before the failure leaves, a failed child context, a
nested batch, `throw_if_error` inside a branch, a wait); the handler returns every field of the
BatchResult, error types (the runtime qualifies them with its module) and messages included, and
must end the same on our durable runtime and, compiled by to-asl, on sfnx.testing and moto. Then the
shape: a branch whose states can all carry their failure to a catcher is no wrapper Parallel, every
task, Map and Parallel in it ends its Catch with a catch-all; one with an expression that can fail
where no Catch reaches keeps the wrapper.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_asl_differential import check

from durable_compile.backends.asl.package import compile_file

HEAD = '''from aws_durable_execution_sdk_python import (
    ChildContextError, DurableContext, StepContext, StepError, durable_execution, durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import (
    CompletionConfig, Duration, MapConfig, ParallelConfig, StepConfig,
)
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())
ALL = CompletionConfig.all_completed()


@durable_step
def check(step_ctx: StepContext, value: int, modulus: int) -> int:
    if value % modulus == 0:
        raise ValueError(f"bad {value}")
    return value + 1


@durable_with_child_context
def grow(ctx: DurableContext, value: int) -> int:
    value = ctx.step(lambda _: value + 1, name="grow")
    if value % 3 == 0:
        raise RuntimeError(f"{value} is a multiple of 3")
    return value


def failing_step(ctx: DurableContext, value: int, index: int, values: list) -> dict:
    first = ctx.step(check(value, 3), config=ONCE)
    return {"first": first, "second": ctx.step(check(first, 5), config=ONCE)}


def raising(ctx: DurableContext, value: int, index: int, values: list) -> int:
    got = ctx.step(lambda _: value * 2, name="double")
    if got > 6:
        raise RuntimeError(f"too big: {got}")
    if got == 4:
        raise KeyError()
    return got + index


@durable_step
def braces(step_ctx: StepContext, value: int) -> int:
    if value % 2 == 0:
        raise ValueError('{"value": ' + str(value) + "}")
    return value


def json_like(ctx: DurableContext, value: int, index: int, values: list) -> int:
    got = ctx.step(braces(value), config=ONCE)
    if value == 3:
        raise RuntimeError('{"raised": 3}')
    return got


def lifted(ctx: DurableContext, value: int, index: int, values: list) -> int:
    text = ctx.step(lambda _: "x" * value, name="text")
    return int(text.replace("xxx", "7"))


def wrong_except(ctx: DurableContext, value: int, index: int, values: list) -> str:
    try:
        ctx.step(check(value, 2), config=ONCE)
    except KeyError:
        return "not this one"
    return "fine"


def caught_inside(ctx: DurableContext, value: int, index: int, values: list) -> str:
    try:
        ctx.step(check(value, 2), config=ONCE)
    except StepError as err:
        return f"caught {err.message}"
    return "fine"


def with_finally(ctx: DurableContext, value: int, index: int, values: list) -> int:
    try:
        return ctx.step(check(value, 2), config=ONCE)
    finally:
        ctx.step(lambda _: value, name="cleanup")


def child(ctx: DurableContext, value: int, index: int, values: list) -> int:
    return ctx.run_in_child_context(grow(value))


def nested(ctx: DurableContext, value: int, index: int, values: list) -> dict:
    inner = ctx.parallel([lambda c: c.step(check(value, 2), config=ONCE), lambda c: c.step(lambda _: value)])
    inner.throw_if_error()
    return {"got": inner.get_results()}


def waiting(ctx: DurableContext, value: int, index: int, values: list) -> int:
    ctx.wait(Duration.from_seconds(10))
    return ctx.step(check(value, 2), config=ONCE)


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
'''
SUMMARY = ('    return {"results": batch.get_results(), "errors": [[str(e.type).rsplit(".", 1)[-1], e.message] for e '
           'in batch.get_errors()], '
           '"ok": batch.success_count, "bad": batch.failure_count, "total": batch.total_count, '
           '"reason": batch.completion_reason.value, "status": batch.status.value}\n')


def mapped(function: str, config: str = "completion_config=ALL") -> str:
    return f'    batch = context.map(event["values"], {function}, config=MapConfig({config}))\n' + SUMMARY


def parallel(function: str, config: str = "completion_config=ALL") -> str:
    """Four branches running `function`, then one running a step of its own (the bodies differ)."""
    branches = ", ".join([*(f"lambda c: {function}(c, {v}, {i}, [])" for i, v in enumerate((1, 2, 3, 4))),
                          "lambda c: c.step(lambda _: 'other', name='other')"])
    return f"    batch = context.parallel([{branches}], config=ParallelConfig({config}))\n" + SUMMARY


def same_body(config: str) -> str:
    return ('    base = event["values"][0]\n'
            '    batch = context.parallel([lambda c: raising(c, base, 0, []), lambda c: raising(c, 2, 1, []),\n'
            '                              lambda c: raising(c, 4, 2, [base]), lambda c: raising(c, 1, 3, [])],\n'
            f'                             config=ParallelConfig({config}))\n' + SUMMARY)


CASES: dict[str, tuple[str, list[Any]]] = {
    "a failed step": (mapped("failing_step"), [1, 3, 4, 2, 5]),
    "a failed step ends a default map": (mapped("failing_step", ""), [1, 4, 3, 2]),
    "a failed step, tolerated": (mapped("failing_step", "completion_config=CompletionConfig("
                                        "tolerated_failure_count=1)"), [1, 3, 4, 6, 2]),
    "raise, with and without a message": (mapped("raising"), [1, 2, 3, 4]),
    "raise, parallel with max_concurrency": (parallel("raising", "max_concurrency=2, completion_config=ALL"), []),
    "raise, parallel": (parallel("raising"), []),
    "raise, parallel with a limit that never binds": (parallel("raising", "max_concurrency=5, completion_config=ALL"),
                                                      []),
    "one function, different arguments": (same_body("completion_config=ALL"), [3]),
    "one function, different arguments, limited": (same_body("max_concurrency=1, completion_config=ALL"), [1]),
    "one function, different arguments, default config": (same_body(""), [0]),
    "lifted code fails with its own type": (mapped("lifted"), [1, 2, 3]),
    "messages that read like JSON stay text": (mapped("json_like"), [1, 2, 3]),
    "an except that does not match": (mapped("wrong_except"), [1, 2, 3]),
    "an except inside the branch": (mapped("caught_inside"), [1, 2, 3]),
    "finally before the failure leaves": (mapped("with_finally"), [1, 2, 3]),
    "a failed child context": (mapped("child"), [1, 2, 3, 5]),
    "nested batch and throw_if_error": (mapped("nested", "max_concurrency=1, completion_config=ALL"), [1, 2, 3]),
    "nested batch, min successful": (mapped("nested", "completion_config=CompletionConfig(min_successful=2)"),
                                     [2, 1, 4, 3]),
    "waits in branches": (parallel("waiting"), []),
}


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("title", list(CASES))
def test_branch_outcomes_match_the_runtime(title: str, engine: str, tmp_path: Path) -> None:
    body, values = CASES[title]
    check(HEAD + body, 0, tmp_path, engine, {"values": values})


def _processor(title: str, tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "handler.py"
    path.write_text(HEAD + CASES[title][0])
    definition = compile_file(path).output.definition
    state = next(s for s in definition["States"].values() if s["Type"] == "Map")
    return state["ItemProcessor"]


@pytest.mark.parametrize("title", ["a failed step", "an except that does not match", "an except inside the branch",
                                   "messages that read like JSON stay text",
                                   "finally before the failure leaves", "nested batch and throw_if_error",
                                   "lifted code fails with its own type"])
def test_a_branch_whose_failures_reach_a_catcher_has_no_wrapper(title: str, tmp_path: Path) -> None:
    states = _processor(title, tmp_path)["States"]
    assert {s["Type"] for s in states.values()} - {"Task", "Pass", "Choice", "Succeed", "Parallel"} == set()
    assert not [s for s in states.values() if s["Type"] == "Parallel" and len(s["Branches"]) == 1]
    for state in states.values():
        if state["Type"] in ("Task", "Map", "Parallel"):
            assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], state


def test_expressions_that_can_fail_in_a_branch_run_in_tasks_whose_catch_records_them(tmp_path: Path) -> None:
    """`value["n"] + 1` and `n + <step result>` may raise (KeyError, TypeError): in a map item they run in
    the steps function, whose task's Catch makes the failure the item's error entry, so the item needs no
    one-branch Parallel around it (which a failing JSONata expression would need: Pass has no Catch)."""
    path = tmp_path / "handler.py"
    reads = '''def reads(ctx: DurableContext, value: dict, index: int, values: list) -> int:
    n = value["n"] + 1
    return n + ctx.step(lambda _: 1, name="one")


@durable_execution'''
    path.write_text(HEAD.replace("@durable_execution", reads) + mapped("reads"))
    states = compile_file(path).output.definition
    processor = next(s for s in states["States"].values() if s["Type"] == "Map")["ItemProcessor"]
    assert not [s for s in processor["States"].values() if s["Type"] == "Parallel"]
    tasks = [s for s in processor["States"].values() if s["Type"] == "Task"]
    assert len(tasks) == 3  # the read, the step, the return
    assert all(task["Catch"][-1]["ErrorEquals"] == ["States.ALL"] for task in tasks)


@pytest.mark.parametrize(("limit", "kind"), [(4, "Map"), (5, "Parallel"), (9, "Parallel")])
def test_a_parallel_is_a_map_only_when_its_concurrency_limit_binds(limit: int, kind: str, tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_text(HEAD + parallel("failing_step", f"max_concurrency={limit}"))
    states = compile_file(path).output.definition["States"]
    assert [s["Type"] for s in states.values() if s["Type"] in ("Map", "Parallel")] == [kind]


@pytest.mark.parametrize("config", ["", "max_concurrency=2"])
def test_branches_of_one_function_are_a_map_over_their_arguments(config: str, tmp_path: Path) -> None:
    path = tmp_path / "handler.py"
    path.write_text(HEAD + same_body(config))
    states = compile_file(path).output.definition["States"]
    (batch,) = [s for s in states.values() if s["Type"] in ("Map", "Parallel")]
    assert batch["Type"] == "Map" and batch["Items"].startswith("{% [{'value': $base, 'index': 0, 'values': []}")
    assert "Choice" not in {s["Type"] for s in batch["ItemProcessor"]["States"].values()}
