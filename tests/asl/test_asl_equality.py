"""`==`, `!=` and `in` mean what they mean in Python where a boolean meets a number.

Python says `1 == True`, `0.0 == False`, `[1] == [True]`, `True in [1]` and `[1] in [[1]]`; JSONata's `=`
never equates a boolean with a number, and jsonata-js (the engine family Step Functions runs) tests `in`
by identity, so `[1] in [[1]]` is false there while jsonata-python, inside both local interpreters, says
true. Each expression of `EXPRESSIONS` is evaluated by Python and, translated, by jsonata-python and by
jsonata-js (node), for every row of `VALUES` (`u`, `v` untyped; `xs` a list local, `n` an int local, `s`
a string): all three agree. The rows that agreed before the fix are kept as pins (dict key order, `1 ==
1.0`, `[1] in [[1]]` on jsonata-python). `SHORT`: operands of known types keep the plain `=` and `in`.
`test_a_compiled_handler_agrees` runs a handler with these comparisons on our runtime and, compiled by
to-asl, on moto and sfnx.
"""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.translate import Translator, Typed
from tests.asl.diff_grammar import HEAD
from tests.asl.diff_harness import judge
from tests.asl.test_asl_translate import run_jsonata, same

ROOT = Path(__file__).resolve().parents[2]
TYPES = {"u": "any", "v": "any", "xs": "list", "n": "int", "s": "str", "f": "bool"}
EXPRESSIONS = [
    "u == v", "u != v", "u == 1", "u != 0", "1 == u", "u == 1.5", "u == n", "f == u", "u == True",
    "[u] == [v]", "[u, 1] == [True, v]", "{'k': u} == {'k': v}", "[[u]] == [v]", "u == [True]", "u == xs",
    "u in [v]", "u not in [v]", "u in v", "v in [1, 'x']", "u in (v,)", "[u] in [[v], 2]", "n in v",
    "f in v", "u in xs", "u == 'done'", "s in v", "1 in v", "0 not in v", "3 in v",
]
#: (u, v): every expression runs on each, with xs = [1, 0], n = 1, s = "done", f = True
VALUES: list[tuple[Any, Any]] = [
    (1, True), (0, False), (True, 1.0), (1, 1.0), (2, True), ("1", 1), (None, None), (None, False),
    ([1], [True]), ([1, 2], [2, 1]), ({"x": 1, "y": 2}, {"y": 2, "x": 1}), ({"x": [True]}, {"x": [1.0]}),
    ({"x": None}, {}), ([1, [2]], [1, [2]]), ([[1]], [1]), ([None, 1], [None, True]), ([], [[]]),
    ([{"k": [0, [False]]}], [{"k": [False, [0]]}]), (True, [1, "x"]), ([1, 0], [[1, 0], [True]]),
    ("done", ["done"]), (1, [True]), (0, "x0"), ({}, [{}]),
]
#: expressions whose operands' types say a boolean cannot meet a number -> the plain JSONata
SHORT = [
    ("u == 'done'", "$u = 'done'"),
    ("u != None", "$u != null"),
    ("n == 2", "$n = 2"),
    ("u == 0", "$u = 0 or $u = false"),
    ("u != 1", "$u != 1 and $u != true"),
    ("u == 2", "$u = 2"),
    ("u == True", "$u = ($type($u) = 'number' ? 1 : true)"),
    ("u in ['a', 'b']", "$u in ['a', 'b']"),
    ("s in xs", "$s in $xs"),
    ("3 in xs", "3 in $xs"),
    ("1 in xs", "1 in $xs or true in $xs"),
]


def translate(source: str) -> str:
    names = {k: Typed(Var(k), t) for k, t in TYPES.items()}
    return render(Translator(names).translate(ast.parse(source, mode="eval").body).expr)


def environment(u: Any, v: Any) -> dict[str, Any]:
    return {"u": u, "v": v, "xs": [1, 0], "n": 1, "s": "done", "f": True}


def python(source: str, env: dict[str, Any]) -> Any:
    try:
        return eval(source, {}, dict(env))  # noqa: S307 - the test's own expressions
    except TypeError:
        return TypeError


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_jsonata_python_agrees_with_python(source: str) -> None:
    text = translate(source)
    for u, v in VALUES:
        env = environment(u, v)
        expected = python(source, env)
        if expected is TypeError:  # `u in v` of a number: a loud failure on both sides
            with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
                run_jsonata(text, env)
            continue
        actual = run_jsonata(text, env)
        assert same(expected, actual), f"{source} with u={u!r}, v={v!r} -> {text}: {actual!r}"


def on_jsonata_js(expressions: list[str], values: list[tuple[Any, Any]]) -> list[tuple[str, dict[str, Any], Any]]:
    """(source, environment, jsonata-js's answer: `{"value": ...}` or `{"error": ...}`) for every expression
    with every pair of values, evaluated by node in one run."""
    cases = [(source, environment(u, v)) for source in expressions for u, v in values]
    payload = [{"expr": translate(source), "bindings": env} for source, env in cases]
    done = subprocess.run(["node", str(ROOT / "tests" / "asl" / "jsonata_js.js")], input=json.dumps(payload),
                          capture_output=True, text=True, check=True, cwd=ROOT, timeout=120)
    return [(source, env, got) for (source, env), got in zip(cases, json.loads(done.stdout), strict=True)]


def test_jsonata_js_agrees_with_python() -> None:
    """The engine family Step Functions runs: `in` by identity, `=` deep but never boolean = number."""
    for source, env, got in on_jsonata_js(EXPRESSIONS, VALUES):
        expected = python(source, env)
        if expected is TypeError:
            assert "error" in got, (source, env, got)
        else:
            assert "value" in got and same(expected, got["value"]), (source, env, translate(source), got)


@pytest.mark.parametrize(("source", "jsonata"), SHORT)
def test_known_types_keep_the_plain_operators(source: str, jsonata: str) -> None:
    assert translate(source) == jsonata


HANDLER = '''@durable_execution
def handler(event: dict, context: DurableContext) -> list:
    a = event["a"]
    b = event["b"]
    flags = [a, 1]
    context.step(lambda _: 1, name="s")
    if a == 1:
        flags.append("one")
    looked = event["k"] in {1: "one"}  # a dict display with a number key: lifted, Python's own lookup
    return [a == b, a != b, a in [b], [a] == [b], {"k": a} == {"k": b}, b in event["l"], a == 0,
            flags == [True, 1, "one"], looked, [1] in [[1]], a in [True, "x"]]
'''


@pytest.mark.parametrize("event", [
    {"a": 1, "b": True, "l": [1], "k": True}, {"a": True, "b": 1.0, "l": [[True]], "k": 1.0},
    {"a": [1, 2], "b": [2, 1], "l": [], "k": "1"},
    {"a": {"x": 1, "y": [False]}, "b": {"y": [0], "x": 1}, "l": [{"y": [0], "x": True}], "k": 0},
    {"a": False, "b": 0, "l": [None, 0], "k": 1}, {"a": "1", "b": [None], "l": [[None]], "k": None},
    # agreed before the fix too: dict key order, 1 == 1.0, lists in lists
    {"a": {"x": 1, "y": 2}, "b": {"y": 2, "x": 1}, "l": [{"x": 1, "y": 2}], "k": 2},
    {"a": 1, "b": 1.0, "l": [[1]], "k": 1.0},
])
def test_a_compiled_handler_agrees(event: dict[str, Any], tmp_path: Path) -> None:
    verdict = judge(HEAD.split("@durable_execution")[0] + HANDLER, event, tmp_path, "equality", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
