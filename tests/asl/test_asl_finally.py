"""A finally block runs exactly once on every way out of its try, then the original outcome goes on.

The handlers below leave try/finally blocks normally, by `return`, `break` and `continue`, by a failure
an enclosing `except` catches (by class: a durable failure, a raised error, a bare `raise`) and by one
nothing catches; with try/finally nested inside another try, inside loops, inside child contexts and
inside map branches. Each appends to `trail` as it goes, so the order in which blocks ran is part of
the result. Each must end with the same status, result, error type and message on our durable runtime
and, compiled by to-asl, on sfnx.testing and moto; the pinned outcomes show both sides ran the blocks.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl import test_asl_differential as differential
from tests.asl.test_asl_differential import load_handler

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import (
    DurableContext, InvokeError, StepContext, StepError, durable_execution, durable_step,
    durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import MapConfig, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def boom(step_ctx: StepContext, what: str) -> str:
    raise ValueError(f"{what} failed")


@durable_step
def echo(step_ctx: StepContext, what: Any) -> Any:
    return what


@durable_with_child_context
def guarded(ctx: DurableContext, fail: bool) -> list:
    seen = ["child"]
    try:
        if fail:
            ctx.step(boom("inner"), name="inner", config=ONCE)
        seen.append(ctx.step(echo("inner ok"), name="inner-ok"))
        return seen
    finally:
        seen.append("child finally")
        ctx.step(echo(seen), name="cleanup")


def each(ctx: DurableContext, value: int, index: int, values: list) -> list:
    seen = []
    try:
        if value == 2:
            return ["early", value]
        seen.append(ctx.step(echo(value), name="item"))
    finally:
        seen.append("item finally")
    return seen


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
    trail = []
'''

#: name -> handler body (after `trail = []`)
CASES: dict[str, str] = {
    "inner failure: finally, then the outer except sees the body's error type": '''
    try:
        try:
            context.step(boom("charge"), name="charge", config=ONCE)
        finally:
            trail.append("inner finally")
    except StepError as err:
        trail.append(["caught", err.error_type.rsplit(".", 1)[-1], err.message])
    return trail
''',
    "inner failure the outer except does not catch: both finally blocks, then StepError": '''
    try:
        try:
            context.step(boom("charge"), name="charge", config=ONCE)
        finally:
            trail.append("inner finally")
    except InvokeError:
        trail.append("wrong handler")
    finally:
        trail.append("outer finally")
    return trail
''',
    "return through two finally blocks, value computed first": '''
    x = 1
    try:
        try:
            x = context.step(echo(5), name="five")
            return {"x": x, "trail": trail + ["returning"]}
        finally:
            x = 100
            trail = trail + ["inner finally"]
    finally:
        trail = trail + ["outer finally"]
''',
    "raise caught outside the finally block": '''
    try:
        try:
            n = context.step(echo(3), name="three")
            if n > 2:
                raise RuntimeError(f"{n} is too many")
        finally:
            trail.append("inner finally")
    except RuntimeError as err:
        trail.append(["caught", err.message if hasattr(err, "message") else str(err)])
    return trail
''',
    "bare raise in an inner except reaches the outer except through finally": '''
    try:
        try:
            context.step(boom("charge"), name="charge", config=ONCE)
        except StepError as err:
            trail.append("inner except")
            raise
        finally:
            trail.append("inner finally")
    except StepError as err:
        trail.append(["outer except", err.message])
    return trail
''',
    "break and continue run the finally block each time": '''
    for i in [1, 2, 3, 4, 5]:
        try:
            if i == 2:
                continue
            if i == 4:
                break
            trail.append(context.step(echo(i), name="item"))
        finally:
            trail.append(f"finally {i}")
    return trail
''',
    "break out of a while loop through nested finally blocks": '''
    n = 0
    while True:
        n = n + 1
        try:
            try:
                if n == 3:
                    break
            finally:
                trail.append(f"inner {n}")
        finally:
            trail.append(f"outer {n}")
    return {"n": n, "trail": trail}
''',
    "failure inside the finally block replaces the pending one": '''
    try:
        try:
            raise KeyError("first")
        finally:
            trail.append("inner finally")
            context.step(boom("cleanup"), name="cleanup", config=ONCE)
    except KeyError:
        trail.append("wrong: the key error was replaced")
    except StepError as err:
        trail.append(["caught", err.message])
    return trail
''',
    "try/finally inside a child context: return, then failure": '''
    first = context.run_in_child_context(guarded(False), name="first")
    try:
        context.run_in_child_context(guarded(True), name="second")
    except Exception as err:
        trail.append("parent caught")
    return {"first": first, "trail": trail}
''',
    "try/finally inside a child context nothing catches": '''
    context.run_in_child_context(guarded(True), name="child")
    return trail
''',
    "the value holds what the finally block changes in place": '''
    order = {"lines": []}
    try:
        try:
            order["lines"].append(context.step(echo("first"), name="first"))
            return [order, "done"]
        finally:
            order["lines"].append("inner finally")
    finally:
        order["status"] = "closed"
''',
    "a value derived from what the finally block changes is computed before it": '''
    order = {"lines": []}
    try:
        order["lines"].append(context.step(echo("first"), name="first"))
        return {"count": len(order["lines"]), "lines": list(order["lines"])}
    finally:
        order["lines"].append("finally")
''',
    "return inside try/finally in map branches": '''
    batch = context.map([1, 2, 3], each, name="items", config=MapConfig(max_concurrency=1))
    return batch.get_results()
''',
}
#: what some cases must end with (agreement alone could come from both sides skipping the blocks)
PINNED: dict[str, tuple[str, Any, str | None, str | None]] = {
    "inner failure: finally, then the outer except sees the body's error type": (
        "SUCCEEDED", ["inner finally", ["caught", "ValueError", "charge failed"]], None, None),
    "inner failure the outer except does not catch: both finally blocks, then StepError": (
        "FAILED", None, "StepError", "charge failed"),
    "return through two finally blocks, value computed first": (
        "SUCCEEDED", {"x": 5, "trail": ["returning"]}, None, None),
    "bare raise in an inner except reaches the outer except through finally": (
        "SUCCEEDED", ["inner except", "inner finally", ["outer except", "charge failed"]], None, None),
    "break and continue run the finally block each time": (
        "SUCCEEDED", [1, "finally 1", "finally 2", 3, "finally 3", "finally 4"], None, None),
    "break out of a while loop through nested finally blocks": (
        "SUCCEEDED", {"n": 3, "trail": ["inner 1", "outer 1", "inner 2", "outer 2", "inner 3", "outer 3"]},
        None, None),
    "failure inside the finally block replaces the pending one": (
        "SUCCEEDED", ["inner finally", ["caught", "cleanup failed"]], None, None),
    "try/finally inside a child context: return, then failure": (
        "SUCCEEDED", {"first": ["child", "inner ok", "child finally"], "trail": ["parent caught"]}, None, None),
    "try/finally inside a child context nothing catches": ("FAILED", None, "ChildContextError", "inner failed"),
    "the value holds what the finally block changes in place": (
        "SUCCEEDED", [{"lines": ["first", "inner finally"], "status": "closed"}, "done"], None, None),
    "a value derived from what the finally block changes is computed before it": (
        "SUCCEEDED", {"count": 1, "lines": ["first"]}, None, None),
    "return inside try/finally in map branches": (
        "SUCCEEDED", [[1, "item finally"], ["early", 2], [3, "item finally"]], None, None),
}
COUNTER = itertools.count(1)
Ending = tuple[str, Any, str | None, str | None]


def write_handler(tmp: Path, body: str) -> Path:
    path = tmp / f"finally_handler_{next(COUNTER)}.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    return path


def on_runtime(path: Path) -> Ending:
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        result = runner.run(input="{}", execution_timeout=60)
    status = str(getattr(result.status, "value", result.status)).rsplit(".", 1)[-1]
    error = result.error
    return (status, json.loads(result.result) if result.result else None,
            error.type.rsplit(".", 1)[-1] if error is not None and error.type else None,
            error.message if error is not None else None)


def on_asl(folder: Path, engine: str) -> Ending:
    outcome = run_folder(folder, {}, engine=engine)  # type: ignore[arg-type]
    return outcome.status, outcome.result, outcome.error, outcome.cause


@pytest.mark.parametrize("name", list(CASES))
def test_finally_blocks_run_once_on_every_way_out(name: str, tmp_path: Path) -> None:
    path = write_handler(tmp_path, CASES[name])
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    assert not [d for d in compiled.diagnostics if d.code == "DUR820"]
    write(compiled, tmp_path / "out")
    try:
        expected = on_runtime(path)
        for engine in ("sfnx", "moto"):
            assert on_asl(tmp_path / "out", engine) == expected, engine
    finally:
        sys.modules.pop(path.stem, None)
    if name in PINNED:
        assert expected == PINNED[name]


@pytest.mark.parametrize("value", ["[len(seen), seen]", "seen if seen else None", "{'n': n, 'seen': seen}"])
def test_a_returned_value_that_both_holds_and_derives_from_what_finally_changes_is_refused(
        value: str, tmp_path: Path) -> None:
    compiled = compile_file(write_handler(tmp_path, f"""
    seen = []
    n = 0
    try:
        seen.append(context.step(echo(1), name="one"))
        return {value}
    finally:
        seen.append("finally")
        n = 2
"""))
    refused = [d.message for d in compiled.diagnostics if d.code == "DUR820"]
    assert len(refused) == 1 and "changes seen" in refused[0] and "result = list(seen)" in refused[0]


GOLDEN_INPUT = Path(__file__).resolve().parents[1] / "golden" / "inputs" / "finally_paths.py"


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
def test_the_golden_finally_handler_ends_as_on_the_runtime(engine: str, tmp_path: Path) -> None:
    path = tmp_path / GOLDEN_INPUT.name
    path.write_text(GOLDEN_INPUT.read_text())
    event = json.loads(GOLDEN_INPUT.with_name("finally_paths.input.json").read_text())
    try:
        expected = differential.on_runtime(path, event)
        assert differential.on_asl(path, event, engine) == expected
    finally:
        sys.modules.pop(path.stem, None)
    assert expected[1]["log"][:3] == ["charged 5", "released lock", "done with 5"]
    assert expected[1]["reserved"] == ["charged 20", "released reservation"]
