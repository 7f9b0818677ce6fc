"""Comprehensions, sum/any/all/list over them, `**` in dict displays and unpacking, in JSONata.

Rule examples give the JSONata text (VALID) or show the construct stays lifted (INVALID); every example
and a hypothesis property over random lists and dicts evaluate the translation with jsonata-python and
compare it with Python's own value: equal JSON values, or both fail. The allowed differences are the
documented loud ones (`documented`): a failure in JSONata where Python gives a value.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl.jsonata import Var, render
from durable_compile.backends.asl.translate import NotTranslatable, Typed
from durable_compile.backends.asl.translate_iter import IterTranslator, caught
from tests.asl.test_asl_translate import run_jsonata, same

TYPES = {"xs": "list", "ys": "list", "rows": "list", "d": "dict", "u": "any", "v": "any", "n": "int",
         "s": "str", "ws": "list"}
ENV: dict[str, Any] = {"xs": [3, -1, 0, 8], "ys": [[1, 2], [], [3]], "rows": [{"k": 2, "s": "a", "f": True},
                                                                        {"k": -5, "s": "", "f": False}],
                       "d": {"a": 1, "b": [2]}, "u": {"x": 1}, "v": [1, 2], "n": 2, "s": "ab", "ws": ["p", "q"]}


def translator(caught_names: frozenset[str] | None = frozenset()) -> IterTranslator:
    found = IterTranslator({k: Typed(Var(k), t) for k, t in TYPES.items()})
    found.caught = caught_names
    return found


def translate(source: str, caught_names: frozenset[str] | None = frozenset()) -> str:
    return render(translator(caught_names).translate(ast.parse(source, mode="eval").body).expr)


def check(source: str, env: dict[str, Any]) -> None:
    """The translation gives Python's value, or fails where Python raises."""
    text = translate(source)
    try:
        expected = eval(source, dict(env))  # noqa: S307 - the test's own expressions (globals: comprehensions see them)
    except (TypeError, ValueError, KeyError, ZeroDivisionError):
        with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
            run_jsonata(text, env)
        return
    try:
        actual = run_jsonata(text, env)
    except Exception as err:
        assert documented(str(err), source, env), f"{source} -> {text}: {err}"
        return
    assert same(expected, actual), f"{source}  ->  {text}: python {expected!r}, jsonata {actual!r}"


def documented(message: str, source: str, env: dict[str, Any]) -> bool:
    """The documented loud deviation: min/max comparing booleans or lists (JSONata's `<` takes two numbers
    or two strings)."""
    if "either side of operator" in message and source.startswith(("min(", "max(")):
        if "," in source:  # the values are the arguments themselves
            return any(isinstance(value, bool | list) for value in env.values())
        return any(isinstance(item, bool | list) for value in env.values() if isinstance(value, list)
                   for item in value)
    return False


