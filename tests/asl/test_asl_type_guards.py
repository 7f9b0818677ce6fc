"""A read whose JSONata form means something else on another JSON type is never silently wrong.

JSONata's path `$x.k` maps over a list (`[{"k": 1}, {"k": 2}].k` is `[1, 2]`), its index `$x[0]` of a
number, a boolean, null or an object is the value itself, `$lookup` (behind `.get`) maps too and gives
undefined for a string, and `3 in 3` is true; Python raises TypeError, KeyError or AttributeError for all
of these. `sum` counts True as 1, where JSONata's `+` and `$sum` take numbers only. Each case is a small
handler run with its value of the expected type and of each other JSON type, on the durable runtime and
compiled under both local interpreters (sfnx and moto): the same status, the same result when it
succeeds, and where Python raises the machine fails (States.QueryEvaluationError, docs/aws-differences.md;
moto names it States.Runtime in a Task). Before this guard, the runs marked in WRONG_BEFORE succeeded with
another value. A name that an earlier statement read a key of is a dict (dict_proofs.py): its reads carry
no type check, and the machine still fails where Python does (at the earlier read).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.api import lower_source
from durable_compile.backends.asl.dict_proofs import proven_dicts, returns_dict
from durable_compile.backends.asl.emit_support import translator
from durable_compile.backends.asl.jsonata import render
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_compile.ir import nodes as n
from durable_compile.source import SourceFile
from tests.asl.test_asl_differential import on_runtime

HEADER = '''from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step


@durable_step
def echo(step_ctx: StepContext, value: object) -> object:
    return value


@durable_execution
def handler(event: dict, context: DurableContext):
'''
OTHERS: list[Any] = [None, True, 7, 2.5, "ab", [], {"k": 1}]
#: case -> (the handler's body, the values of event["x"] it runs with)
CASES: dict[str, tuple[str, list[Any]]] = {
    "a key of a list": ('''
    x = event["x"]
    return context.step(echo(x["k"] == 1))
''', [{"k": 1}, {"k": 2}, {}, [{"k": 1}], [{"k": 1}, {"k": 2}], *OTHERS]),
    "a key of a list, as the whole value": ('''
    x = event["x"]
    v = x["k"]
    return context.step(echo(v))
''', [{"k": 1}, [{"k": 1}], [{"k": 1}, {"k": 2}], *OTHERS]),
    "a key of a key": ('''
    v = event["x"]["k"]
    return context.step(echo(v))
''', [{"k": 3}, [{"k": 3}], {}, *OTHERS]),
    "a key of a list returned in a display": ('''
    x = event["x"]
    return {"k": x["k"]}
''', [{"k": 1}, [{"k": 1}], [{"k": 1}, {"k": 2}]]),
    "an index of a dict, a number, a string": ('''
    x = event["x"]
    return context.step(echo(x[0]))
''', [[5], [], {"0": 1}, "", *OTHERS]),
    "an index of a string past its end, as the whole value": ('''
    x = event["x"]
    c = x[3]
    return context.step(echo(c))
''', ["ab", "abcd", [1, 2, 3, 4], [1]]),
    ".get of a list, a string, None": ('''
    x = event["x"]
    return context.step(echo(x.get("k", 0)))
''', [{"k": 1}, {}, [{"k": 1}], *OTHERS]),
    "in a number": ('''
    x = event["x"]
    return context.step(echo(3 in x))
''', [[3], [4], {"3": 1}, 3, True, None]),
    "a list or dict as a dict's key": ('''
    x = event["x"]
    d = context.step(echo({"a": 1, "3": 2}))
    return context.step(echo([x in d, x not in event]))
''', [["a"], {"k": 1}, *OTHERS]),
    "a key of a comprehension's element": ('''
    ids = [r["id"] for r in event["x"] if r["id"] > 0]
    return context.step(echo(ids))
''', [[{"id": 1}, {"id": 0}], [[{"id": 1}]], [{"id": 1}, [{"id": 2}]]]),
    "a read after a key read needs no check of its own": ('''
    x = event["x"]
    first = x["a"]
    box = {"a": first, "b": x["b"], "c": x.get("c")}
    return context.step(echo(box))
''', [{"a": 1, "b": 2}, [{"a": 1, "b": 2}], {"a": 1}, *OTHERS]),
    "sum of booleans a step returns, over a generator": ('''
    return context.step(echo(sum(context.step(echo(r > 1)) for r in event["x"])))
''', [[1, 2, 3], [], [5]]),
    "sum of booleans held in variables": ('''
    a = context.step(echo(event["x"]))
    b = context.step(echo(not event["x"]))
    return sum([a, b, a])
''', [True, False]),
    "sum of a list of booleans and numbers": ('''
    total = sum(event["x"])
    return context.step(echo(total))
''', [[1, 2], [True, 2], [True, 2.5, False], [], ["a"], [None], [[1]]]),
    "sum of a generator of untyped values": ('''
    return sum(r["ok"] for r in event["x"])
''', [[{"ok": True}, {"ok": 2}, {"ok": False}], [], [{"ok": "a"}]]),
}
#: (case, input index) -> how the handler ends, where the machine used to end otherwise (succeeding with
#: another value where Python fails; failing where Python counts booleans)
WRONG_BEFORE = {("a key of a list", 3): "FAILED", ("a key of a list, as the whole value", 1): "FAILED",
                ("a key of a key", 1): "FAILED", ("an index of a dict, a number, a string", 2): "FAILED",
                (".get of a list, a string, None", 2): "FAILED", ("in a number", 3): "FAILED",
                ("an index of a string past its end, as the whole value", 0): "FAILED",
                ("a list or dict as a dict's key", 0): "FAILED", ("a list or dict as a dict's key", 1): "FAILED",
                ("sum of a list of booleans and numbers", 1): "SUCCEEDED",
                ("sum of booleans a step returns, over a generator", 0): "SUCCEEDED",
                ("sum of booleans held in variables", 0): "SUCCEEDED"}
PYTHON_ERRORS = {"TypeError", "KeyError", "IndexError", "AttributeError"}
EVALUATION = {"sfnx": {"States.QueryEvaluationError"}, "moto": {"States.QueryEvaluationError", "States.Runtime"}}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """case -> (the handler file, its compiled folder)."""
    out = {}
    for i, (case, (body, _)) in enumerate(CASES.items()):
        root = tmp_path_factory.mktemp(f"typed{i}")
        path = root / f"type_guards_{i}.py"
        path.write_text(HEADER + body)
        result = compile_file(path)
        assert result.ok, [d.message for d in result.diagnostics]
        write(result, root / "out")
        out[case] = (path, root / "out")
    return out


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_machine_ends_as_the_handler(compiled: dict[str, tuple[Path, Path]], case: str, engine: str) -> None:
    path, folder = compiled[case]
    for i, value in enumerate(CASES[case][1]):
        event = {"x": value}
        try:
            status, result, error = on_runtime(path, event)
        finally:
            sys.modules.pop(path.stem, None)
        assert status == WRONG_BEFORE.get((case, i), status), (case, value)
        got = run_folder(folder, event, engine=engine)  # type: ignore[arg-type]
        assert (got.status, got.result) == (status, result), (value, got.error, error)
        assert got.error == error or (error in PYTHON_ERRORS and got.error in EVALUATION[engine]), (value, error)


def _jsonata(source: str, whole: bool = False, dicts: frozenset[str] = frozenset()) -> str:
    t = translator({"event", "xs", "n"}, set(), lists={"xs"}, ints={"n"}, dicts=dicts)
    node = ast.parse(source, mode="eval").body
    return render((t.value(node) if whole else t.translate(node)).expr)


NOT_A_DICT = "$error('TypeError: not a dict')"


@pytest.mark.parametrize(("source", "whole", "jsonata"), [
    ("event['k'] > 0", False, "($type($event) = 'object' ? ($_1 := $event.k; $exists($_1) ? $_1 : "
                              f"$error(\"KeyError: 'k'\")) : {NOT_A_DICT}) > 0"),
    ("event['k']", True, f"$type($event) = 'object' ? $event.k : {NOT_A_DICT}"),
    ("event.get('k')", False, "$type($event) = 'object' ? ($exists($event.k) ? $event.k : null) : "
                              "$error('AttributeError: get of a non-dict')"),
    ("3 in event", False, "$type($event) = 'string' ? $contains($event, 3) : $type($event) = 'object' ? "
                          "3 in $keys($event) : $type($event) = 'array' ? 3 in $event : "
                          "$error(\"TypeError: 'in' needs a string, a list or a dict\")"),
    # typed values need no check of their type
    ("xs[n]", False, "($_1 := $xs[$n]; $exists($_1) ? $_1 : $error('IndexError: list index out of range'))"),
    ("{'k': 1}['k']", True, "{'k': 1}.k"),
    ("sum([1, n])", False, "$sum([1, $n])"),
    ("sum(xs)", False, "$reduce($xs, function($acc, $v) { $acc + ($v = true ? 1 : $v = false ? 0 : $v) }, 0)"),
    ("sum(x > 1 for x in xs)", False, "$reduce($xs, function($acc, $x) { $acc + ($x > 1 ? 1 : 0) }, 0)"),
])
def test_reads_of_untyped_values_check_the_type(source: str, whole: bool, jsonata: str) -> None:
    assert _jsonata(source, whole) == jsonata


def test_a_proven_dict_is_read_without_a_type_check() -> None:
    proven = frozenset({"event"})
    assert _jsonata("event['k']", True, proven) == "$event.k"
    assert _jsonata("event.get('k', 0)", False, proven) == "$exists($event.k) ? $event.k : 0"
    assert _jsonata("[r['b'] for r in xs if r['a']]", False).count("$type($r) = 'object'") == 1  # the filter's


def _proofs(body: str, defs: str = "") -> dict[str, frozenset[str]]:
    """The names proven dicts at each statement of the handler, by the statement's first line of code."""
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    text = ("from aws_durable_execution_sdk_python import durable_execution, durable_step\n" + defs +
            "@durable_execution\ndef handler(event, context):\n" + lines)
    fn = lower_source(SourceFile("h.py", text)).handlers[0].function
    module = ast.parse(text)
    steps = {d.name: d for d in ast.walk(module) if isinstance(d, ast.FunctionDef)}
    proofs = proven_dicts(fn, lambda name: returns_dict(steps[name.rsplit(".", 1)[-1]]))
    source = text.splitlines()
    return {source[s.span.line - 1].strip(): proofs[id(s)] for s in n.walk(fn.body) if id(s) in proofs}


