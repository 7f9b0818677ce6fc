"""A step call's arguments that fail where every failure is caught (a map item, a parallel branch, a child
context, a catch-all `except`, a `finally`) fail as the handler fails: at once, never retried, with the
Python error's own type where the catcher reads it (a BatchResult's errors, the error a `finally` raises
again, a ChildContextError's `error_type`), not as a StepError after the step's retries.

Where an `except` naming types catches first, or for an invoke's payload, the argument is computed in the
steps function before the task, and the Catch routes it by its type.

Each case runs on the durable runtime and, compiled by to-asl, on sfnx and moto, with the argument's key
present, missing, and with a step body that fails (which is still retried); the runtime's outcome is
pinned. Where the key is missing, the steps function is called once for that step: its task evaluates
the call before the body (emit_arguments) and its Retry leaves that failure alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.emit_support import STEPS_ARN
from durable_compile.backends.asl.localrun.folder import load_steps, run_folder
from durable_compile.backends.asl.package import compile_file, write
from tests.asl import diff_harness

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import CompletionConfig, Duration, MapConfig, StepConfig
from aws_durable_execution_sdk_python.exceptions import ChildContextError
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy

THRICE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=3, initial_delay=Duration.from_seconds(1))))


def double(event: dict, lambda_context: object) -> dict:
    return event


def picky(event: dict, lambda_context: object) -> dict:
    return event


@durable_step
def charge(step_ctx: StepContext, currency: str) -> str:
    if currency == "XXX":
        raise ValueError("unknown currency")
    return f"{currency} {step_ctx.attempt}"


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''
FULL = {"currency": "EUR"}
MISSING: dict[str, Any] = {}
FAILING = {"currency": "XXX"}
#: case -> (handler body, the runtime's outcome for FULL, MISSING and FAILING; None: not compared)
CASES: dict[str, tuple[str, list[tuple[str, Any, str | None] | None]]] = {
    "map item: the item's error is the KeyError": ('''
    def item(ctx: DurableContext, x: dict, index: int, items: list) -> Any:
        return ctx.step(charge(x["currency"]), name="charge", config=THRICE)
    r = context.map([event, {"currency": "GBP"}], item, name="items",
                    config=MapConfig(completion_config=CompletionConfig.all_completed()))
    return [[e.type.rsplit(".", 1)[-1] for e in r.get_errors()], [e.message for e in r.get_errors()],
            r.get_results()]
''', [("SUCCEEDED", [[], [], ["EUR 1", "GBP 1"]], None), ("SUCCEEDED", [["KeyError"], ["'currency'"], ["GBP 1"]], None),
      ("SUCCEEDED", [["StepError"], ["unknown currency"], ["GBP 1"]], None)]),
    "parallel branch: the branch's error is the KeyError": ('''
    def one(ctx: DurableContext) -> Any:
        return ctx.step(charge(event["currency"]), name="charge", config=THRICE)
    r = context.parallel([one], name="both")
    return [[e.type.rsplit(".", 1)[-1] for e in r.get_errors()], r.get_results()]
''', [("SUCCEEDED", [[], ["EUR 1"]], None), ("SUCCEEDED", [["KeyError"], []], None),
      ("SUCCEEDED", [["StepError"], []], None)]),
    "parallel branch with throw_if_error: ChildContextError at once": ('''
    def one(ctx: DurableContext) -> Any:
        return ctx.step(charge(event["currency"]), name="charge", config=THRICE)
    r = context.parallel([one], name="both")
    r.throw_if_error()
    return r.get_results()
''', [("SUCCEEDED", ["EUR 1"], None), ("FAILED", None, "ChildContextError"),
      ("FAILED", None, "ChildContextError")]),
    "child context: ChildContextError names the KeyError": ('''
    def block(ctx: DurableContext) -> Any:
        return ctx.step(charge(event["currency"]), name="charge", config=THRICE)
    try:
        return context.run_in_child_context(block, name="block")
    except ChildContextError as err:
        return [err.error_type, err.message]
''', [("SUCCEEDED", "EUR 1", None), ("SUCCEEDED", ["KeyError", "'currency'"], None),
      None]),  # a failing body: StepError under the runtime's module name (test_asl_error_classes compares it)
    "catch-all except: the KeyError's message": ('''
    try:
        return context.step(charge(event["currency"]), name="charge", config=THRICE)
    except Exception as err:
        return {"caught": str(err)}
''', [("SUCCEEDED", "EUR 1", None), ("SUCCEEDED", {"caught": "'currency'"}, None),
      ("SUCCEEDED", {"caught": "unknown currency"}, None)]),
    "finally: the cleanup runs, then the KeyError goes on": ('''
    try:
        return context.step(charge(event["currency"]), name="charge", config=THRICE)
    finally:
        context.step(charge("cleanup"), name="cleanup")
''', [("SUCCEEDED", "EUR 1", None), ("FAILED", None, "KeyError"), ("FAILED", None, "StepError")]),
    "except naming types before a catch-all: the argument is computed before the step": ('''
    try:
        return context.step(charge(event["currency"]), name="charge", config=THRICE)
    except ValueError:
        return "value"
    except Exception as err:
        return ["other", str(err)]
''', [("SUCCEEDED", "EUR 1", None), ("SUCCEEDED", ["other", "'currency'"], None),
      ("SUCCEEDED", ["other", "unknown currency"], None)]),
    "except KeyError and finally: the argument's KeyError is caught by its type": ('''
    try:
        return context.step(charge(event["currency"]), name="charge", config=THRICE)
    except KeyError as err:
        return ["missing", str(err)]
    finally:
        context.step(charge("cleanup"), name="cleanup")
''', [("SUCCEEDED", "EUR 1", None), ("SUCCEEDED", ["missing", "'currency'"], None), ("FAILED", None, "StepError")]),
    "invoke under a catch-all except: its payload is computed before the call": ('''
    try:
        return context.invoke("double", {"x": event["currency"]}, name="inv")
    except Exception as err:
        return ["caught", str(err)]
''', [("SUCCEEDED", {"x": "EUR"}, None), ("SUCCEEDED", ["caught", "'currency'"], None),
      ("SUCCEEDED", {"x": "XXX"}, None)]),
}
INPUTS = (FULL, MISSING, FAILING)


def _source(body: str) -> str:
    return HEAD + body.strip("\n") + "\n"


@pytest.mark.parametrize("case", list(CASES))
def test_the_machine_fails_where_and_as_the_handler_does(case: str, tmp_path: Path) -> None:
    body, pinned = CASES[case]
    for event, expected in zip(INPUTS, pinned, strict=True):
        if expected is None:
            continue
        verdict = diff_harness.judge(_source(body), event, tmp_path, "caught_args", ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == expected, event


def _charge_calls(case: str, event: dict[str, Any], tmp_path: Path) -> int:
    """How often the machine (sfnx) calls the steps function for the step named "charge"."""
    tmp_path.mkdir()
    path = tmp_path / "caught_calls.py"
    source = _source(CASES[case][0])
    path.write_text(source)
    write(compile_file(path), tmp_path / "out")
    steps = load_steps(tmp_path / "out")
    line = next(i for i, text in enumerate(source.splitlines(), 1) if 'name="charge"' in text)
    calls: list[str] = []

    def handler(payload: Any) -> Any:
        calls.append(steps.OPERATIONS[payload["op"]].__doc__)
        return steps.handler(payload, None)

    run_folder(tmp_path / "out", event, {}, {STEPS_ARN: handler}, engine="sfnx")  # type: ignore[arg-type]
    return calls.count(f"step of line {line}")


@pytest.mark.parametrize("case", [case for case in CASES if not case.startswith("invoke")])
def test_a_failing_argument_is_never_retried_but_a_failing_body_is(case: str, tmp_path: Path) -> None:
    other_item = 1 if case.startswith("map") else 0  # the map's second item calls it once
    computed = case.startswith("except")  # computed by a task of its own: the step is never called
    assert _charge_calls(case, MISSING, tmp_path / "missing") == (0 if computed else 1) + other_item
    assert _charge_calls(case, FAILING, tmp_path / "failing") == 3 + other_item
