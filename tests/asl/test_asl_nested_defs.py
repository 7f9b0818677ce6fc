"""Plain nested defs of the handler called from code the steps function runs.

A step lambda, a decorated nested step or a lifted computation may call a function the handler defines
(`def bump(x): return x + limit`). The steps function writes each def it calls (and the defs those call)
into the code it runs, and the locals the defs read travel in the payload, read when the code runs as
Python reads a closure. Without that, the call was a NameError in the steps function (a StepError or a
failed execution where the handler succeeds). Cases run on the durable runtime and under run-asl (sfnx
and moto); what cannot keep its meaning is refused (DUR820) at the call's line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD
from tests.asl.diff_harness import judge

HANDLER = "\n\n@durable_execution\ndef handler(event: dict, context: DurableContext):\n"

#: name -> (handler body, events, the runtime's (status, result, error) for each event)
CASES: dict[str, tuple[str, list[dict[str, Any]], list[tuple[str, Any, str | None]]]] = {
    "a step lambda calls a def that reads a local, which changes between the steps": ('''
    k = event["k"]
    def bump(x):
        return x + k
    v = context.step(lambda _: bump(1), name="s")
    k = 100
    w = context.step(lambda _: bump(2), name="t")
    return [v, w]
''', [{"k": 5}], [("SUCCEEDED", [6, 102], None)]),
    "a lifted computation calls a def that calls another def": ('''
    k = event["k"]
    def norm(s):
        return s.strip().casefold()
    def score(x):
        return len(norm(x)) + k
    v = context.step(lambda _: " Ab ", name="s")
    r = score(v)
    return r
''', [{"k": 5}], [("SUCCEEDED", 7, None)]),
    "a decorated nested step calls a def": ('''
    k = event["k"]
    def scale(x):
        return x * k
    @durable_step
    def work(ctx: StepContext, n: int) -> int:
        return scale(n) + 1
    a = context.step(work(3), name="w")
    b = context.step(work(a), name="w2")
    return [a, b]
''', [{"k": 2}], [("SUCCEEDED", [7, 15], None)]),
    "a condition lifted into the steps function calls a def": ('''
    limit = event.get("limit", 50)
    def over(x):
        return x + limit > 52
    n = 0
    while True:
        n += 1
        context.wait(Duration.from_seconds(n))
        if n >= 3 or over(n):
            break
    return n
''', [{"limit": 100}, {}], [("SUCCEEDED", 1, None), ("SUCCEEDED", 3, None)]),
    "a def with a default and a parameter named as a local": ('''
    items = event["items"]
    x = "unused"
    def total(x, start=0):
        return sum((i["p"] for i in x), start) + len(items)
    t = total(items)
    u = context.step(lambda _: total(items, 10), name="u")
    return {"t": t, "u": u, "x": x}
''', [{"items": [{"p": 1}, {"p": 4}]}], [("SUCCEEDED", {"t": 7, "u": 17, "x": "unused"}, None)]),
    "a wait strategy the handler defines, which reads a local": ('''
    target = event["target"]
    def check(state, ctx):
        return {"n": state["n"] + 1}
    def strategy(state, attempt):
        from aws_durable_execution_sdk_python.waits import WaitForConditionDecision
        if state["n"] >= target:
            return WaitForConditionDecision.stop_polling()
        return WaitForConditionDecision.continue_waiting(Duration.from_seconds(attempt * 2))
    final = context.wait_for_condition(check, config=WaitForConditionConfig(
        wait_strategy=strategy, initial_state={"n": 0}), name="poll")
    return final
''', [{"target": 3}, {"target": 1}], [("SUCCEEDED", {"n": 3}, None), ("SUCCEEDED", {"n": 1}, None)]),
    "a def that raises, caught around the step": ('''
    def check(n):
        if n > 2:
            raise ValueError(f"too big: {n}")
        return n
    try:
        v = context.step(lambda _: check(event["n"]), name="check", config=NO_RETRY)
    except StepError as err:
        v = err.message
    return v
''', [{"n": 1}, {"n": 5}], [("SUCCEEDED", 1, None), ("SUCCEEDED", "too big: 5", None)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_nested_defs_run_as_on_the_durable_runtime(name: str, tmp_path: Path) -> None:
    body, events, pinned = CASES[name]
    for index, event in enumerate(events):
        verdict = judge(HEAD + HANDLER + body.strip("\n") + "\n", event, tmp_path, f"nested_{index}",
                        ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == pinned[index]


#: name -> (handler body, words of the message, the text of the refused line)
REFUSED: dict[str, tuple[str, list[str], str]] = {
    "a def bound twice": ('''
    def f(x):
        return x + 1
    a = context.step(lambda _: f(1), name="a")
    def f(x):
        return x + 2
    return a
''', ["f()", "more than once"], "a = context.step"),
    "a def that writes a nonlocal": ('''
    count = 0
    def inc():
        nonlocal count
        count += 1
        return count
    return context.step(lambda _: inc(), name="a")
''', ["inc()", "nonlocal"], "return context.step"),
    "a def that assigns a global": ('''
    def remember(x):
        global SEEN
        SEEN = x
        return x
    return context.step(lambda _: remember(1), name="a")
''', ["remember()", "global"], "return context.step"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_def_the_steps_function_cannot_run_as_written_is_refused(name: str, tmp_path: Path) -> None:
    body, words, construct = REFUSED[name]
    source = HEAD + HANDLER + body.strip("\n") + "\n"
    path = tmp_path / "refused_def.py"
    path.write_text(source)
    compiled = compile_file(path)
    refused = [d for d in compiled.diagnostics if d.code == "DUR820"]
    assert not compiled.ok and len(refused) == 1, [(d.code, d.message) for d in compiled.diagnostics]
    assert all(word in refused[0].message for word in words), refused[0].message
    assert construct in source.splitlines()[refused[0].span.line - 1]
