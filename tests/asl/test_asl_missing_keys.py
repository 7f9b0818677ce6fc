"""A missing key or index is never silent in a compiled machine: where Python raises KeyError or IndexError
reading `x["k"]` or `xs[i]`, the machine fails too (States.QueryEvaluationError, the documented mapping:
docs/aws-differences.md), instead of giving JSONata's undefined to a condition, a comparison, a string
join or a display, which would take it without failing and give another answer.

Each case is a small handler, run with its input keys present and with each one missing in turn, on the
durable runtime and compiled under both local interpreters (sfnx and moto): the same status, the same
result when it succeeds, and where the runtime fails with KeyError/IndexError the machine fails with
States.QueryEvaluationError (moto names it States.Runtime in a Task). `.get()` stays lenient, and an
`except KeyError` around the read catches it (the read runs in the steps function there).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.emit_support import translator
from durable_compile.backends.asl.jsonata import render
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from tests.asl.test_asl_differential import on_runtime

HEADER = '''from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step


@durable_step
def echo(step_ctx: StepContext, value: object) -> object:
    return value


@durable_execution
def handler(event: dict, context: DurableContext):
'''
#: case -> the handler's body (indented); each runs on FULL and on FULL with each key missing
SOURCES = {
    "condition": '''
    if event["n"] > 0:
        return "positive"
    return "not positive"
''',
    "comparison": '''
    same = event["s"] == "x"
    return context.step(echo(same))
''',
    "f-string": '''
    label = f"id {event['s']}"
    return label
''',
    "dict display": '''
    box = {"id": event["s"], "n": 1}
    return context.step(echo(box))
''',
    "list display": '''
    items = [event["s"], event["n"]]
    return items
''',
    "not": '''
    return "empty" if not event["s"] else "set"
''',
    "and/or": '''
    picked = event["s"] or event["n"]
    both = event["n"] and event["s"]
    return [picked, both]
''',
    "nested subscripts": '''
    inner = event["d"]["k"] + 1
    return inner
''',
    "list index": '''
    first = event["xs"][2] * 10
    return first
''',
    "comprehension": '''
    ids = [row["id"] for row in event["xs2"]]
    return ids
''',
    "get stays lenient": '''
    label = f"{event.get('s', 'none')}-{event.get('zz')}"
    return label
''',
    "except KeyError": '''
    try:
        label = "id " + event["s"]
    except KeyError:
        label = "no id"
    return context.step(echo(label))
''',
    "whole value": '''
    value = event["s"]
    return {"value": value}
''',
}
FULL = {"n": 3, "s": "x", "d": {"k": 4}, "xs": [1, 2, 3], "xs2": [{"id": 1}, {"id": 2}]}
#: for each case: the input keys it reads (the others' absence changes nothing)
READS = {"condition": ["n"], "comparison": ["s"], "f-string": ["s"], "dict display": ["s"], "list display": ["s", "n"],
         "not": ["s"], "and/or": ["s", "n"], "nested subscripts": ["d"], "list index": ["xs"],
         "comprehension": ["xs2"], "get stays lenient": ["s"], "except KeyError": ["s"], "whole value": ["s"]}
#: extra inputs: a nested key missing, a short list, a list item missing its key
EXTRA = {"nested subscripts": [{**FULL, "d": {}}], "list index": [{**FULL, "xs": [1]}],
         "comprehension": [{**FULL, "xs2": [{"id": 1}, {}]}]}
EVALUATION = {"sfnx": {"States.QueryEvaluationError"}, "moto": {"States.QueryEvaluationError", "States.Runtime"}}


def inputs(case: str) -> list[dict[str, Any]]:
    return [FULL, *({k: v for k, v in FULL.items() if k != key} for key in READS[case]), *EXTRA.get(case, [])]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """case -> (the handler file, its compiled folder)."""
    out = {}
    for i, (case, body) in enumerate(SOURCES.items()):
        root = tmp_path_factory.mktemp(f"missing{i}")
        path = root / f"missing_keys_{i}.py"
        path.write_text(HEADER + body)
        result = compile_file(path)
        assert result.ok, [d.message for d in result.diagnostics]
        write(result, root / "out")
        out[case] = (path, root / "out")
    return out


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(SOURCES))
def test_machine_ends_as_the_handler(compiled: dict[str, tuple[Path, Path]], case: str, engine: str) -> None:
    path, folder = compiled[case]
    statuses = set()
    for event in inputs(case):
        try:
            status, result, error = on_runtime(path, event)
        finally:
            sys.modules.pop(path.stem, None)
        got = run_folder(folder, event, engine=engine)  # type: ignore[arg-type]
        assert (got.status, got.result) == (status, result), (event, got.error)
        assert got.error == error or (error in ("KeyError", "IndexError") and got.error in EVALUATION[engine]), \
            (event, error, got.error)
        statuses.add(status)
    lenient = case in ("get stays lenient", "except KeyError")
    assert statuses == ({"SUCCEEDED"} if lenient else {"SUCCEEDED", "FAILED"})  # the inputs do reach both ends


def test_the_except_keyerror_read_runs_in_the_steps_function(compiled: dict[str, tuple[Path, Path]]) -> None:
    path = compiled["except KeyError"][0]
    assert "DUR821" in [d.code for d in compile_file(path).diagnostics]


def _jsonata(source: str, whole: bool = False) -> str:
    """The JSONata of `source`, `event` known to be a dict (its type check: test_asl_type_guards.py)."""
    t = translator({"event", "xs"}, set(), lists={"xs"}, dicts={"event"})
    node = ast.parse(source, mode="eval").body
    return render((t.value(node) if whole else t.translate(node)).expr)


@pytest.mark.parametrize(("source", "jsonata"), [
    # the read bound once, then checked
    ("event['k'] > 0", "($_1 := $event.k; $exists($_1) ? $_1 : $error(\"KeyError: 'k'\")) > 0"),
    # a chain checks each key, and the type of what the inner read gives (a path would map over a list)
    ("event['a']['b']", "($_1 := $event.a; $exists($_1) ? ($type($_1) = 'object' ? ($_2 := $_1.b; $exists($_2) ? "
                        "$_2 : $error(\"KeyError: 'b'\")) : $error('TypeError: not a dict')) : "
                        "$error(\"KeyError: 'a'\"))"),
    ("xs[3]", "($_1 := $xs[3]; $exists($_1) ? $_1 : $error('IndexError: list index out of range'))"),
    # a consumer that binds its operand uses the checked read's own variable
    ("not event['k']", "$not(($_1 := $event.k; $exists($_1) ? ($type($_1) = 'array' ? $count($_1) > 0 : "
                       "$boolean($_1)) : $error(\"KeyError: 'k'\")))"),
    ("event.get('k')", "$exists($event.k) ? $event.k : null"),
])
def test_checked_reads_are_readable(source: str, jsonata: str) -> None:
    assert _jsonata(source) == jsonata


def test_a_whole_value_is_not_checked() -> None:
    """An Assign or an Output of undefined fails the state by itself: its outermost read is left bare."""
    assert _jsonata("event['a']['b']", whole=True) == ("($_1 := $event.a; $exists($_1) ? ($type($_1) = 'object' ? "
                                                       "$_1.b : $error('TypeError: not a dict')) : "
                                                       "$error(\"KeyError: 'a'\"))")
    assert _jsonata("{'id': event['id']}", whole=True) == \
        "{'id': ($_1 := $event.id; $exists($_1) ? $_1 : $error(\"KeyError: 'id'\"))}"
