"""Integer format specs in f-strings (`{n:05d}`): the JSONata text, and Python's text for every value.

A hypothesis property formats random values (ints, booleans, floats, strings, None, lists) with each
spec in Python and in the translation (jsonata-python): the same text, or both fail. The documented
deviation: a float with a whole value (which Python refuses) is formatted like the int.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.translate import NotTranslatable
from durable_compile.backends.asl.translate_format import FormatTranslator
from durable_compile.backends.asl.typed import Typed
from tests.asl.test_asl_translate import run_jsonata

SPECS = ["d", "5d", "05d", "03d", "1d", "0d", "012d"]


def translate(source: str, caught: frozenset[str] | None = frozenset()) -> str:
    translator = FormatTranslator({"u": Typed(Var("u"), "any"), "n": Typed(Var("n"), "int"),
                                   "f": Typed(Var("f"), "bool"), "s": Typed(Var("s"), "str")})
    translator.caught = caught
    return render(translator.translate(ast.parse(source, mode="eval").body).expr)


@pytest.mark.parametrize(("source", "jsonata"), [
    ("f'#{n:d}'", "'#' & $string($n)"),
    ("f'#{n:4d}'", "'#' & $pad($string($n), -4)"),
    ("f'T-{n:05d}'", "'T-' & ($n < 0 ? '-' & $pad($string(-$n), -4, '0') : $pad($string($n), -5, '0'))"),
    ("f'#{f:03d}'", "'#' & $pad($f ? '1' : '0', -3, '0')"),
    ("f'#{u:2d}'", "'#' & ($type($u) = 'boolean' ? $pad($u ? '1' : '0', -2, ' ') : $type($u) = 'number' and "
                   "$floor($u) = $u ? $pad($string($u), -2) : "
                   "$error(\"ValueError: format code '2d' needs an integer\"))"),
])
def test_integer_specs_translate(source: str, jsonata: str) -> None:
    assert translate(source) == jsonata


@pytest.mark.parametrize("source", ["f'{n:x}'", "f'{n:,d}'", "f'{n:+d}'", "f'{s:>5}'", "f'{s:05d}'", "f'{n:{n}d}'",
                                    "f'{n!r:5d}'"])
def test_other_specs_stay_lifted(source: str) -> None:
    with pytest.raises(NotTranslatable):
        translate(source)


def test_refused_where_an_except_would_catch_the_error() -> None:
    assert translate("f'{n:05d}'", None)  # an int never fails
    with pytest.raises(NotTranslatable):
        translate("f'{u:05d}'", frozenset({"ValueError"}))


values = st.one_of(st.integers(-10**12, 10**12), st.booleans(), st.floats(-1e6, 1e6, allow_nan=False),
                   st.text(alphabet="a1-", max_size=3), st.none(), st.lists(st.integers(), max_size=2))


@settings(max_examples=300, deadline=None)
@given(values, st.sampled_from(SPECS))
def test_formats_as_python_formats(value: Any, spec: str) -> None:
    text = translate(f"f'<{{u:{spec}}}>'")
    try:
        expected = f"<{value:{spec}}>"
    except (TypeError, ValueError):
        if isinstance(value, float) and value.is_integer():  # documented: numbers are doubles
            return
        with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
            run_jsonata(text, {"u": value})
        return
    assert run_jsonata(text, {"u": value}) == expected, text
