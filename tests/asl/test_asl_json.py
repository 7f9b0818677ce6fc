"""`json.loads` -> `$parse`: the JSONata text, when it is used, and the same value as Python's json.

Every text (random JSON, and random strings of JSON's punctuation with single quotes) gives Python's
value, or fails where Python raises. `$parse` is evaluated as run-asl evaluates it (strict JSON);
the guard in front of it rejects single-quoted strings, which Step Functions' own `$parse` would read.
"""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata import Jsonata

from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.localrun.moto_engine import parse_json
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_json import JsonTranslator, json_imports
from tests.asl.test_asl_translate import from_jsonata, same, to_jsonata

GUARD = "$contains($t, /^(?:[^\"']|\"(?:[^\"\\x5c]|\\\\.)*\")*'/) ? " \
        "$error('JSONDecodeError: a single-quoted string is not JSON') : $parse($t)"


def translate(source: str, imports: str = "import json", caught: frozenset[str] | None = frozenset()) -> str:
    translator = JsonTranslator({"t": Typed(Var("t"), "any"), "n": Typed(Var("n"), "int"),
                                 "json": Typed(Var("json"), "any")} if "json =" in imports else
                                {"t": Typed(Var("t"), "any"), "n": Typed(Var("n"), "int")})
    translator.json_calls = json_imports(imports)
    translator.caught = caught
    return render(translator.translate(ast.parse(source, mode="eval").body).expr)


def run(text: str, env: dict[str, Any]) -> Any:
    compiled = Jsonata(text)
    compiled.set_output_convert_nulls(False)
    compiled.register_lambda("parse", parse_json)
    return from_jsonata(compiled.evaluate(None, {k: to_jsonata(v) for k, v in env.items()}))


@pytest.mark.parametrize(("source", "imports"), [
    ("json.loads(t)", "import json"), ("j.loads(t)", "import json as j"), ("loads(t)", "from json import loads"),
    ("ld(t)", "from json import loads as ld"),
])
def test_json_loads_is_parse_behind_a_guard(source: str, imports: str) -> None:
    assert translate(source, imports) == GUARD


@pytest.mark.parametrize(("source", "imports", "caught"), [
    ("json.loads(t)", "import os", frozenset()),  # not the json module
    ("json.loads(t)", "import json\njson = 1", frozenset()),  # a local named json
    ("json.loads(n)", "import json", frozenset()),  # an int always fails
    ("json.loads(t, parse_float=str)", "import json", frozenset()),
    ("json.loads(t)", "import json", frozenset({"ValueError"})),  # an enclosing except would catch the error
    ("json.loads(t)", "import json", None),
])
def test_json_calls_that_stay_lifted(source: str, imports: str, caught: frozenset[str] | None) -> None:
    with pytest.raises(NotTranslatable):
        translate(source, imports, caught)


def check(text: Any) -> None:
    try:
        expected = json.loads(text)
    except (TypeError, ValueError):
        with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
            run(GUARD, {"t": text})
        return
    assert same(expected, run(GUARD, {"t": text})), text


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(alphabet="a'\"\\é/ ", max_size=4)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(alphabet="a'\"\\", max_size=3), inner, max_size=3)),
    max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(json_values, st.booleans())
def test_json_texts_parse_as_python_reads_them(value: Any, compact: bool) -> None:
    check(json.dumps(value, separators=(",", ":") if compact else None, ensure_ascii=compact))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="{}[]\"':,\\ a1nul", max_size=12))
def test_other_texts_fail_where_python_fails(text: str) -> None:
    check(text)


@pytest.mark.parametrize("text", ["{'a': 1}", "['x']", '{"a": "it\'s"}', '"\\\\"', "NaN", "null", "", " 5 ", None, 7,
                                  '{"a": 1, "a": 2}'])
def test_examples(text: Any) -> None:
    if text == "NaN":  # the one documented deviation: Python reads NaN, Step Functions does not
        with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
            run(GUARD, {"t": text})
        return
    check(text)
