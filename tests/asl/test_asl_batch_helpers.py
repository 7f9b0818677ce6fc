"""A BatchResult returned by a function that receives the context, and DUR824 under the default configs.

`def fan(ctx, xs): return ctx.map(xs, item)` is inlined at its call; its caller reads the result as the
BatchResult it is (`fan(context, xs).get_results()`, `b = fan(...)`, `throw_if_error()`), through nested
helpers and child contexts (`run_in_child_context(lambda c: c.map(...))`) too: each case runs on our
durable runtime and, compiled by to-asl, on sfnx and moto, with the same status, result and error type,
and `PINNED` says how the runtime ends. A helper that returns a batch on some paths only, or whose batch
lands in a variable that holds other values too, is DUR820 at the call. A batch whose branches can
suspend is DUR824 under `MapConfig()`/`ParallelConfig()` and no config at all (both defaults can end the
batch at its first failure), wherever the suspending operation is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD, TAIL
from tests.asl.diff_harness import Result, judge

HELPERS = '''
def item(ctx, v, i, vs):
    return ctx.step(check(v, 4), name="c", config=NO_RETRY)


def fan(ctx, vs):
    return ctx.map(vs, item, config=MapConfig(completion_config=CompletionConfig.all_completed()))


def outer(ctx, vs):
    found = fan(ctx, vs)
    return found


def both(ctx, v):
    return ctx.parallel([lambda c: c.step(check(v, 5), name="p", config=NO_RETRY), lambda c: 3])


def plain(ctx, vs):
    return ctx.map(vs, item)


def either(ctx, v):
    if v > 2:
        return fan(ctx, [v])
    return None

'''
#: name -> (the handler body, the values of event["start"])
CASES: dict[str, tuple[str, list[int]]] = {
    "reads of a helper's batch, directly and through a variable": ('''
    items.append(fan(context, [x, x + 1, x + 2]).get_results())
    b = fan(context, [x, x + 3])
    items.append([b.success_count, b.failure_count, b.total_count, b.completion_reason.value])
''', [1, 3]),
    "a helper returning another helper's batch": ('''
    items.append(outer(context, [x, x + 1, x + 2]).success_count)
''', [1, 3]),
    "throw_if_error on a helper's batch, caught and uncaught": ('''
    try:
        both(context, x).throw_if_error()
    except ChildContextError:
        items.append("caught")
    p = both(context, x + 1)
    p.throw_if_error()
    items.append(p.get_results())
''', [1, 4, 5]),
    "a child context returning a batch, directly and through a helper": ('''
    r = context.run_in_child_context(lambda c: c.map([x, x + 1], item), name="kid")
    items.append(r.get_results())
    r2 = context.run_in_child_context(lambda c: plain(c, [x]), name="kid2")
    items.append([r2.success_count, r2.total_count])
''', [1, 3]),
}
PINNED: dict[tuple[str, int], Result] = {
    ("a child context returning a batch, directly and through a helper", 3):
        ("SUCCEEDED", {"x": 3, "y": 0, "items": [[4], [1, 1]]}, None),
    ("reads of a helper's batch, directly and through a variable", 3):
        ("SUCCEEDED", {"x": 3, "y": 0, "items": [[4, 6], [2, 0, 2, "ALL_COMPLETED"]]}, None),
    ("throw_if_error on a helper's batch, caught and uncaught", 4): ("FAILED", None, "ChildContextError"),
    ("throw_if_error on a helper's batch, caught and uncaught", 5):
        ("SUCCEEDED", {"x": 5, "y": 0, "items": ["caught", [7, 3]]}, None),
}
#: name -> (the handler body, the line of the refused call from the body's start)
REFUSED: dict[str, tuple[str, int]] = {
    "a batch on some paths only": ('''
    items.append(either(context, x).get_results())
''', 1),
    "a batch in a variable that holds other values too": ('''
    b = fan(context, [x])
    b = 5
''', 1),
    "a child context returning a batch on some paths only": ('''
    r = context.run_in_child_context(lambda c: either(c, x), name="kid")
''', 1),
    "a batch stored in an item": ('''
    out = {}
    out["b"] = fan(context, [x])
''', 2),
}


MODULE = HEAD.replace("\n\n@durable_execution", HELPERS + "\n@durable_execution", 1)


def source(body: str) -> str:
    return MODULE + body.strip("\n") + "\n" + TAIL


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in CASES.items() for s in starts])
def test_a_helpers_batch_reads_as_on_the_runtime(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(CASES[name][0]), {"start": start}, tmp_path, "helpers", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
    if (name, start) in PINNED:
        assert verdict.runtime == PINNED[name, start]


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_helpers_batch_the_caller_cannot_read_is_refused(name: str, tmp_path: Path) -> None:
    body, line = REFUSED[name]
    path = tmp_path / "refused.py"
    path.write_text(source(body))
    errors = [d for d in compile_file(path).diagnostics if d.severity.value == "error"]
    assert [d.code for d in errors] == ["DUR820"], errors
    assert errors[0].span.line == MODULE.count("\n") + line
    assert "BatchResult" in errors[0].message


SUSPENDING = {
    "wait": "ctx.wait(Duration.from_seconds(1))",
    "callback": 'cb = ctx.create_callback(name="yes-a")\n    cb.result()',
    "wait_for_callback": 'ctx.wait_for_callback(lambda cid, c: None, name="yes-b")',
    "invoke": 'ctx.invoke("double", {"x": v})',
    "retried step": "ctx.step(lambda _: v)",
    "child context": "ctx.run_in_child_context(lambda c: c.wait(Duration.from_seconds(1)))",
    "helper": "pause(ctx)",
}
BATCHES = {
    "map, no config": "context.map([x], item)",
    "map, MapConfig()": "context.map([x], item, config=MapConfig())",
    "map, a lambda item": "context.map([x], lambda ctx, v, i, vs: item(ctx, v, i, vs))",
    "parallel, no config": "context.parallel([lambda ctx: item(ctx, x, 0, []), lambda c: 1])",
    "parallel, ParallelConfig()": "context.parallel([lambda ctx: item(ctx, x, 0, []), lambda c: 1], "
                                  "config=ParallelConfig())",
    "helper's map": "fan(context, [x])",
}


@pytest.mark.parametrize("batch", list(BATCHES))
@pytest.mark.parametrize("suspends", list(SUSPENDING))
def test_a_branch_that_suspends_under_the_default_configs_is_warned(suspends: str, batch: str,
                                                                   tmp_path: Path) -> None:
    helpers = (f"\ndef pause(ctx):\n    ctx.wait(Duration.from_seconds(1))\n\n\n"
               f"def item(ctx, v, i, vs):\n    {SUSPENDING[suspends]}\n    return v\n\n\n"
               f"def fan(ctx, vs):\n    return ctx.map(vs, item)\n\n")
    text = HEAD.replace("\n\n@durable_execution", helpers + "\n@durable_execution", 1)
    path = tmp_path / "warned.py"
    path.write_text(text + f"    b = {BATCHES[batch]}\n    items.append(b.success_count)\n" + TAIL)
    compiled = compile_file(path)
    warned = [d for d in compiled.diagnostics if d.code == "DUR824"]
    assert compiled.ok and len(warned) == 1, compiled.diagnostics
    assert warned[0].span.line == text.count("\n") + 1 or batch == "helper's map"