VALID = {
    "[x * 2 for x in xs]": "$reduce($xs, function($acc, $x) { $append($acc, [$x * 2]) }, [])",
    "[x for x in xs if x > 0]": "$reduce($xs, function($acc, $x) "
                                "{ $x > 0 ? $append($acc, $type($x) = 'array' ? [[$x]] : [$x]) : $acc }, [])",
    "[r['k'] for r in rows if r['f']]": (
        "$reduce($rows, function($acc, $r) { ($type($r) = 'object' ? ($_1 := $r.f; $exists($_1) ? "
        '($type($_1) = \'array\' ? $count($_1) > 0 : $boolean($_1)) : $error("KeyError: \'f\'")) : '
        "$error('TypeError: not a dict')) ? $append($acc, ($_2 := $r.k; $exists($_2) ? ($type($_2) = 'array' "
        '? [[$_2]] : [$_2]) : $error("KeyError: \'k\'"))) : $acc }, [])'),
    "sum(r['k'] for r in rows)": (
        "$reduce($rows, function($acc, $r) { $acc + ($type($r) = 'object' ? ($_1 := $r.k; $exists($_1) ? "
        '($_1 = true ? 1 : $_1 = false ? 0 : $_1) : $error("KeyError: \'k\'")) : $error(\'TypeError: not a '
        "dict')) }, 0)"),
    "sum(x for x in xs if x % 2 == 0)": (
        '$reduce($xs, function($acc, $x) { $x - 2 * $floor($x / 2) = 0 ? $acc + ($x = true ? 1 : $x = false '
        '? 0 : $x) : $acc }, 0)'),
    "sum(xs)": '$reduce($xs, function($acc, $v) { $acc + ($v = true ? 1 : $v = false ? 0 : $v) }, 0)',
    "any(x > 5 for x in xs)": "$reduce($xs, function($acc, $x) { $acc or $x > 5 }, false)",
    "all(x > 5 for x in xs)": "$reduce($xs, function($acc, $x) { $acc and $x > 5 }, true)",
    "any(x > 5 for x in xs if x)": "$reduce($xs, function($acc, $x) { $acc or ($type($x) = 'array' ? "
                                   "$count($x) > 0 : $boolean($x)) and $x > 5 }, false)",
    "len([s for s in ws if s])": "$count($reduce($ws, function($acc, $s) { ($type($s) = 'array' ? $count($s) > 0 "
                                 ": $boolean($s)) ? $append($acc, $type($s) = 'array' ? [[$s]] : [$s]) : $acc }, []))",
    "list(w + '!' for w in ws)": "$reduce($ws, function($acc, $w) { $append($acc, [$w & '!']) }, [])",
    "[k for k in d]": "$reduce($append([], $keys($d)), function($acc, $k) { $append($acc, [$k]) }, [])",
    "[x * y for x in xs for y in xs]": "$reduce($xs, function($acc, $x) { $reduce($xs, function($acc2, $y) "
                                       "{ $append($acc2, [$x * $y]) }, $acc) }, [])",
    "[acc for acc in xs]": "$reduce($xs, function($acc2, $acc) "
                           "{ $append($acc2, $type($acc) = 'array' ? [[$acc]] : [$acc]) }, [])",
    "min(xs)": "$count($xs) > 0 ? $reduce($xs, function($m, $x) { $x < $m ? $x : $m }) "
               ": $error('ValueError: min() of an empty sequence')",
    "max(r['k'] for r in rows)": (
        "($_2 := $reduce($rows, function($acc, $r) { $append($acc, $type($r) = 'object' ? ($_1 := $r.k; "
        '$exists($_1) ? ($type($_1) = \'array\' ? [[$_1]] : [$_1]) : $error("KeyError: \'k\'")) : '
        "$error('TypeError: not a dict')) }, []); $count($_2) > 0 ? $reduce($_2, function($m, $x) { $x > $m "
        "? $x : $m }) : $error('ValueError: max() of an empty sequence'))"),
    "sorted(xs)": "$sort($xs)",
    "sorted(k for k in d)": "$sort($reduce($append([], $keys($d)), function($acc, $k) "
                            "{ $append($acc, [$k]) }, []))",
    "{**d, 'k': n}": "$merge([$d, {'k': $n}])",
    "{'a': 1, **u}": "$merge([{'a': 1}, $type($u) = 'object' ? $u : $error('TypeError: ** needs a dict')])",
}
INVALID = ["(x for x in xs)", "len(x for x in xs)", "[a for a, b in ys]", "{**xs}",
           "{x: 1 for x in xs}", "{x for x in xs}", "sum(w + '!' for w in ws)", "sum(xs, 10)"]


@pytest.mark.parametrize("source", sorted(VALID))
def test_comprehensions_translate(source: str) -> None:
    assert translate(source) == VALID[source]


@pytest.mark.parametrize("source", sorted(VALID))
def test_translations_compute_what_python_computes(source: str) -> None:
    check(source, ENV)


@pytest.mark.parametrize("source", INVALID)
def test_constructs_without_a_faithful_translation_stay_lifted(source: str) -> None:
    with pytest.raises(NotTranslatable):
        translate(source)


@pytest.mark.parametrize("source", ["[x for x in u]", "{**u}", "sum(x for x in v)"])
def test_guards_are_refused_where_an_enclosing_handler_would_catch(source: str) -> None:
    translate(source)  # translatable where nothing catches the error
    for names in (None, frozenset({"TypeError"})):
        with pytest.raises(NotTranslatable, match="caught by an enclosing handler"):
            translate(source, names)
    translate(source, frozenset({"KeyError"}))


@pytest.mark.parametrize("env", [{"u": None}, {"u": 5}, {"u": "ab"}, {"u": [1, [2]]}, {"u": {"p": 1}}, {"u": []}])
def test_iterating_an_untyped_value(env: dict[str, Any]) -> None:
    check("[x for x in u]", env)
    check("{**u, 'z': 0}", env)


@pytest.mark.parametrize("items", [[True, 3], [[1], [0]], ["b", "a", "c"], [None, 1], [2, "a"], [], [1.5, 1, 1.0]])
def test_min_max_sorted_of_untyped_items(items: list[Any]) -> None:
    for source in ("min(u)", "max(u)", "sorted(u)"):
        check(source, {"u": items})



@pytest.mark.parametrize("pair", [["b", "a"], ["a", "B"], ["é", "z"], [2, 1.5], [1, 1.0], [3, "a"], [True, 0],
                                  [[1], [0]]])
def test_min_max_of_untyped_arguments(pair: list[Any]) -> None:
    """`min(u, v)` of two strings picks as Python does (`$min` takes numbers only); mixes fail."""
    for source in ("min(u, v)", "max(u, v)", "min(u, v, n)"):
        env = {"u": pair[0], "v": pair[1], "n": 2}
        if source.endswith("n)") and not all(isinstance(p, int | float) for p in pair):
            env["n"] = pair[0]
        check(source, env)

# --- unpacking ------------------------------------------------------------------------------------------------


