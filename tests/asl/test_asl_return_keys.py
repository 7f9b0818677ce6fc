"""A returned dict display fails where a key it reads is missing, as the handler does, wherever the
return sits: `return {"id": event["id"]}` raises KeyError in Python, and the machine fails too instead
of dropping the key (docs/aws-differences.md). Where an `except` would catch the KeyError (it names
KeyError, LookupError or Exception), and in a map item, a parallel branch or a child context (whose
failure the runtime records with its type), the return runs in the steps function, which raises the
real KeyError; an `except StepError` does not catch it. A read whose key is known to be there
(known_keys.py) is left unchecked, so such a return still folds into the state before it.

Each case runs on the durable runtime and compiled under both local interpreters (sfnx and moto), with
the key present and missing: the same status and result; a KeyError of the runtime is the machine's
KeyError where the steps function raises it, else States.QueryEvaluationError (moto: States.Runtime),
the documented mapping.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.api import lower_source
from durable_compile.backends.asl.known_keys import known_keys
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.module_facts import Functions
from durable_compile.backends.asl.package import compile_file, write
from durable_compile.ir import nodes as n
from durable_compile.source import SourceFile
from tests.asl.test_asl_differential import on_runtime

HEADER = '''from aws_durable_execution_sdk_python import (
    BatchResult, DurableContext, StepContext, durable_execution, durable_step,
)
from aws_durable_execution_sdk_python.exceptions import StepError


@durable_step
def echo(step_ctx: StepContext, value: object) -> object:
    return value


@durable_step
def record(step_ctx: StepContext, n: int) -> dict:
    if n < 0:
        raise ValueError("negative")
    return {"id": f"r{n}", "n": n}


def item_ids(ctx: DurableContext, item: dict, index: int, items: list) -> dict:
    return {"index": index, "id": item["id"]}


@durable_execution
def handler(event: dict, context: DurableContext):
'''
#: case -> (the handler's body, whether the machine raises the KeyError itself in the steps function)
SOURCES: dict[str, tuple[str, bool]] = {
    "top level": ('''
    return {"id": event["id"], "n": 1}
''', False),
    "after a step (the return folds into its task)": ('''
    n = context.step(echo(2))
    return {"id": event["id"], "n": n}
''', False),
    "except StepError does not catch it": ('''
    try:
        n = context.step(echo(2))
        return {"id": event["id"], "n": n}
    except StepError:
        return "caught"
''', False),
    "except KeyError catches it": ('''
    try:
        n = context.step(echo(2))
        return {"id": event["id"], "n": n}
    except KeyError as err:
        return f"caught {err}"
''', True),
    "except LookupError catches it": ('''
    try:
        return {"id": event["id"]}
    except LookupError:
        return "caught"
''', True),
    "except Exception catches it": ('''
    try:
        n = context.step(echo(2))
        return {"id": event["id"], "n": n}
    except Exception:
        return "caught"
''', True),
    "map item": ('''
    batch = context.map(event["items"], item_ids, name="ids")
    return {"ok": batch.get_results(), "failed": batch.failure_count}
''', True),
    "map item, thrown (the error type shows)": ('''
    batch = context.map(event["items"], item_ids, name="ids")
    batch.throw_if_error()
    return batch.get_results()
''', True),
    "parallel branch": ('''
    def left(ctx: DurableContext) -> dict:
        return {"side": "left", "id": event["id"]}

    def right(ctx: DurableContext) -> dict:
        return {"side": "right"}

    both = context.parallel([left, right], name="both")
    return {"ok": both.get_results(), "failed": both.failure_count}
''', True),
    "child context": ('''
    def child(ctx: DurableContext) -> dict:
        n = ctx.step(echo(3))
        return {"id": event["id"], "n": n}

    return context.run_in_child_context(child, name="child")
''', True),
    "known keys are not checked again": ('''
    made = context.step(record(event["n"]))
    label = event["id"] + "!"
    return {"id": event["id"], "record": made["id"], "n": made["n"], "label": label}
''', False),
}
FULL = {"id": "a", "n": 2, "items": [{"id": "x"}, {"id": "y"}]}
#: the inputs of each case: the key present, then missing
MISSING = [{k: v for k, v in FULL.items() if k != "id"}, {**FULL, "items": [{"id": "x"}, {"name": "y"}]}]
EVALUATION = {"sfnx": {"States.QueryEvaluationError"}, "moto": {"States.QueryEvaluationError", "States.Runtime"}}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, dict[str, Any]]]:
    """case -> (the handler file, its compiled folder, its definition)."""
    out = {}
    for i, (case, (body, _)) in enumerate(SOURCES.items()):
        root = tmp_path_factory.mktemp(f"returns{i}")
        path = root / f"return_keys_{i}.py"
        path.write_text(HEADER + body)
        result = compile_file(path)
        assert result.ok, [d.message for d in result.diagnostics]
        write(result, root / "out")
        definition = json.loads((root / "out" / "statemachine.asl.json").read_text())
        out[case] = (path, root / "out", definition)
    return out


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(SOURCES))
def test_machine_ends_as_the_handler(compiled: dict[str, tuple[Path, Path, dict[str, Any]]], case: str,
                                     engine: str) -> None:
    path, folder, _ = compiled[case]
    raised_there = SOURCES[case][1]
    outcomes = []
    for event in [FULL, *MISSING]:
        try:
            status, result, error = on_runtime(path, event)
        finally:
            sys.modules.pop(path.stem, None)
        got = run_folder(folder, event, engine=engine)  # type: ignore[arg-type]
        assert (got.status, got.result) == (status, result), (event, got.error, error)
        assert got.error == error or (not raised_there and error == "KeyError" and got.error in EVALUATION[engine]), \
            (event, error, got.error)
        outcomes.append((status, result))
    assert len(set(map(repr, outcomes))) > 1  # a missing key changes the outcome: never dropped silently


def test_known_keys_leave_the_return_folded(compiled: dict[str, tuple[Path, Path, dict[str, Any]]]) -> None:
    """The reads the machine has made already (`event["id"]`) or that the step's every return gives
    (`made["id"]`) need no check: the return is the Output of the step's task, as before."""
    states = compiled["known keys are not checked again"][2]["States"]
    assert [s["Type"] for s in states.values()] == ["Task"]  # the step, with the assignment and the return
    output = states[next(iter(states))]["Output"]
    for member in ("'id': $states.input.id", "'record': $states.result.Payload.id", "'n': $states.result.Payload.n"):
        assert member in output, output


