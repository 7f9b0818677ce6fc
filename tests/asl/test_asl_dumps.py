"""`json.dumps` -> a JSONata JSON writer: the same text as Python's json module, or a loud failure.

Every value (random JSON: any Unicode text, astral characters and control characters included, integers,
short floats, nested lists and objects) gives exactly Python's `json.dumps` text, with the default
separators and with literal `separators=`; numbers JSONata's `$string` cannot write as Python does fail
loudly. The writer is evaluated with jsonata-python, whose `$string` escapes non-ASCII text (JavaScript's
does not): the escaping of characters outside printable ASCII is therefore also checked with `$string`
replaced by a JavaScript-like one (`javascript_string`), so that both code paths are exercised.
"""

from __future__ import annotations

import ast
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata import Jsonata

from durable_compile.backends.asl.expressions import free_variables
from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_json import JsonTranslator, json_imports
from tests.asl.test_asl_translate import from_jsonata, to_jsonata


def translate(source: str, imports: str = "import json") -> str:
    translator = JsonTranslator({"v": Typed(Var("v"), "any"), "x": Typed(Var("x"), "any")})
    translator.json_calls = json_imports(imports)
    return render(translator.translate(ast.parse(source, mode="eval").body).expr)


def javascript_string(value: Any, *_: Any) -> str:
    """`$string` as JavaScript JSONata computes it for arrays of strings: JSON.stringify, which keeps
    non-ASCII characters and DEL as they are and escapes only `"`, `\\` and control characters."""
    return json.dumps(from_jsonata(value), ensure_ascii=False, separators=(",", ":"))


def run(text: str, env: dict[str, Any], javascript: bool = False) -> Any:
    compiled = Jsonata(text)
    compiled.set_output_convert_nulls(False)
    if javascript:
        compiled.register_lambda("string", javascript_string)
    return from_jsonata(compiled.evaluate(None, {k: to_jsonata(v) for k, v in env.items()}))


@pytest.mark.parametrize(("source", "imports"), [
    ("json.dumps(v)", "import json"), ("j.dumps(v)", "import json as j"), ("dumps(v)", "from json import dumps"),
    ("dd(v)", "from json import dumps as dd"),
])
def test_the_writer_is_bound_then_called(source: str, imports: str) -> None:
    """Under `$dumps`, or `$dumps2` where the call itself is written `dumps(...)`."""
    name = "dumps2" if source.startswith("dumps(") else "dumps"
    text = translate(source, imports)
    assert text.startswith(f"(${name} := function($v) {{ (") and text.endswith(f"; ${name}($v))")
    assert free_variables(text) == {"v"}


def test_the_writer_reads_nothing_but_the_value() -> None:
    """Its own names ($v, $x, $k, ...) are bound inside it: the value's `$x` is still read."""
    text = translate("json.dumps([x, v])")
    assert free_variables(text) == {"x", "v"}


def test_a_local_shadowing_the_import_is_not_the_json_module() -> None:
    translator = JsonTranslator({"dumps": Typed(Var("dumps"), "any"), "v": Typed(Var("v"), "any")})
    translator.json_calls = json_imports("from json import dumps")
    with pytest.raises(NotTranslatable):
        translator.translate(ast.parse("dumps(v)", mode="eval").body)


@pytest.mark.parametrize("source", ["json.dumps(v, indent=2)", "json.dumps(v, sort_keys=True)",
                                    "json.dumps(v, ensure_ascii=False)", "json.dumps(v, separators=sep)",
                                    "json.dumps(v, default=str)", "json.dumps()", "json.dumps(v, v)"])
def test_other_options_stay_lifted(source: str) -> None:
    with pytest.raises(NotTranslatable):
        translate(source)


texts = st.text(st.characters(codec="utf-8"), max_size=6)
numbers = st.one_of(st.integers(-10**14, 10**14), st.sampled_from([0.5, -2.25, 0.1, 3.14159, 1234.5, 0.0001]))
values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, texts), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(values, st.booleans())
def test_writes_what_python_writes(value: Any, javascript: bool) -> None:
    assert run(translate("json.dumps(v)"), {"v": value}, javascript) == json.dumps(value)


@settings(max_examples=100, deadline=None)
@given(values, st.sampled_from([(",", ":"), (", ", ":"), (";", "=")]))
def test_writes_with_literal_separators(value: Any, separators: tuple[str, str]) -> None:
    text = translate(f"json.dumps(v, separators={separators!r})")
    assert run(text, {"v": value}) == json.dumps(value, separators=separators)


@pytest.mark.parametrize("number", [0.1 + 0.2, 1e16, 1e-7, 10**15, 2.0**60, 1 / 3])
def test_numbers_it_cannot_write_as_python_fail_loudly(number: float) -> None:
    with pytest.raises(Exception, match="no exact JSONata form"):
        run(translate("json.dumps(v)"), {"v": {"n": number}})
