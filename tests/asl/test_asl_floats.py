"""Floats the compiler knows are floats are written as Python writes them, `5.0`, though JSON (and so the
state machine) holds the float 5.0 as the number 5 (float_exprs.py, local_types.float_locals).

- Inference, rule by rule (`POSITIVE`), and a case per rule where the value must stay unknown because it
  may be an int (`NEGATIVE`): which locals the emitter types as floats.
- Differential runs (runtime vs run-asl, moto and sfnx): every rule's value printed by `str()`, f-strings
  (plain, `!s`, `!r`) and `json.dumps`, of the value or of a display holding it (`RULES`); the unknown
  cases print the int Python prints (`UNKNOWN`); a float local read in a step body, a step's arguments, a
  lifted computation, a callback submitter, a condition check, a child context, a helper and a closure is
  a float there again (`PAYLOADS`); `range()` and `{x:d}` of a float fail as in Python (`REFUSED`).
- Outside the range where JSONata writes a number exactly, a known float still fails loudly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.api import lower_source
from durable_compile.backends.asl.emit import Emitter
from durable_compile.source import SourceFile
from tests.asl.diff_grammar import HEAD
from tests.asl.diff_harness import judge
from tests.asl.test_asl_differential import on_asl

PRELUDE = HEAD + '''
import json
import math
from math import sqrt

RATE = 2.0


@durable_step
def halve(step_ctx, v):
    return v / 2


@durable_step
def claims_float(step_ctx, v) -> float:
    return v * 2


@durable_step
def show(step_ctx, v):
    return f"{v}|{type(v).__name__}"

'''


def _handler(body: str) -> str:
    lines = "".join(f"    {line}\n" for line in body.strip().splitlines())
    return PRELUDE + "\n@durable_execution\ndef handler(event, context: DurableContext):\n" + lines


#: rule -> statements that bind `x` to a float (event: a, b, n numbers of unknown type)
POSITIVE = {
    "true division": "x = event['a'] / event['b']",
    "float()": "x = float(event['n'])",
    "float literal": "x = 2.5",
    "+ with a float": "x = event['n'] + 1.5",
    "- with a float on the right": "x = event['n'] - (event['a'] / 2)",
    "* // % of a float": "q = 1.5\nx = q * 2 if event['n'] else q // 2 % 3",
    "float ** int": "q = 1.5\nx = q ** 2",
    "int ** negative literal": "x = 2 ** -1",
    "unary minus": "x = -(event['a'] / 2)",
    "abs of a float": "x = abs(1.5)",
    "min/max of floats": "q = 1.5\nx = max(q, min(q, 2.0))",
    "round(x, n)": "x = round(event['a'] / 3, 2)",
    "math function": "x = math.sqrt(event['a'])",
    "from math import": "x = sqrt(event['a'])",
    "math constant": "x = math.pi",
    "augmented assignment": "x = 0.0\nfor i in event['xs']:\n    x += i",
    "float on every path": "if event['n']:\n    x = 1.0\nelse:\n    x = event['a'] / 2",
    "through another float local": "q = event['a'] / 2\nx = q + 1",
    "module float constant": "x = event['n'] * RATE",
    "step lambda returning a float": "q = event['a'] / 2\nx = context.step(lambda _: q * 2, name='dbl')",
    "step function returning a float": "x = context.step(halve(event['a']))",
}
#: rule -> statements that bind `x` to a value that may be an int: unknown
NEGATIVE = {
    "int ** int": "x = event['n'] ** 2",
    "float ** unknown power": "q = 1.5\nx = q ** event['n']",
    "round(x)": "x = round(event['a'] / 2)",
    "math.floor": "x = math.floor(event['a'] / 2)",
    "step annotated -> float": "x = context.step(claims_float(event['n']))",
    "step lambda returning an int": "x = context.step(lambda _: event['n'] * 2, name='dbl')",
    "an int on one path": "if event['n']:\n    x = 1.0\nelse:\n    x = 1",
    "rebound to an unknown": "x = 1.0\nx = event['n']",
    "min of a float and an unknown": "x = min(1.5, event['n'])",
    "str % float": "x = '%s' % 1.5",
    "unknown % float": "x = event['n'] % 1.5",
    "float ** float": "x = 1.5 ** 0.5",
    "a loop target": "for x in [1.5, 2.5]:\n    pass",
    "walrus": "x = 1.0\nif (x := event['n']):\n    pass",
    "float shadowed": "float = int\nx = float(event['n'])",
    "augmented with an unknown power": "x = 1.5\nx **= event['n']",
}


def _floats(body: str) -> frozenset[str]:
    text = _handler(body + "\nreturn None")
    handler = lower_source(SourceFile("h.py", text)).handlers[0]
    return Emitter(handler, text).floats


@pytest.mark.parametrize("rule", sorted(POSITIVE))
def test_a_float_rule_types_the_local(rule: str) -> None:
    assert "x" in _floats(POSITIVE[rule])


@pytest.mark.parametrize("rule", sorted(NEGATIVE))
def test_a_value_that_may_be_an_int_stays_unknown(rule: str) -> None:
    assert "x" not in _floats(NEGATIVE[rule])


def test_a_parameter_stays_unknown() -> None:
    assert "event" not in _floats("event = 1.5")


#: name -> (handler body, event, what Python returns: the run-asl result must be the same)
RULES: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "every rule printed": ('''
n = event["n"]
q = event["a"] / event["b"]
f = float(n)
lit = 2.0
s = q + n
d = n - q
m = q * 3
fd = q // 2
md = q % 3
p = q ** 2
one = 1 ** -2
neg = -q
ab = abs(neg)
mn = min(q, f)
mx = max(q, f, lit)
r = round(q, 0)
sq = math.sqrt(q * 5)
sq2 = sqrt(16)
z = math.pi - math.pi
aug = 1.0
aug += n
cond = q if n else f
either = q or f
st = context.step(lambda _: q * 2, name="dbl")
hv = context.step(halve(n * 2))
rt = n * RATE
return [f"{q}", str(f), f"{lit!r}", f"{s!s}", "d=" + str(d), json.dumps(m), f"{fd}|{md}|{p}|{one}", str(neg),
        str(ab), str(mn), str(mx), str(r), str(sq), str(sq2), str(z), str(aug), str(cond), str(either), str(st),
        str(hv), str(q + 1), f"{event['a'] * 1.0}", json.dumps(q, separators=(",", ":")), str(rt)]
''', {"a": 10, "b": 2, "n": 3},
        ["5.0", "3.0", "2.0", "8.0", "d=-2.0", "15.0", "2.0|2.0|25.0|1.0", "-5.0", "5.0", "3.0", "5.0", "5.0", "5.0",
         "4.0", "0.0", "4.0", "5.0", "5.0", "10.0", "3.0", "6.0", "10.0", "5.0", "6.0"]),
    "not whole": ('''
q = event["a"] / event["b"]
return [str(q), f"{q * 2}", json.dumps(q / 2)]
''', {"a": 7, "b": 2}, ["3.5", "7.0", "1.75"]),
    "json.dumps of displays holding floats": ('''
q = event["a"] / event["b"]
n = event["n"]
return [json.dumps({"total": q, "n": n, "items": [q, 1, {"x": q * 2}], "s": "é"}), json.dumps([q]),
        json.dumps({"v": q}, separators=(",", ":")), json.dumps((q, 2.5))]
''', {"a": 10, "b": 2, "n": {"deep": [1.5, "x"]}},
        ['{"total": 5.0, "n": {"deep": [1.5, "x"]}, "items": [5.0, 1, {"x": 10.0}], "s": "\\u00e9"}', "[5.0]",
         '{"v":5.0}', "[5.0, 2.5]"]),
}
#: values that may be ints (NEGATIVE, run): both sides print what Python prints
UNKNOWN: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "ints stay ints": ('''
n = event["n"]
q = event["a"] / event["b"]
sq = n ** 2
rr = round(q)
fl = math.floor(q)
cl = context.step(claims_float(n))
mixed = q if n > 5 else n
back = 1.0
back = n
mn = min(q, n)
label = "%s" % q
return [str(sq), str(rr), str(fl), str(cl), str(mixed), str(back), str(mn), str(label), str(n * 1)]
''', {"a": 10, "b": 2, "n": 3}, ["9", "5", "5", "6", "3", "3", "3", "5.0", "3"]),
}
#: a float local read where the steps function runs the user's code: a float there too
PAYLOADS: dict[str, tuple[str, dict[str, Any], list[Any]]] = {
    "step body, step arguments, lifted computation": ('''
q = event["a"] / event["b"]
kind = type(q).__name__
inside = context.step(lambda _: f"{q}", name="inside")
shown = context.step(show(q))
return [kind, inside, shown]
''', {"a": 10, "b": 2}, ["float", "5.0", "5.0|float"]),
    "child context, helper, closure": ('''
n = event["n"]
q = event["a"] / event["b"]
first = context.run_in_child_context(child(n * 2))
second = helper(context, n)
def closure(ctx):
    return ctx.step(lambda _: f"{q}", name="closed")
third = context.run_in_child_context(closure)
return [first, second, third]
''', {"a": 10, "b": 2, "n": 3}, [["3.0", "3.0"], ["3.0", "3.0"], "5.0"]),
    "callback submitter, condition check": ('''
q = event["a"] / event["b"]
got = context.wait_for_callback(lambda callback_id, ctx: None if f"{q}" == "5.0" else 1 / 0, name='yes-a',
                                config=WaitForCallbackConfig(serdes=JsonSerDes()))
polled = context.wait_for_condition(lambda s, c: s + f"{q}|", config=WaitForConditionConfig(
    wait_strategy=create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda s: len(s) < 8,
    max_attempts=4, initial_delay=Duration.from_seconds(3), jitter_strategy=JitterStrategy.NONE)),
    initial_state=""), name="poll")
return [got, polled]
''', {"a": 10, "b": 2}, [{"v": 5}, "5.0|5.0|"]),
}
SCOPES = '''
@durable_with_child_context
def child(ctx: DurableContext, v):
    w = v / 2
    inner = ctx.step(lambda _: f"{w}", name="inner")
    return [inner, str(w)]


def helper(ctx: DurableContext, v):
    h = v * 1.0
    got = ctx.step(lambda _: f"{h}", name="helped")
    return [got, str(h)]
'''


@pytest.mark.parametrize("name", sorted(RULES) + sorted(UNKNOWN) + sorted(PAYLOADS))
def test_floats_print_as_in_python(name: str, tmp_path: Path) -> None:
    body, event, expected = {**RULES, **UNKNOWN, **PAYLOADS}[name]
    source = _handler(body).replace("\n@durable_execution", SCOPES + "\n\n@durable_execution")
    verdict = judge(source, event, tmp_path, "floats", ("sfnx", "moto"))
    assert verdict.kind == "compared"
    assert verdict.runtime == ("SUCCEEDED", expected, None)


#: Python refuses a float where JSONata takes a whole number: the known float is not translated there
REFUSED = {
    "range() of a float": "return [i for i in range(q)]",
    "{x:d} of a float": "return f'{q:d}'",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_float_fails_where_python_refuses_it(name: str, tmp_path: Path) -> None:
    source = _handler('q = event["a"] / event["b"]\n' + REFUSED[name])
    verdict = judge(source, {"a": 10, "b": 2}, tmp_path, "refused", ("sfnx", "moto"))
    assert verdict.runtime is not None and verdict.runtime[0] == "FAILED"


@pytest.mark.parametrize("event", [{"a": 1, "b": 3}, {"a": 10 ** 15, "b": 1}])
def test_a_float_outside_the_exact_range_fails_loudly(event: dict[str, Any], tmp_path: Path) -> None:
    """Python writes 0.3333333333333333 and 1000000000000000.0; JSONata would write 0.333333333333333 and
    1e+15: the execution fails instead."""
    path = tmp_path / "inexact.py"
    path.write_text(_handler('q = event["a"] / event["b"]\nreturn str(q)'))
    assert on_asl(path, event, "sfnx") == ("FAILED", None, "States.QueryEvaluationError")