def test_a_key_read_proves_a_dict_for_what_follows_it() -> None:
    found = _proofs("if event['mode']:\n    a = 1\nb = event['x'].get('y')\nc = 2\nevent = []\nd = 3\n"
                    "while c:\n    c = event['k']\n    event = c\ne = 4\nreturn a")
    assert found["a = 1"] == {"event"}  # the test ran first
    assert found["c = 2"] == {"event"}
    assert found["d = 3"] == frozenset()  # rebound
    assert found["c = event['k']"] == frozenset()  # the loop rebinds it before the next iteration
    assert found["e = 4"] == frozenset()


def test_what_may_not_run_proves_nothing() -> None:
    found = _proofs("a = event['x'] if event else 0\nb = event or event['y']\nc = [r['k'] for r in []]\n"
                    "f = lambda: event['z']\nd = 0 > 1 < event['w']\nreturn a")
    assert set(found.values()) == {frozenset()}


def test_a_walrus_rebinds() -> None:
    found = _proofs("a = event['x']\nb = (event := [])\nc = 1\nreturn a")
    assert (found["b = (event := [])"], found["c = 1"]) == ({"event"}, frozenset())


def test_a_try_proves_only_where_its_body_ran_to_the_end() -> None:
    found = _proofs("try:\n    a = event['x']\nexcept KeyError:\n    a = 0\nb = 1\n"
                    "try:\n    c = event['y']\nexcept KeyError:\n    return 0\nd = 2\nreturn a")
    assert found["b = 1"] == frozenset()  # the handler may have run
    assert found["d = 2"] == {"event"}  # the handler returns


def test_a_step_that_always_returns_a_dict_gives_a_dict() -> None:
    defs = ("@durable_step\ndef box(ctx, v):\n    if v:\n        raise ValueError(v)\n    return {'v': v}\n"
            "@durable_step\ndef maybe(ctx, v):\n    if v:\n        return {'v': v}\n")
    found = _proofs("a = context.step(box(1))\nb = context.step(maybe(1))\nc = 1\nreturn a", defs)
    assert found["c = 1"] == {"a"}  # maybe() may fall off its end and return None