def _known(body: str) -> list[list[tuple[str, str]]]:
    """The pairs known at each return of a handler with this body, in source order."""
    text = HEADER + body
    lowered = lower_source(SourceFile("known.py", text))
    function = lowered.handlers[0].function
    found = known_keys(function, Functions(text).defs, {"done"})
    returns = sorted((s for s in n.walk(function.body) if isinstance(s, n.Return)), key=lambda s: s.span.line)
    return [sorted(found.get(id(r), frozenset())) for r in returns]


@pytest.mark.parametrize(("body", "known"), [
    # an assignment's read, an `if` test's read
    ('\n    a = event["a"]\n    if event["b"]:\n        return 1\n    return 2\n',
     [[("event", "a"), ("event", "b")], [("event", "a"), ("event", "b")]]),
    # not behind `and`, a conditional expression or a call
    ('\n    a = event["x"] and event["b"]\n    c = event["c"] if event["t"] else 0\n    d = len(event["d"])\n'
     '    return 1\n', [[("event", "t"), ("event", "x")]]),
    # forgotten where the variable is written, named (a method may change it), or passed on
    ('\n    a = event["a"]\n    event.pop("a")\n    return 1\n', [[]]),
    ('\n    a = event["a"]\n    event = {"b": 1}\n    return 1\n', [[]]),
    ('\n    a = event["a"]\n    b = context.step(echo(event))\n    return 1\n', [[]]),
    # a list local keeps a copy: putting the dict in it changes nothing
    ('\n    done = []\n    a = event["a"]\n    done.append(("x", event))\n    return 1\n', [[("event", "a")]]),
    # only what both ways of an `if` know; a way that returns does not count
    ('\n    if event["t"]:\n        a = event["a"]\n    else:\n        b = event["b"]\n    return 1\n',
     [[("event", "t")]]),
    ('\n    if event["t"]:\n        return 0\n    a = event["a"]\n    return 1\n',
     [[("event", "t")], [("event", "a"), ("event", "t")]]),
    # a loop's body gives nothing after it; a try's body gives nothing to a handler that goes on
    ('\n    for x in event["xs"]:\n        a = event["a"]\n    return 1\n', [[]]),
    ('\n    try:\n        a = event["a"]\n    except KeyError:\n        pass\n    return 1\n', [[]]),
    ('\n    try:\n        a = event["a"]\n    except KeyError:\n        return 0\n    return 1\n',
     [[], [("event", "a")]]),
    # a step's result: the keys of every return of its def, without a custom serdes
    ('\n    r = context.step(record(1))\n    return 1\n', [[("r", "id"), ("r", "n")]]),
    ('\n    r = context.step(echo(1))\n    return 1\n', [[]]),
    ('\n    r = context.step(lambda _: {"k": 1, "j": 2})\n    return 1\n', [[("r", "j"), ("r", "k")]]),
    # a decorated step's arguments are read
    ('\n    r = context.step(echo(event["a"]))\n    return 1\n', [[("event", "a")]]),
])
def test_known_keys(body: str, known: list[list[tuple[str, str]]]) -> None:
    assert _known(body) == known


def test_a_step_whose_def_may_end_without_a_dict_gives_no_keys() -> None:
    source = HEADER.replace('    return {"id": f"r{n}", "n": n}\n', '    if n:\n        return {"id": "r", "n": n}\n')
    assert "return {\"id\": \"r\"" in source
    text = source + '\n    r = context.step(record(1))\n    return 1\n'
    lowered = lower_source(SourceFile("known.py", text))
    function = lowered.handlers[0].function
    found = known_keys(function, Functions(text).defs)
    assert [sorted(v) for v in found.values()] == [[]]
    assert ast.parse(text)  # the source is Python
