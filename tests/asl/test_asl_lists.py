"""List built-ins in JSONata (`range`, `reversed`, `list`, `.append` on list locals): the JSONata text,
and the same value as Python on every example (evaluated with jsonata-python)."""

from __future__ import annotations

import ast
from typing import Any

import jsonata
import pytest

from durable_compile.backends.asl.emit_support import translator
from durable_compile.backends.asl.jsonata import render
from durable_compile.backends.asl.local_types import int_locals, list_locals
from durable_compile.backends.asl.translate import NotTranslatable
from durable_compile.backends.asl.translate_lists import appended
from durable_compile.ir import nodes as n

LISTS = frozenset({"xs"})
#: Python expression -> its JSONata text
TEXT = {
    "range(3)": "[0..2]",
    "range(1, n + 1)": "[1..$n]",
    "range(n - 1)": "[0..$n - 1 - 1]",
    "reversed(xs)": "$reverse($xs)",
    "list(xs)": "$xs",
    "xs + [n]": "$append($xs, $type($n) = 'array' ? [[$n]] : [$n])",
}
VALUES: list[dict[str, Any]] = [{"n": 0, "xs": []}, {"n": 4, "xs": [1, [2, 3], "a"]}, {"n": -2, "xs": [{"k": 1}]}]


def translate(code: str) -> str:
    found = translator({"n", "xs"}, set(), lists=LISTS).translate(ast.parse(code, mode="eval").body)
    return render(found.expr)


@pytest.mark.parametrize("code", sorted(TEXT))
def test_list_builtins_translate(code: str) -> None:
    assert translate(code) == TEXT[code]


@pytest.mark.parametrize("code", sorted(TEXT))
def test_list_builtins_mean_what_python_means(code: str) -> None:
    for env in VALUES:
        expected = list(eval(code, {}, dict(env)))  # noqa: S307 - the test's own literal expressions
        got = jsonata.Jsonata(translate(code)).evaluate(None, dict(env))
        got = [] if got is None else got if isinstance(got, list) else [got]
        assert got == expected, (code, env)


@pytest.mark.parametrize("code", ["reversed(n)", "list(n)", "range(1, 10, 2)"])
def test_not_translated_without_a_list(code: str) -> None:
    with pytest.raises(NotTranslatable):
        translate(code)


def _handler(body: str) -> n.Function:
    from durable_compile.api import lower_source
    from durable_compile.source import SourceFile
    text = ("from aws_durable_execution_sdk_python import durable_execution\n@durable_execution\n"
            "def handler(event, context):\n" + "".join(f"    {line}\n" for line in body.splitlines()))
    return lower_source(SourceFile("h.py", text)).handlers[0].function


def test_list_locals_are_bound_only_to_list_displays() -> None:
    fn = _handler("a = []\nb = [1]\nb = event['b']\nc = []\nfor c in a:\n    pass\nd = []\nd[0] = 1\n"
                  "e = []\ne += [1]\nf, g = [], []\nreturn a")
    assert list_locals(fn, {"a", "b", "c", "d", "e", "f", "g", "event"}) == {"a", "d"}


def test_append_on_a_list_local_is_an_assignment() -> None:
    fn = _handler("a = []\na.append(event)\nb = event\nb.append(1)\nreturn a")
    statements = list(n.walk(fn.body))
    found = [appended(s, {"a"}) for s in statements]
    assert [(name, ast.unparse(value)) for name, value in filter(None, found)] == [("a", "a + [event]")]


def test_int_locals_hold_only_int_arithmetic() -> None:
    fn = _handler("a = 0\na += 1\nb = a * 2 - 1\nc = 0\nc = c / 2\nd = 1\nd = event\ne = 1.5\n"
                  "f = a\nf -= b\ng = 0\ng //= 2\nreturn a")
    assert int_locals(fn, {"a", "b", "c", "d", "e", "f", "g", "event"}) == {"a", "b", "f"}
