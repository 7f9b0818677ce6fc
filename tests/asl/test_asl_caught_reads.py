"""A read that is the whole value of an assignment (`order = event["id"]`), or the check of its base's type,
fails as the handler fails where every failure is caught (a catch-all `except`, a bare `except`, a
`finally`, a map item, a parallel branch; a map's inputs too): with Python's KeyError or TypeError, which
the `except` catches, the `finally` raises again, or the item's error records, not as an uncaught
States.QueryEvaluationError of the Pass that assigned it. The statement runs in the steps function there
(DUR821), whose task's Catch routes the Python error by its type; elsewhere it stays a JSONata `Assign`.
In a batch branch, any expression that may raise runs there (a condition too), and a map's inputs are
computed before the Map where an `except` around it would catch their failure.

Each case runs on the durable runtime and, compiled by to-asl, on sfnx and moto, with the key present
(FULL), missing (MISSING), and with a base of the wrong type (WRONG); the runtime's outcome is pinned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl import diff_harness

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import CompletionConfig, MapConfig
from aws_durable_execution_sdk_python.exceptions import StepError


def double(event: dict, lambda_context: object) -> dict:  # the harness's invoke targets
    return event


def picky(event: dict, lambda_context: object) -> dict:
    return event


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''
FULL = {"id": "a7", "box": {"k": 1}, "xs": [1, 2]}
MISSING: dict[str, Any] = {}
WRONG = {"id": "a7", "box": [1], "xs": [1, 2]}
NOT_A_DICT = "list indices must be integers or slices, not str"
#: case -> (handler body, the runtime's outcome for FULL, MISSING and WRONG)
CASES: dict[str, tuple[str, list[tuple[str, Any, str | None]]]] = {
    "except Exception: the KeyError is caught with its message": ('''
    try:
        order = event["id"]
        done = context.step(lambda _: "shipped", name="ship")
    except Exception as err:
        return ["caught", str(err)]
    return [order, done]
''', [("SUCCEEDED", ["a7", "shipped"], None), ("SUCCEEDED", ["caught", "'id'"], None),
      ("SUCCEEDED", ["a7", "shipped"], None)]),
    "bare except: the key and the type of the base": ('''
    box = event.get("box", {})
    try:
        k = box["k"]
        done = context.step(lambda _: k + 1, name="bump")
    except:  # noqa: E722
        return "no k"
    return done
''', [("SUCCEEDED", 2, None), ("SUCCEEDED", "no k", None), ("SUCCEEDED", "no k", None)]),
    "except Exception after the step: the TypeError's message": ('''
    box = event.get("box", {})
    try:
        context.step(lambda _: "first", name="first")
        k = box["k"]
    except Exception as err:
        return ["caught", str(err)]
    return k
''', [("SUCCEEDED", 1, None), ("SUCCEEDED", ["caught", "'k'"], None),
      ("SUCCEEDED", ["caught", NOT_A_DICT], None)]),
    "finally: the cleanup runs, then the KeyError goes on": ('''
    try:
        order = event["id"]
    finally:
        context.step(lambda _: "cleaned", name="cleanup")
    return order
''', [("SUCCEEDED", "a7", None), ("FAILED", None, "KeyError"), ("SUCCEEDED", "a7", None)]),
    "except Exception around a map: its inputs' KeyError": ('''
    try:
        r = context.map(event["xs"], lambda c, x, i, xs: x * 2, name="doubled")
    except Exception as err:
        return ["caught", str(err)]
    return r.get_results()
''', [("SUCCEEDED", [2, 4], None), ("SUCCEEDED", ["caught", "'xs'"], None), ("SUCCEEDED", [2, 4], None)]),
    "map item: the item's error is the KeyError or the TypeError": ('''
    def item(ctx: DurableContext, x: dict, index: int, items: list) -> Any:
        k = x["k"]
        return ctx.step(lambda _: k * 10, name="times")
    r = context.map([event.get("box", {}), {"k": 2}], item, name="items",
                    config=MapConfig(completion_config=CompletionConfig.all_completed()))
    return [[e.type.rsplit(".", 1)[-1] for e in r.get_errors()], [e.message for e in r.get_errors()],
            r.get_results()]
''', [("SUCCEEDED", [[], [], [10, 20]], None), ("SUCCEEDED", [["KeyError"], ["'k'"], [20]], None),
      ("SUCCEEDED", [["TypeError"], [NOT_A_DICT], [20]], None)]),
    "map item: a condition's KeyError or TypeError is the item's error": ('''
    def item(ctx: DurableContext, x: Any, index: int, items: list) -> Any:
        if x["k"] > 1:
            return "big"
        return ctx.step(lambda _: x["k"] * 10, name="times")
    r = context.map([event.get("box", {}), {"k": 2}], item, name="items",
                    config=MapConfig(completion_config=CompletionConfig.all_completed()))
    return [[e.type.rsplit(".", 1)[-1] for e in r.get_errors()], r.get_results()]
''', [("SUCCEEDED", [[], [10, "big"]], None), ("SUCCEEDED", [["KeyError"], ["big"]], None),
      ("SUCCEEDED", [["TypeError"], ["big"]], None)]),
    "parallel branch: a lifted statement reads an outer variable, which it does not give back": ('''
    def one(ctx: DurableContext) -> Any:
        n = len(event["id"])
        return ctx.step(lambda _: n, name="count")
    r = context.parallel([one], name="both")
    return [[e.type.rsplit(".", 1)[-1] for e in r.get_errors()], r.get_results()]
''', [("SUCCEEDED", [[], [2]], None), ("SUCCEEDED", [["KeyError"], []], None), ("SUCCEEDED", [[], [2]], None)]),
    "parallel branch: the branch's error is the KeyError": ('''
    def one(ctx: DurableContext) -> Any:
        order = event["id"]
        return ctx.step(lambda _: order + "!", name="mark")
    r = context.parallel([one], name="both")
    return [[e.type.rsplit(".", 1)[-1] for e in r.get_errors()], r.get_results()]
''', [("SUCCEEDED", [[], ["a7!"]], None), ("SUCCEEDED", [["KeyError"], []], None),
      ("SUCCEEDED", [[], ["a7!"]], None)]),
}
INPUTS = (FULL, MISSING, WRONG)


def _source(body: str) -> str:
    return HEAD + body.strip("\n") + "\n"


@pytest.mark.parametrize("case", list(CASES))
def test_the_machine_fails_where_and_as_the_handler_does(case: str, tmp_path: Path) -> None:
    body, pinned = CASES[case]
    for event, expected in zip(INPUTS, pinned, strict=True):
        verdict = diff_harness.judge(_source(body), event, tmp_path, "caught_reads", ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == expected, event


@pytest.mark.parametrize(("body", "lifted"), [
    pytest.param('    try:\n        order = event["id"]\n    except Exception:\n        order = None\n'
                 '    return order\n', True, id="except Exception"),
    pytest.param('    try:\n        order = event["id"]\n    finally:\n        context.step(lambda _: 1, name="s")\n'
                 '    return order\n', True, id="finally"),
    pytest.param('    order = event["id"]\n    return order\n', False, id="nothing catches it"),
    # an except that does not catch the KeyError: a JSONata Assign (the failure is loud either way)
    pytest.param('    try:\n        order = event["id"]\n        context.step(lambda _: 1, name="s")\n'
                 '    except StepError:\n        order = None\n    return order\n', False, id="except StepError"),
])
def test_the_read_runs_in_the_steps_function_only_where_it_is_caught(body: str, lifted: bool,
                                                                       tmp_path: Path) -> None:
    path = tmp_path / "where.py"
    path.write_text(HEAD + body)
    compiled = compile_file(path)
    assert compiled.ok
    line = HEAD.count("\n") + 2
    assert (("DUR821", line) in [(d.code, d.span.line) for d in compiled.diagnostics]) == lifted
