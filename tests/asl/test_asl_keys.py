"""sorted/min/max with key=, reverse= and default=, iterating strings, and str.join, in JSONata.

Rule examples give the JSONata text (VALID) or show the construct stays lifted (INVALID); every example
and hypothesis properties over random rows evaluate the translation with jsonata-python and compare it
with Python's own value: equal JSON values in the same order (sorting is stable), or both fail. The only
allowed difference is the documented loud one: JSONata fails on keys Python orders but JSONata's `<`
does not (booleans held in untyped values, lists).
"""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_json import JsonTranslator
from tests.asl.test_asl_translate import run_jsonata, same

TYPES = {"xs": "list", "rows": "list", "words": "list", "ws": "list", "s": "str", "u": "any", "n": "int", "d": "dict"}
ENV: dict[str, Any] = {
    "xs": [3, -1, 0, 8, -1], "n": 2, "s": "héllo😀", "u": "ab", "d": {"b": 1, "a": 2},
    "rows": [{"k": 2, "s": "b", "f": True}, {"k": -5, "s": "a", "f": False}, {"k": 2, "s": "a", "f": False},
             {"k": 0, "s": "B", "f": True}],
    "words": ["pear", "Fig", "apple", "kiwi", "fig"],
}


def translate(source: str, caught: frozenset[str] | None = frozenset()) -> str:
    translator = JsonTranslator({k: Typed(Var(k), t) for k, t in TYPES.items()})
    translator.caught = caught
    return render(translator.translate(ast.parse(source, mode="eval").body).expr)


def check(source: str, env: dict[str, Any]) -> None:
    """The translation gives Python's value, or fails where Python raises."""
    text = translate(source)
    try:
        expected = eval(source, dict(env))  # noqa: S307 - the test's own expressions
    except (TypeError, ValueError):
        with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
            run_jsonata(text, env)
        return
    try:
        actual = run_jsonata(text, env)
    except Exception as err:
        assert documented(str(err), env), f"{source} -> {text}: {err}"
        return
    assert same(expected, actual), f"{source}  ->  {text}: python {expected!r}, jsonata {actual!r}"


def documented(message: str, env: dict[str, Any]) -> bool:
    """Loud: JSONata's `<`/`>` compare two numbers or two strings only (Python also orders booleans)."""
    rows = env.get("rows", [])
    return "either side of operator" in message and any(isinstance(r.get("f"), bool) for r in rows)


