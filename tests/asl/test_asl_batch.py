"""`context.parallel` and `context.map` compiled to Parallel/Map states mean what they mean on the runtime.

Each case is a handler whose batch ends in a different way (every completion config, failures caught or
thrown, empty inputs, list and None results, nesting, concurrency limits); it must end with the same
status, result and error type on our durable runtime and, compiled by to-asl, on sfnx.testing and moto.
Configs the state machine cannot apply are DUR820; batches whose outcome depends on when suspended
branches resume are DUR824.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_asl_differential import check

from durable_compile.backends.asl.package import compile_file

HEAD = '''from aws_durable_execution_sdk_python import (
    ChildContextError, DurableContext, DurableOperationError, ParallelBranch, StepContext, StepError,
    durable_execution, durable_step,
)
from aws_durable_execution_sdk_python.config import CompletionConfig, Duration, MapConfig, ParallelConfig, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def check(step_ctx: StepContext, value: int, modulus: int) -> int:
    if value % modulus == 0:
        raise ValueError(f"bad {value}")
    return value + 1


def item(ctx: DurableContext, value: int, index: int, values: list) -> int:
    return ctx.step(check(value, 3), config=ONCE)


def pair(ctx: DurableContext, value: int, index: int, values: list) -> list:
    first = ctx.step(lambda _: [value, index], name="pair")
    return [first, None, len(values)]


def checks(ctx: DurableContext, value: int, index: int, values: list) -> dict:
    both = ctx.parallel([lambda c: c.step(check(value, 5), config=ONCE), lambda c: c.step(lambda _: value * 2)])
    return {"ok": both.success_count, "results": both.get_results()}


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
'''
SUMMARY = ('    return {"results": batch.get_results(), "ok": batch.success_count, "bad": batch.failure_count, '
           '"total": batch.total_count, "reason": batch.completion_reason.value, "status": batch.status.value, '
           '"failed": batch.has_failure, "started": batch.started_count}\n')


def mapped(config: str) -> str:
    return f'    batch = context.map(event["values"], item, name="items", config=MapConfig({config}))\n' + SUMMARY


CASES = {
    "map, default config: the first failure ends it": (mapped(""), [1, 2, 3, 4, 5]),
    "map, no failure": (mapped(""), [1, 2, 4]),
    "map, empty inputs": (mapped(""), []),
    "map, tolerated count": (mapped("completion_config=CompletionConfig(tolerated_failure_count=1)"),
                             [3, 1, 6, 2, 9, 4]),
    "map, tolerated percentage": (mapped("completion_config=CompletionConfig(tolerated_failure_percentage=40)"),
                                  [1, 3, 6, 2, 4]),
    "map, min successful": (mapped("max_concurrency=2, completion_config=CompletionConfig(min_successful=2)"),
                            [3, 1, 6, 2, 4]),
    "map, min successful above the item count": (
        mapped("completion_config=CompletionConfig(min_successful=3)"), [1, 2]),
    "map, min successful above the item count, caught": (
        "    try:\n" + "".join("    " + line for line in mapped("completion_config=CompletionConfig(min_successful=3)")
                              .splitlines(keepends=True))
        + '    except Exception as err:\n        return {"refused": str(err)}\n',
        [1, 2]),
    "map, first successful": (mapped("completion_config=CompletionConfig.first_successful()"), [3, 6, 2, 4]),
    "map, all completed": (mapped("completion_config=CompletionConfig.all_completed()"), [3, 1, 6, 2]),
    "map, all successful": (mapped("completion_config=CompletionConfig.all_successful()"), [1, 3, 2]),
    "map, list and None results keep their shape": (
        '    batch = context.map(event["values"], pair)\n' + SUMMARY, [7, 8]),
    "map of parallels": ('    batch = context.map(event["values"], checks, config=MapConfig(max_concurrency=1))\n'
                         + SUMMARY, [1, 5, 2]),
    "parallel, default config, thrown": (
        '    batch = context.parallel([lambda c: c.step(check(event["values"][0], 2), config=ONCE),\n'
        '                              ParallelBranch(lambda c: c.step(lambda _: "fine"), name="fine")])\n'
        '    batch.throw_if_error()\n' + SUMMARY, [4]),
    "parallel, thrown and caught": (
        '    batch = context.parallel([lambda c: c.step(check(event["values"][0], 2), config=ONCE),\n'
        '                              lambda c: c.step(lambda _: "fine")],\n'
        '                             config=ParallelConfig(max_concurrency=1))\n'
        '    try:\n'
        '        batch.throw_if_error()\n'
        '    except ChildContextError as err:\n'
        '        return {"caught": err.message, "ok": batch.success_count}\n' + SUMMARY, [4]),
    "parallel, thrown, caught as a durable error": (
        '    batch = context.parallel([lambda c: c.step(check(event["values"][0], 2), config=ONCE)])\n'
        '    try:\n'
        '        batch.throw_if_error()\n'
        '    except DurableOperationError as err:\n'
        '        return {"caught": err.message}\n' + SUMMARY, [6]),
    "parallel, thrown, not a StepError": (
        '    batch = context.parallel([lambda c: c.step(check(event["values"][0], 2), config=ONCE)])\n'
        '    try:\n'
        '        batch.throw_if_error()\n'
        '    except StepError:\n'
        '        return "wrongly caught"\n' + SUMMARY, [6]),
    "map result returned as it is": ('    return context.map(event["values"], item)\n', [1, 3, 2]),
    "parallel, nothing to throw": (
        '    batch = context.parallel([lambda c: c.step(check(event["values"][0], 2), config=ONCE),\n'
        '                              lambda c: c.step(lambda _: [1, [2]])],\n'
        '                             config=ParallelConfig(max_concurrency=2))\n'
        '    batch.throw_if_error()\n'
        '    first, second = batch.get_results()\n'
        '    return {"first": first, "second": second}\n', [5]),
    "parallel, waits in branches, all completed": (
        '    batch = context.parallel(\n'
        '        [lambda c: c.wait(Duration.from_seconds(30)), lambda c: c.step(check(event["values"][0], 2),'
        ' config=ONCE)],\n'
        '        config=ParallelConfig(completion_config=CompletionConfig.all_completed()))\n' + SUMMARY, [4]),
}


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("title", list(CASES))
def test_batch_ends_as_on_the_runtime(title: str, engine: str, tmp_path: Path) -> None:
    body, values = CASES[title]
    check(HEAD + body, 0, tmp_path, engine, {"values": values})


def diagnostics(body: str, tmp_path: Path) -> set[str]:
    path = tmp_path / "handler.py"
    path.write_text(HEAD + body + "    return None\n")
    return {d.code for d in compile_file(path).diagnostics}


@pytest.mark.parametrize("config", [
    "MapConfig(completion_config=CompletionConfig(should_complete=lambda s: None))",
    "MapConfig(completion_config=CompletionConfig(min_successful=event['n']))",
    "MapConfig(serdes=object())",  # a custom serdes of the BatchResult (JsonSerDes changes nothing: compiled)
    "event['config']",
])
def test_configs_the_machine_cannot_apply_are_reported(config: str, tmp_path: Path) -> None:
    assert "DUR820" in diagnostics(f'    batch = context.map(event["values"], item, config={config})\n', tmp_path)


def test_resume_order_warning_only_when_the_batch_can_end_early(tmp_path: Path) -> None:
    waiting = '    batch = context.parallel([lambda c: c.wait(Duration.from_seconds(5))]{})\n'
    assert "DUR824" in diagnostics(waiting.format(""), tmp_path)
    completed = ", config=ParallelConfig(completion_config=CompletionConfig.all_completed())"
    assert "DUR824" not in diagnostics(waiting.format(completed), tmp_path)
    assert "DUR824" not in diagnostics('    batch = context.map(event["values"], item)\n', tmp_path)


def test_unresolved_branches_are_reported(tmp_path: Path) -> None:
    found = diagnostics('    batch = context.parallel(event["branches"])\n', tmp_path)
    assert "DUR820" in found
