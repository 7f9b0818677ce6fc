"""Disagreements the differential grammars found, kept as explicit handlers (regression tests).

Each body below runs after the head of diff_grammar (x = event["start"], y = 0, items = []) and before
its `return {"x": x, "y": y, "items": items}`. It must end the same way (status, result, error type) on
our durable runtime and, compiled by to-asl, on both local interpreters; `PINNED` says how some of them
end, so that agreement cannot come from both sides doing the same wrong thing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.asl.diff_grammar import HEAD, TAIL
from tests.asl.diff_harness import Result, Verdict, judge

#: name -> (the handler body, the values of event["start"] it runs with)
CASES: dict[str, tuple[str, list[int]]] = {
    # a branch function nested in a child context: its `y` was emitted under the child's name for the
    # child's own `y` (child1_y), which a Map iteration may not assign (an outer scope's variable)
    "a batch branch's local shadows a closure child's local": ('''
    def child1(context: DurableContext) -> dict:
        y = 1
        def part1(context: DurableContext, x: int, index: int, values: list) -> dict:
            y = index
            return {"y": y}
        batch = context.map([x, x + 1], part1)
        y = y + batch.success_count
        return {"y": y}
    items.append(context.run_in_child_context(child1, name='child1'))
''', [3]),
    # the branch's `q` was not renamed: the handler's own `q` was out of sight inside the decorated child
    "a batch branch in a decorated child assigns a name the handler assigns": ('''
    q = 7
    items.append(context.run_in_child_context(kid(x), name='kid'))
    items.append(q)
''', [3]),
    # a callback in a nested def that a parallel branch calls was not planned (KeyError in to-asl)
    "a callback in a nested def run by a parallel branch": ('''
    def part9(context: DurableContext, v: int) -> dict:
        cb = context.create_callback(name='yes-9', config=JSON_CB)
        context.step(notify(v, cb.callback_id), name='send-yes-9', config=NO_RETRY)
        return {"v": v + cb.result()['v']}
    batch = context.parallel([lambda c: part9(c, x)])
    items.append(batch.get_results())
''', [3]),
    # an uncaught failed callback ended as CallbackError; the handler fails with CallbackExternalError
    # (CallbackTimeoutError when it times out), through every way a failure leaves
    "a failed callback nothing catches": ('''
    cb = context.create_callback(name='no-1', config=JSON_CB)
    context.step(notify(x, cb.callback_id), name='send', config=NO_RETRY)
    x = cb.result()['v']
''', [3, 6]),
    "a callback that times out": ('''
    cb = context.create_callback(name='never-1', config=CallbackConfig(timeout=Duration.from_seconds(30)))
    context.step(notify(x, cb.callback_id), name='send', config=NO_RETRY)
    x = cb.result()
''', [3]),
    "wait_for_callback answered with a failure": ('''
    got = context.wait_for_callback(lambda callback_id, ctx: None, name='no-2',
                                    config=WaitForCallbackConfig(serdes=JsonSerDes()))
    x = x + got['v']
''', [3]),
    "a failed callback re-raised from its except block": ('''
    try:
        cb = context.create_callback(name='no-3', config=JSON_CB)
        context.step(notify(x, cb.callback_id), name='send', config=NO_RETRY)
        x = cb.result()['v']
    except CallbackError as err:
        items.append(err.message)
        raise
''', [3]),
    "a failed callback through a finally block": ('''
    try:
        cb = context.create_callback(name='no-4', config=JSON_CB)
        context.step(notify(x, cb.callback_id), name='send', config=NO_RETRY)
        x = cb.result()['v']
    finally:
        items.append(1)
''', [3]),
    # break and continue inside a try/finally in a loop jumped straight to the loop, skipping the finally
    "continue through a finally block": ('''
    w = 0
    while w < 2:
        w = w + 1
        try:
            if x % 2 == 1:
                continue
            y = y + 1
        finally:
            items.append(y)
''', [1, 2]),
    "break through a finally block, from an except block": ('''
    for i in range(3):
        try:
            x = context.step(check(x, 2), name='check', config=NO_RETRY)
        except StepError:
            break
        finally:
            items.append(x)
''', [1, 2]),
    # a return whose value the finally block changes in place (emit_finally computes it after the block)
    "a returned list changed in place by the finally block": ('''
    for i in range(3):
        try:
            if x % 2 == 1:
                return {"early": items}
        finally:
            items.append(y)
''', [1]),
}
#: a list local shared by two names and changed in place: the state machine's values are copies, so the
#: other name would keep the old list; to-asl refuses it (DUR820, see test_asl_aliasing.py for more)
ALIASED: dict[str, tuple[str, list[int]]] = {
    "a list changed in place after another name took it": ('''
    a = items
    items.append(1)
    return {"a": a}
''', [1]),
    "a dict changed in place after another name took it": ('''
    d = {"k": x}
    d2 = d
    d["k"] = 1
    return {"d2": d2}
''', [1]),
}
#: a decorated child context (module level) for the case that needs one
KID = '''@durable_with_child_context
def kid(ctx: DurableContext, v: int) -> dict:
    def part(context: DurableContext, q: int, index: int, values: list) -> dict:
        q = q + index
        return {"q": q}
    batch = ctx.map([v, v + 1], part)
    return {"r": batch.get_results()}


@durable_execution'''
PINNED: dict[tuple[str, int], Result] = {
    ("a failed callback nothing catches", 3): ("FAILED", None, "CallbackExternalError"),
    ("a failed callback nothing catches", 6): ("FAILED", None, "StepError"),  # notify fails first
    ("a callback that times out", 3): ("FAILED", None, "CallbackTimeoutError"),
    ("continue through a finally block", 1): ("SUCCEEDED", {"x": 1, "y": 0, "items": [0, 0]}, None),
    ("break through a finally block, from an except block", 2):
        ("SUCCEEDED", {"x": 2, "y": 0, "items": [2]}, None),
    ("a batch branch in a decorated child assigns a name the handler assigns", 3):
        ("SUCCEEDED", {"x": 3, "y": 0, "items": [{"r": [{"q": 3}, {"q": 5}]}, 7]}, None),
}


def source(body: str) -> str:
    return HEAD.replace("@durable_execution", KID, 1) + body.strip("\n") + "\n" + TAIL


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in CASES.items() for s in starts])
def test_runtime_and_both_interpreters_agree(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(CASES[name][0]), {"start": start}, tmp_path, "case", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
    if (name, start) in PINNED:
        assert verdict.runtime == PINNED[name, start]


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in ALIASED.items() for s in starts])
def test_a_shared_list_changed_in_place_is_refused(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(ALIASED[name][0]), {"start": start}, tmp_path, "aliased", ("sfnx",))
    assert verdict == Verdict("refused", codes=("DUR820",))


def test_every_pinned_outcome_names_a_case() -> None:
    assert all(name in CASES and start in CASES[name][1] for name, start in PINNED)