VALID = {
    "sorted(rows, key=lambda r: r['k'])": (
        "$sort($rows, function($a, $b) { ($_3 := $type($a) = 'object' ? ($_1 := $a.k; $exists($_1) ? $_1 : "
        '$error("KeyError: \'k\'")) : $error(\'TypeError: not a dict\'); $_4 := $type($b) = \'object\' ? ($_2 := '
        '$b.k; $exists($_2) ? $_2 : $error("KeyError: \'k\'")) : $error(\'TypeError: not a dict\'); $_3 = $_4 ? '
        '0 : $_3 > $_4) })'),
    "sorted(xs, reverse=True)": "$sort($xs, function($a, $b) { $a = $b ? 0 : $a < $b })",
    "sorted(rows, key=lambda r: (r['s'], -r['k']), reverse=True)": (
        "$sort($rows, function($a, $b) { ($_5 := $type($a) = 'object' ? ($_1 := $a.s; $exists($_1) ? $_1 : "
        '$error("KeyError: \'s\'")) : $error(\'TypeError: not a dict\'); $_6 := $type($b) = \'object\' ? ($_3 := '
        '$b.s; $exists($_3) ? $_3 : $error("KeyError: \'s\'")) : $error(\'TypeError: not a dict\'); $_7 := '
        '-($type($a) = \'object\' ? ($_2 := $a.k; $exists($_2) ? $_2 : $error("KeyError: \'k\'")) : '
        "$error('TypeError: not a dict')); $_8 := -($type($b) = 'object' ? ($_4 := $b.k; $exists($_4) ? $_4 "
        ': $error("KeyError: \'k\'")) : $error(\'TypeError: not a dict\')); $_5 != $_6 ? $_5 < $_6 : $_7 != $_8 '
        '? $_7 < $_8 : 0) })'),
    "sorted(words, key=str.lower)": "$sort($words, function($a, $b) { ($_1 := $lowercase($a); $_2 := "
                                    "$lowercase($b); $_1 = $_2 ? 0 : $_1 > $_2) })",
    "sorted(words, key=len)": "$sort($words, function($a, $b) { ($_1 := $type($a) = 'string' ? $length($a) : "
                              "$type($a) = 'object' ? $count($keys($a)) : $type($a) = 'array' ? $count($a) : "
                              "$error('TypeError: len() needs a string, a list or a dict'); $_2 := $type($b) = "
                              "'string' ? $length($b) : $type($b) = 'object' ? $count($keys($b)) : $type($b) = "
                              "'array' ? $count($b) : $error('TypeError: len() needs a string, a list or a dict'); "
                              "$_1 = $_2 ? 0 : $_1 > $_2) })",
    "min(rows, key=lambda r: r['k'])": (
        "$count($rows) > 0 ? $reduce($rows, function($m, $x) { ($type($x) = 'object' ? ($_1 := $x.k; "
        '$exists($_1) ? $_1 : $error("KeyError: \'k\'")) : $error(\'TypeError: not a dict\')) < ($type($m) = '
        '\'object\' ? ($_2 := $m.k; $exists($_2) ? $_2 : $error("KeyError: \'k\'")) : $error(\'TypeError: not a '
        "dict')) ? $x : $m }) : $error('ValueError: min() of an empty sequence')"),
    "max(xs, default=n)": "$count($xs) > 0 ? $reduce($xs, function($m, $x) { $x > $m ? $x : $m }) : $n",
    "max(rows, key=lambda r: r['k'] > 0)": (
        "$count($rows) > 0 ? $reduce($rows, function($m, $x) { (($type($x) = 'object' ? ($_1 := $x.k; "
        '$exists($_1) ? $_1 : $error("KeyError: \'k\'")) : $error(\'TypeError: not a dict\')) > 0 ? 1 : 0) > '
        '(($type($m) = \'object\' ? ($_2 := $m.k; $exists($_2) ? $_2 : $error("KeyError: \'k\'")) : '
        "$error('TypeError: not a dict')) > 0 ? 1 : 0) ? $x : $m }) : $error('ValueError: max() of an empty "
        "sequence')"),
    "min(n, 7, key=lambda v: -v)": "$reduce([$n, 7], function($m, $x) { -$x < -$m ? $x : $m })",
    "max((r['s'] for r in rows), key=str.upper, default='')": (
        "($_2 := $reduce($rows, function($acc, $r) { $append($acc, $type($r) = 'object' ? ($_1 := $r.s; "
        '$exists($_1) ? ($type($_1) = \'array\' ? [[$_1]] : [$_1]) : $error("KeyError: \'s\'")) : '
        "$error('TypeError: not a dict')) }, []); $count($_2) > 0 ? $reduce($_2, function($m, $x) { "
        "$uppercase($x) > $uppercase($m) ? $x : $m }) : '')"),
    "[c for c in s]": "$reduce($append([], $map([0..$length($s) - 1], function($i) { $substring($s, $i, 1) })), "
                      "function($acc, $c) { $append($acc, [$c]) }, [])",
    "'-'.join(s)": "$join($append([], $map([0..$length($s) - 1], function($i) { $substring($s, $i, 1) })), '-')",
    "', '.join(str(x) for x in xs)":
        "$join($reduce($xs, function($acc, $x) { $append($acc, [$type($x) = 'string' ? $x : $type($x) = 'boolean' ? "
        "($x ? 'True' : 'False') : $type($x) = 'null' ? 'None' : $type($x) = 'number' ? ($number($string($x)) = $x "
        "and $abs($x) < 1000000000000000 and ($abs($x) >= 0.0001 or $x = 0) ? $string($x) : "
        "$error('str() of ' & $string($x) & ' has no exact JSONata form')) : "
        "$error('str() of a list or dict has no JSONata form')]) }, []), ', ')",
    "','.join(d)": "$join($append([], $keys($d)), ',')",
    "''.join(u)": "$join($type($u) = 'array' ? $u : $type($u) = 'object' ? $append([], $keys($u)) : $type($u) = "
                  "'string' ? $append([], $map([0..$length($u) - 1], function($i) { $substring($u, $i, 1) })) : "
                  "$error('TypeError: only strings, lists and dicts are iterated in the state machine'), '')",
}
INVALID = ["sorted(xs, key=lambda a, b: a)", "sorted(xs, reverse=n > 0)", "sorted(xs, cmp=1)",
           "sorted(xs, n, key=len)", "min(xs, n, default=0)", "sorted(xs, key=abs.real)",
           "sorted(rows, key=lambda r: (*r,))", "min(xs, key=print)", "sorted(xs, **d)"]


