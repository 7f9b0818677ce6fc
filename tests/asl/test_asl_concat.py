"""`+` joins strings and lists only with their own kind, as in Python.

Python raises TypeError for `"a" + 1`, `[1] + "xy"` or `[1] + 2`; JSONata's `&` would write the number as
text and `$append` would add the other value as an item, silently. Each expression of `EXPRESSIONS`,
translated with `u`, `v` untyped, `xs` a list local and `s` a string, is evaluated by Python, by
jsonata-python and by jsonata-js (node) for every row of `VALUES`: the results agree, and where Python
raises, both JSONata engines fail too (the state machine's error is States.QueryEvaluationError, see
docs/aws-differences.md). `SHORT`: operands of known types keep the plain operators.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.asl.test_asl_equality import environment, on_jsonata_js, python, translate
from tests.asl.test_asl_translate import run_jsonata, same

EXPRESSIONS = ["u + v", "s + u", "u + s", "xs + u", "u + xs", "u + 'x'", "[0] + u"]
VALUES: list[tuple[Any, Any]] = [
    ("a", "b"), ("a", 1), (1, "a"), ([1], [2]), ([1], "xy"), ([1], 2), (2, [1]), (1, 2), (1.5, 2), ("a", None),
    ([], {"k": 1}), ("a", ["b"]),
]
SHORT = [("s + s", "$s & $s"), ("xs + xs", "$append($xs, $xs)"), ("n + 1", "$n + 1")]



@pytest.mark.parametrize("source", EXPRESSIONS)
def test_jsonata_python_agrees_with_python(source: str) -> None:
    text = translate(source)
    for u, v in VALUES:
        env = environment(u, v)
        expected = python(source, env)
        if expected is TypeError:
            with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
                run_jsonata(text, env)
        else:
            assert same(expected, run_jsonata(text, env)), (source, env, text)


def test_jsonata_js_agrees_with_python() -> None:
    for source, env, got in on_jsonata_js(EXPRESSIONS, VALUES):
        expected = python(source, env)
        if expected is TypeError:
            assert "error" in got, (source, env, translate(source), got)
        else:
            assert "value" in got and same(expected, got["value"]), (source, env, translate(source), got)


@pytest.mark.parametrize(("source", "jsonata"), SHORT)
def test_known_types_keep_the_plain_operators(source: str, jsonata: str) -> None:
    assert translate(source) == jsonata
