"""Constructs to-asl refuses run exactly under to-python: the same operations, in the same order.

Generator expressions run their operations as they are consumed (a `for` loop, `next`, `any` stopping
early), set comprehensions build sets, comprehension variables stay private, and an operation on the
skipped side of `and`/`or` or in one arm of `x if t else y` runs only when Python gets to it. Each case
runs the original handler and the module to-python generates on our runtime: the status, result, error
type, history events in order and final operations are equal, and `PINNED` says how some runs end (the
order of the step names run), so that agreement cannot come from both sides doing the same wrong thing.
A comprehension there stays Python's own, every durable call in it tagged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.python_backend.support import OURS, compile_source, handler_source, load_original, load_text, run_on

HEAD = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step, StepError
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

ONCE = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def work(step_ctx, n):
    if n == 13:
        raise ValueError("unlucky")
    return n


def helper(ctx, n):
    return ctx.step(work(n * 100), name="helper")
'''
#: name -> (the handler body, the event)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "a generator iterated by a for loop interleaves": ('''
x = event["x"]
out = []
for v in (context.step(work(i), name=f"g{i}") for i in [x, x + 1]):
    out.append(context.step(work(v * 10), name=f"d{v}"))
return out
''', {"x": 1}),
    "a generator kept, read with next, then drained": ('''
x = event["x"]
gen = (context.step(work(i), name=f"g{i}") for i in [x, x + 1, x + 2])
first = next(gen)
middle = context.step(work(7), name="middle")
return [first, middle, list(gen)]
''', {"x": 1}),
    "any stops pulling a nested generator": ('''
x = event["x"]
hit = any(context.step(work(a * 10 + b), name=f"c{a}{b}") > 21 for a in [1, 2, 3] for b in [x, x + 1])
return [hit, context.step(work(5), name="after")]
''', {"x": 1}),
    "all and sum of verdicts": ('''
x = event["x"]
every = all(context.step(work(i), name=f"a{i}") < 3 for i in range(x, x + 4))
count = sum(context.step(work(i), name=f"s{i}") > 1 for i in range(x, x + 3))
return [every, count]
''', {"x": 1}),
    "a generator given to a function of its own": ('''
def firsts(values):
    got = []
    for v in values:
        got.append(v)
        if len(got) == 2:
            break
    return got
return firsts(context.step(work(i), name=f"f{i}") for i in range(5))
''', {}),
    "a set comprehension kept and changed": ('''
x = event["x"]
seen = {context.step(work(i % 2), name=f"s{i}") for i in range(x, x + 4)}
seen.add(9)
return sorted(seen)
''', {"x": 1}),
    "a set comprehension of unhashable values fails at the first": ('''
x = event["x"]
return len({context.step(lambda _: [i], name=f"u{i}") for i in range(x, x + 3)})
''', {"x": 1}),
    "comprehension variables stay private": ('''
i = 5
def show():
    return i
rows = [context.step(work(i), name=f"r{i}") for i in [1, 2]]
total = sum(context.step(work(i), name=f"t{i}") for i in rows)
return [i, show(), rows, total]
''', {}),
    "an operation on the right of or and and": ('''
x = event["x"]
a = context.step(work(x), name="left") or context.step(work(8), name="right")
b = x > 5 and context.step(work(9), name="guarded")
c = x < 5 and context.step(work(10), name="taken")
return [a, b, c]
''', {"x": 0}),
    "an operation in one arm of a conditional expression": ('''
x = event["x"]
y = context.step(work(1), name="then") if x > 5 else context.step(work(2), name="else")
z = [context.step(work(i), name=f"e{i}") if i % 2 else i for i in range(3)]
return [y, z]
''', {"x": 0}),
    "nested and/or, a child context and a helper on the skipped side": ('''
x = event["x"]
a = x or (context.step(work(3), name="n1") and context.step(work(4), name="n2"))
b = x > 0 or context.run_in_child_context(lambda c: c.step(work(6), name="child"), name="kid")
c = x == 0 and helper(context, 2)
d = x == 1 and helper(context, 3)
return [a, b, c, d]
''', {"x": 0}),
    "an operation in a while test after and": ('''
n = 0
while n < 3 and context.step(work(n), name=f"w{n}") < 2:
    n += 1
return n
''', {}),
    "comprehensions on the side Python may skip": ('''
x = event["x"]
a = x > 5 and sum([context.step(work(i), name=f"a{i}") for i in range(2)])
b = x < 5 and sorted({context.step(work(i % 2), name=f"b{i}") for i in range(3)})
c = x or any(context.step(work(i), name=f"c{i}") > 0 for i in range(3))
d = x < 5 and [context.run_in_child_context(lambda k: k.step(work(i), name=f"k{i}"), name=f"d{i}") for i in range(2)]
return [a, b, c, d, [i for i in range(1)]]
''', {"x": 0}),
    "a failing operation on the side Python skips": ('''
x = event["x"]
ok = x > 0 or context.step(work(13), name="fails", config=ONCE)
return ok
''', {"x": 1}),
}
PINNED: dict[str, list[str]] = {
    "a generator iterated by a for loop interleaves": ["g1", "d1", "g2", "d2"],
    "a generator kept, read with next, then drained": ["g1", "middle", "g2", "g3"],
    "any stops pulling a nested generator": ["c11", "c12", "c21", "c22", "after"],
    "a generator given to a function of its own": ["f0", "f1"],
    "an operation on the right of or and and": ["left", "right", "taken"],
    "an operation in one arm of a conditional expression": ["else", "e1"],
    "nested and/or, a child context and a helper on the skipped side": ["n1", "n2", "kid", "child", "helper"],
    "a failing operation on the side Python skips": [],
    "comprehensions on the side Python may skip": ["b0", "b1", "b2", "c0", "c1", "d0", "k0", "d1", "k1"],
}


def _names(summary: dict[str, Any]) -> list[str]:
    return [name for _, kind, _, name, _ in summary["events"] if kind.endswith("Started") and name]


@pytest.mark.parametrize("name", list(CASES))
def test_generated_module_runs_the_same_operations_in_order(name: str, tmp_path: Path) -> None:
    body, event = CASES[name]
    text = handler_source(body, HEAD)
    generated = run_on(OURS, load_text(compile_source(text).text, tmp_path).handler, event)
    original = run_on(OURS, load_original(text, tmp_path).handler, event)
    assert generated == original
    if name in PINNED:
        assert _names(original) == PINNED[name]