@pytest.mark.parametrize("source", sorted(VALID))
def test_translates(source: str) -> None:
    assert translate(source) == VALID[source]


@pytest.mark.parametrize("source", sorted(VALID))
def test_translations_compute_what_python_computes(source: str) -> None:
    check(source, ENV)


@pytest.mark.parametrize("source", INVALID)
def test_constructs_without_a_faithful_translation_stay_lifted(source: str) -> None:
    with pytest.raises(NotTranslatable):
        translate(source)


@pytest.mark.parametrize("source", ["sorted(rows, key=lambda r: r['k'])", "min(xs, key=abs)", "','.join(xs)",
                                    "[c for c in u]"])
def test_refused_where_an_enclosing_handler_would_catch_the_type_error(source: str) -> None:
    translate(source)
    for caught in (None, frozenset({"TypeError"})):
        with pytest.raises(NotTranslatable, match="caught by an enclosing handler"):
            translate(source, caught)


@pytest.mark.parametrize("env", [{"u": "a😀é"}, {"u": ""}, {"u": ["x", "y"]}, {"u": {"p": 1, "q": 2}}, {"u": 5},
                                 {"u": None}, {"u": ["x", 1]}])
def test_iterating_and_joining_an_untyped_value(env: dict[str, Any]) -> None:
    check("[c for c in u]", env)
    check("'-'.join(u)", env)
    check("','.join(c for c in u)", env)


@pytest.mark.parametrize("text", ["", "a", "héllo", "a😀b", "\n\t\x7f", "日本語"])
def test_a_string_iterates_by_code_points(text: str) -> None:
    check("[c for c in s]", {"s": text})
    check("len([c for c in s if c != 'l'])", {"s": text})


# --- generated ------------------------------------------------------------------------------------------------

KEYS = ["lambda r: r['k']", "lambda r: r['s']", "lambda r: (r['k'], r['s'])", "lambda r: (r['s'], -r['k'])",
        "lambda r: r['k'] % 3", "lambda r: len(r['s'])", "lambda r: r['k'] > 0", "lambda r: r['f']",
        "lambda r: (r['k'] > 1, r['s'])", "lambda r: r['s'].lower()"]


def keyed(draw: st.DrawFn) -> str:
    key = draw(st.sampled_from(KEYS))
    what = draw(st.sampled_from(["sorted", "sorted-reverse", "min", "max", "min-default", "max-generator"]))
    if what == "sorted":
        return f"sorted(rows, key={key})"
    if what == "sorted-reverse":
        return f"sorted(rows, key={key}, reverse=True)"
    if what == "min-default":
        return f"min(rows, key={key}, default=None)"
    if what == "max-generator":
        return f"max((r for r in rows if r['k'] != 1), key={key}, default='none')"
    return f"{what}(rows, key={key})"


rows = st.lists(st.fixed_dictionaries({"k": st.integers(-3, 3), "s": st.text(alphabet="aAbB", max_size=2),
                                       "f": st.booleans()}), max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.composite(keyed)(), rows)
def test_generated_keys_order_as_python_does(source: str, values: list[dict[str, Any]]) -> None:
    check(source, {"rows": values})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-3, 3), max_size=6), st.booleans())
def test_sorting_is_stable_in_both_directions(values: list[int], reverse: bool) -> None:
    """Equal keys keep their order: rows with the same `k` come out in the order they went in."""
    tagged = [{"k": v, "s": str(i), "f": False} for i, v in enumerate(values)]
    check(f"sorted(rows, key=lambda r: r['k'], reverse={reverse})", {"rows": tagged})