def unpacked(count: int, source: str, caught_names: frozenset[str] | None = frozenset()) -> list[str]:
    return [render(e) for e in translator(caught_names).unpack(count, ast.parse(source, mode="eval").body)]


def test_unpacking_a_display_takes_its_items() -> None:
    assert unpacked(2, "n, s") == ["$n", "$s"]
    with pytest.raises(NotTranslatable):
        unpacked(3, "n, s")


def test_unpacking_a_list_checks_its_length() -> None:
    assert unpacked(2, "xs") == ["$count($xs) = 2 ? $xs[0] : $error('ValueError: unpacking needs exactly 2 values')",
                                 "$count($xs) = 2 ? $xs[1] : $error('ValueError: unpacking needs exactly 2 values')"]
    with pytest.raises(NotTranslatable):
        unpacked(2, "xs", frozenset({"ValueError"}))
    with pytest.raises(NotTranslatable):
        unpacked(2, "d")


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.one_of(st.lists(st.one_of(st.integers(), st.lists(st.integers(), max_size=2),
                                                      st.none()), max_size=5), st.integers(), st.none()))
def test_unpacking_gives_python_values_or_fails(count: int, value: Any) -> None:
    texts = unpacked(count, "v")
    try:
        expected = list(value)
        assert len(expected) == count
    except (TypeError, AssertionError):
        for text in texts:
            with pytest.raises(Exception):  # noqa: B017 - any JSONata evaluation error
                run_jsonata(text, {"v": value})
        return
    assert [run_jsonata(text, {"v": value}) for text in texts] == expected


# --- generated comprehensions -------------------------------------------------------------------------------

ELEMENTS = ["x", "x * 2", "x - n", "[x]", "[x, x]", "{'v': x}", "str(x)", "x if x > 0 else -x", "x > 1"]
FILTERS = ["", " if x > 0", " if x % 2 == 0", " if x", " if not x", " if x > 0 if x < 9"]
ROW_PARTS = [("r['k']", " if r['f']"), ("r['s']", " if r['s']"), ("r.get('s', 'none')", ""),
             ("{**r, 'extra': n}", " if r['k'] > 0")]


def comprehension(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["list", "sum", "any", "all", "len", "nested", "rows", "untyped", "order"]))
    elt, cond = draw(st.sampled_from(ELEMENTS)), draw(st.sampled_from(FILTERS))
    if shape == "order":
        what = draw(st.sampled_from(["min", "max", "sorted"]))
        return draw(st.sampled_from([f"{what}(xs)", f"{what}(x - n for x in xs{cond})", f"{what}(u)",
                                     f"{what}(r['s'] for r in rows if r['f'])"]))
    if shape == "rows":
        elt, cond = draw(st.sampled_from(ROW_PARTS))
        return f"[{elt} for r in rows{cond}]"
    if shape == "sum":
        return f"sum({draw(st.sampled_from(['x', 'x * 2', 'x > 1', 'n - x']))} for x in xs{cond})"
    if shape in ("any", "all"):
        return f"{shape}({elt} for x in xs{cond})"
    if shape == "len":
        return f"len([{elt} for x in xs{cond}])"
    if shape == "nested":
        return f"[[x, y] for x in xs{cond} for y in ys if y]"
    return f"[x for x in u{cond.replace('x %', 'len(x) %').replace('x >', 'len(x) >').replace('x <', 'len(x) <')}]"


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-9, 9), st.text(alphabet="ab", max_size=2))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(alphabet="ab", max_size=2), inner, max_size=3)),
    max_leaves=6)
rows = st.fixed_dictionaries({"k": st.integers(-9, 9), "s": st.text(alphabet="ab", max_size=2), "f": st.booleans()})
environments = st.fixed_dictionaries({
    "xs": st.lists(st.integers(-9, 9), max_size=5), "ys": st.lists(json_values, max_size=3),
    "rows": st.lists(rows, max_size=4), "n": st.integers(-3, 3), "u": json_values,
})


@settings(max_examples=300, deadline=None)
@given(st.composite(comprehension)(), environments)
def test_generated_comprehensions_compute_what_python_computes(source: str, env: dict[str, Any]) -> None:
    check(source, env)


def test_caught_names_of_enclosing_frames() -> None:
    class Handler:
        def __init__(self, *types: str | None) -> None:
            self.types = list(types)

    class Frame:
        def __init__(self, *handlers: Handler, finally_error: str | None = None) -> None:
            self.handlers, self.finally_error = list(handlers), finally_error

    assert caught([]) == frozenset()
    assert caught([Frame(Handler("CallbackError")), Frame(Handler("KeyError", "ValueError"))]) == \
        frozenset({"CallbackError", "KeyError", "ValueError"})
    assert caught([Frame(Handler("StepError"), Handler(None))]) is None
    assert caught([Frame(Handler("Exception"))]) is None
    assert caught([Frame(finally_error="Cleanup")]) is None
