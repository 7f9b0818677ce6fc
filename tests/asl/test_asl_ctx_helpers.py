"""Plain functions that receive the durable context compile into the caller's state machine.

A function of the module (or a nested def) called with the context, positionally or by keyword under any
parameter name, from the handler, from another such function, from a child context or from a map item
function, runs its operations in the caller's context: to-asl inlines its states at each call site. Each
case below is compiled and run on our durable runtime and, under run-asl, on both local interpreters
(sfnx and moto): the status, result and error type agree, and `PINNED` says how the runtime ends, so
that agreement cannot come from both sides doing the same wrong thing. What cannot be inlined (recursion,
a context stored or handed to code to-asl cannot follow, a parameter changed in place whose argument the
machine cannot share) is a DUR820 naming the construct and its line.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as note
from hypothesis import strategies as st

from durable_compile.backends.asl.package import compile_file
from tests.asl import test_asl_differential as differential
from tests.asl.diff_grammar import ALL_COMPLETED, batch_lines, block, child, fresh, indent, statements
from tests.asl.diff_grammar import HEAD as GRAMMAR_HEAD
from tests.asl.diff_grammar import TAIL as GRAMMAR_TAIL
from tests.asl.diff_harness import examples, judge

#: the shared module head of the differential grammar (imports, configs, steps, invoked functions)
HEAD = "from typing import Any\n" + GRAMMAR_HEAD.split("@durable_execution")[0] + '''
@durable_step
def charge(step_ctx: StepContext, item: int) -> int:
    if item < 0:
        raise ValueError(f"cannot charge {item}")
    return item * 10


def charge_all(context: DurableContext, items: list) -> list:
    out = []
    for item in items:
        out.append(context.step(charge(item), config=NO_RETRY))
    return out


def first_over(ctx: DurableContext, items: list, limit: int = 25) -> int | None:
    for item in items:
        value = ctx.step(charge(item), name="probe", config=NO_RETRY)
        if value > limit:
            return value
    return None


def record(ctx: DurableContext, log: list, item: int) -> None:
    log.append(ctx.step(charge(item), name="record", config=NO_RETRY))


def safe_charge(ctx: DurableContext, item: int) -> int:
    try:
        return ctx.step(charge(item), name="try-charge", config=NO_RETRY)
    except StepError as err:
        ctx.step(lambda _: str(err.message), name="log-failure", config=NO_RETRY)
        return -1


def settle(items: list, *, ledger: DurableContext, fee: int = 1) -> int:
    total = fee
    for value in charge_all(ledger, items):
        total = total + value
    ledger.wait(Duration.from_seconds(2), name="cool-down")
    return total


@durable_with_child_context
def billing(child: DurableContext, items: list) -> int:
    return settle(items, ledger=child) + first_over(child, items, 5)


'''
HANDLER = '''@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''

#: name -> (the module's extra functions and the handler body, the events it runs with)
CASES: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "called by position, a loop of steps, twice with its own states": ('''
    results = charge_all(context, event["items"])
    again = charge_all(context, [9])
    return {"results": results, "again": again}
''', [{"items": [1, 2]}, {"items": []}]),
    "an early return from the helper's loop, a literal default": ('''
    return [first_over(context, event["items"]), first_over(context, event["items"], limit=0)]
''', [{"items": [1, 3, 2]}, {"items": [1]}]),
    "a keyword context under another name, a keyword-only default, a helper calling a helper": ('''
    total = settle(event["items"], ledger=context)
    return total + settle([], fee=100, ledger=context)
''', [{"items": [1, 2]}]),
    "a list parameter changed in place is the caller's list": ('''
    log = [0]
    for item in event["items"]:
        record(context, log, item)
    return log
''', [{"items": [1, 2]}, {"items": []}]),
    "a try/except inside the helper": ('''
    return [safe_charge(context, item) for item in event["items"]]
''', [{"items": [1, -2, 3]}]),
    "a failure inside the helper reaches the caller's except": ('''
    try:
        charge_all(context, event["items"])
    except StepError as err:
        return {"failed": err.message}
    return "ok"
''', [{"items": [1, -2]}, {"items": [1]}]),
    "an uncaught failure inside the helper fails the execution": ('''
    return charge_all(context, event["items"])
''', [{"items": [-1]}]),
    "a return from the helper does not run the caller's finally block early": ('''
    log = []
    try:
        found = first_over(context, event["items"])
        log.append(found)
    finally:
        log.append("finally")
    return log
''', [{"items": [1, 3]}, {"items": [1]}]),
    "a helper's finally block runs when it returns": ('''
    return looked(context, event["items"])
''', [{"items": [4]}, {"items": [-4]}]),
    "a helper called from a child context": ('''
    return context.run_in_child_context(billing(event["items"]))
''', [{"items": [1, 2]}]),
    "a helper called from a map item function": ('''
    batch = context.map(event["items"], lambda ctx, item, index, items: charge_all(ctx, [item, index]))
    return batch.get_results()
''', [{"items": [1, 2]}]),
    "a nested def that receives the context reads the handler's locals, calls a module helper": ('''
    bonus = event["bonus"]

    def add_bonus(ctx: DurableContext, item: int) -> int:
        return ctx.step(charge(item), name="bonus-charge", config=NO_RETRY) + bonus + len(charge_all(ctx, [item]))

    first = add_bonus(context, 1)
    bonus = 100
    return [first, add_bonus(context, 2)]
''', [{"bonus": 5}]),
    "a nested def that uses the handler's context through its closure, called without it": ('''
    def process(item: int) -> int:
        if item > 1:
            return context.step(charge(item), name="closure-charge", config=NO_RETRY)
        return item

    out = []
    for item in event["items"]:
        out.append(process(item) + process(1))
    return out
''', [{"items": [1, 2]}]),
    "results stored in an item, unpacked, and a helper that falls off its end": ('''
    out = {}
    out["first"] = first_over(context, [1])
    a, b = charge_all(context, [1, 2])
    out["pair"] = [b, a]
    out["nothing"] = record(context, [], 3)
    return out
''', [{}]),
    "a callback and a wait inside the helper": ('''
    return approve(context, event["amount"])
''', [{"amount": 7}]),
    "a caught error and a BatchResult passed to a helper": ('''
    batch = context.map(event["items"], lambda c, item, index, items: c.step(charge(item), config=NO_RETRY))
    try:
        charge_all(context, [-5])
    except StepError as err:
        return report(context, err, batch)
    return None
''', [{"items": [1, 2]}]),
}
#: the helpers some cases add to the module, by case
EXTRA = {
    "a helper's finally block runs when it returns": '''
def looked(ctx: DurableContext, items: list) -> list:
    seen = []
    try:
        for item in items:
            seen.append(ctx.step(charge(item), name="look", config=NO_RETRY))
            return seen
    except StepError:
        seen.append("failed")
        return seen
    finally:
        seen.append("done")
    return seen


''',
    "a callback and a wait inside the helper": '''
def approve(ctx: DurableContext, amount: int) -> dict:
    cb = ctx.create_callback(name='yes-approve', config=JSON_CB)
    ctx.step(notify(amount, cb.callback_id), name="ask", config=NO_RETRY)
    answer = cb.result()
    ctx.wait(Duration.from_seconds(5), name="settle")
    return {"amount": amount, "answer": answer}


''',
}
EXTRA["a caught error and a BatchResult passed to a helper"] = '''
def report(ctx: DurableContext, failure: StepError, batch: Any) -> list:
    text = f"{failure.message} after {batch.success_count}"
    return [text, batch.get_results(), ctx.step(charge(len(text)), name="report", config=NO_RETRY)]


'''
#: how each case ends on the durable runtime, per event: (status, result, error type)
PINNED: dict[str, list[tuple[str, Any, str | None]]] = {
    "called by position, a loop of steps, twice with its own states": [
        ("SUCCEEDED", {"results": [10, 20], "again": [90]}, None),
        ("SUCCEEDED", {"results": [], "again": [90]}, None)],
    "an early return from the helper's loop, a literal default": [
        ("SUCCEEDED", [30, 10], None), ("SUCCEEDED", [None, 10], None)],
    "a keyword context under another name, a keyword-only default, a helper calling a helper": [
        ("SUCCEEDED", 131, None)],
    "a list parameter changed in place is the caller's list": [
        ("SUCCEEDED", [0, 10, 20], None), ("SUCCEEDED", [0], None)],
    "a try/except inside the helper": [("SUCCEEDED", [10, -1, 30], None)],
    "a failure inside the helper reaches the caller's except": [
        ("SUCCEEDED", {"failed": "cannot charge -2"}, None), ("SUCCEEDED", "ok", None)],
    "an uncaught failure inside the helper fails the execution": [("FAILED", None, "StepError")],
    "a return from the helper does not run the caller's finally block early": [
        ("SUCCEEDED", [30, "finally"], None), ("SUCCEEDED", [None, "finally"], None)],
    "a helper's finally block runs when it returns": [
        ("SUCCEEDED", [40, "done"], None), ("SUCCEEDED", ["failed", "done"], None)],
    "a helper called from a child context": [("SUCCEEDED", 31 + 10, None)],
    "a helper called from a map item function": [("SUCCEEDED", [[10, 0], [20, 10]], None)],
    "a nested def that receives the context reads the handler's locals, calls a module helper": [
        ("SUCCEEDED", [16, 121], None)],
    "a nested def that uses the handler's context through its closure, called without it": [
        ("SUCCEEDED", [2, 21], None)],
    "results stored in an item, unpacked, and a helper that falls off its end": [
        ("SUCCEEDED", {"first": None, "pair": [20, 10], "nothing": None}, None)],
    "a callback and a wait inside the helper": [("SUCCEEDED", {"amount": 7, "answer": {"v": 5}}, None)],
    "a caught error and a BatchResult passed to a helper": [
        ("SUCCEEDED", ["cannot charge -5 after 2", [10, 20], 240], None)],
}


def source_of(name: str, body: str) -> str:
    return HEAD + EXTRA.get(name, "") + HANDLER + body.strip("\n") + "\n"


@pytest.mark.parametrize("name", list(CASES))
def test_helpers_run_as_on_the_durable_runtime(name: str, tmp_path: Path) -> None:
    body, events = CASES[name]
    for index, event in enumerate(events):
        verdict = judge(source_of(name, body), event, tmp_path, f"helpers_{index}", ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == PINNED[name][index]


def compiled_states(tmp_path: Path, name: str) -> dict[str, Any]:
    path = tmp_path / "states_case.py"
    path.write_text(source_of(name, CASES[name][0]))
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    assert compiled.output is not None
    return compiled.output.definition["States"]  # type: ignore[return-value]


def test_each_call_site_has_its_own_states_named_from_the_operations(tmp_path: Path) -> None:
    states = compiled_states(tmp_path, "called by position, a loop of steps, twice with its own states")
    tasks = sorted(k for k, s in states.items() if s["Type"] == "Task")
    assert tasks == ["charge", "charge-2"]
    assert not [k for k in states if "charge_all" in k]  # no state is named after the helper
    text = json.dumps(states)
    assert "$charge_all_item" in text and "$charge_all2_item" in text  # each call has its own locals


def test_an_aliased_parameter_needs_no_variable_of_its_own(tmp_path: Path) -> None:
    states = compiled_states(tmp_path, "a list parameter changed in place is the caller's list")
    text = json.dumps(states)
    assert "record_log" not in text and "$log" in text


def test_output_is_deterministic(tmp_path: Path) -> None:
    name = "a keyword context under another name, a keyword-only default, a helper calling a helper"
    first = json.dumps(compiled_states(tmp_path, name))
    assert json.dumps(compiled_states(tmp_path, name)) == first


#: name -> (module functions, handler body, the words the DUR820 message must contain, its line)
REFUSED: dict[str, tuple[str, str, list[str], str]] = {
    "recursion": ('''
def countdown(ctx: DurableContext, n: int) -> int:
    if n <= 0:
        return 0
    ctx.step(charge(n), name="tick", config=NO_RETRY)
    return countdown(ctx, n - 1)


''', "    return countdown(context, 3)", ["countdown", "recursive", "loop"], "return countdown(ctx, n - 1)"),
    "the context stored": ('''
KEPT = {}


def keep(ctx: DurableContext) -> None:
    KEPT["ctx"] = ctx
    ctx.step(charge(1), name="one", config=NO_RETRY)


''', "    keep(context)", ["keep", "durable context", "KEPT"], 'KEPT["ctx"] = ctx'),
    "the context handed to code to-asl cannot follow": ('''
def show(ctx: DurableContext) -> str:
    text = repr(ctx)
    return ctx.step(lambda _: text, name="show", config=NO_RETRY)


''', "    return show(context)", ["show", "repr(ctx)"], "text = repr(ctx)"),
    "an item changed in place through a parameter": ('''
def add_to(ctx: DurableContext, log: list) -> None:
    log.append(ctx.step(charge(1), name="one", config=NO_RETRY))


''', '    state = {"log": []}\n    add_to(context, state["log"])\n    return state',
        ["add_to", "'log'", "in place", "line"], 'add_to(context, state["log"])'),
    "starred arguments": ('''
def pair(ctx: DurableContext, a: int, b: int) -> int:
    return ctx.step(charge(a + b), name="pair", config=NO_RETRY)


''', "    args = [1, 2]\n    return pair(context, *args)", ["starred"], "pair(context, *args)"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_what_cannot_be_inlined_is_refused_at_its_line(name: str, tmp_path: Path) -> None:
    extra, body, words, construct = REFUSED[name]
    source = HEAD + extra + HANDLER + body + "\n"
    path = tmp_path / "refused_case.py"
    path.write_text(source)
    compiled = compile_file(path)
    refused = [d for d in compiled.diagnostics if d.code == "DUR820"]
    assert not compiled.ok and len(refused) == 1, [(d.code, d.message) for d in compiled.diagnostics]
    assert all(word in refused[0].message for word in words), refused[0].message
    line = source.splitlines()[refused[0].span.line - 1]
    assert construct in line


GOLDEN_INPUT = Path(__file__).resolve().parents[1] / "golden" / "inputs" / "ctx_helpers.py"


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
def test_the_golden_helpers_handler_ends_as_on_the_runtime(engine: str, tmp_path: Path) -> None:
    path = tmp_path / GOLDEN_INPUT.name
    path.write_text(GOLDEN_INPUT.read_text())
    event = json.loads(GOLDEN_INPUT.with_name("ctx_helpers.input.json").read_text())
    try:
        expected = differential.on_runtime(path, event)
        assert differential.on_asl(path, event, engine) == expected
    finally:
        sys.modules.pop(path.stem, None)
    assert expected == ("SUCCEEDED", {"held": [{"sku": "a", "qty": 2}], "rush": [{"sku": "c", "qty": 1}],
                                      "receipt": "charged 20", "log": ["nothing to reserve for b"]}, None)


@st.composite
def helper_handlers(draw: st.DrawFn, depth: int = 2) -> str:
    """A handler of the wide differential grammar that also calls a module-level helper whose body is
    drawn from the same grammar: the context passed by position or by keyword, under its own name or
    another, the caller's `items` shared with it (changed in place), `x` and `y` copied; called from the
    handler, from a nested def run as a child context, or from a map or parallel branch."""
    name = fresh("helper")
    ctx = draw(st.sampled_from(["context", "ctx"]))
    body = [re.sub(r"\bcontext\b", ctx, line) for line in draw(block(depth, True))]
    head = [f"def {name}({ctx}: DurableContext, event: dict, x: int, y: int, items: list) -> dict:",
            *indent(body), '    return {"x": x, "y": y}']
    calls = draw(st.lists(st.sampled_from([f"got = {name}(context, event, x, y, items)",
                                           f"got = {name}(x=x, y=y, items=items, event=event, {ctx}=context)"]),
                          min_size=1, max_size=2))
    parts = [*draw(st.lists(statements(depth, True), max_size=2))]
    for call in calls:
        site = [call, "items.append(got)"]
        where = draw(st.sampled_from(["handler", "child", "lambda child", "map", "parallel"]))
        if where.endswith("child"):  # from a nested def run as a child context
            site = child(site, where == "lambda child")
        elif where in ("map", "parallel"):  # from a batch branch
            # branches that may suspend: every one completes (the grammar's rule, see diff_grammar.batches)
            site = batch_lines(site, ALL_COMPLETED, where == "map", ["items.append(batch.get_results())"])
        parts += [site, *draw(st.lists(statements(depth, True), max_size=1))]
    module, handler = GRAMMAR_HEAD.split("@durable_execution")
    return module + "\n".join(head) + "\n\n\n@durable_execution" + handler + \
        "".join(f"    {line}\n" for part in parts for line in part) + GRAMMAR_TAIL


COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          "derandomize": "ASL_DIFF_SCALE" not in os.environ, "database": None}


@settings(max_examples=examples(25), **COMMON)  # type: ignore[arg-type]
@given(source=helper_handlers(), start=st.integers(0, 12))
def test_generated_helpers_run_as_on_the_runtime(source: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source, {"start": start}, tmp_path, "gen_helper", ("sfnx",))
    note(verdict.kind)
    for code in verdict.codes:
        note(code)
