"""The fold pass on random machines: folded or not, a machine ends the same way on both interpreters.

Hypothesis builds machines from Pass states (assignments that read and write the same few variables,
some of which can fail or be undefined), Lambda tasks (with and without Retry and Catch, matching every
error or only the function's own; `flaky` fails on odd calls), Choice states that branch and join,
bounded loops, Maps whose iterations start with a Pass reading the item (and may read an outer
variable), and Parallels whose branches read outer variables in their first states or later (with and
without Arguments), then compares status, output, error and the Lambda calls made before and after the fold, on
sfnx.testing for every example and on moto for a few. One input lacks the field the first Pass reads.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl import is_valid, validate_definition
from durable_compile.backends.asl.fold import fold
from durable_compile.backends.asl.localrun.model import Services, run_definition

INVOKE = "arn:aws:states:::lambda:invoke"
#: assignments: variable -> expressions it may get (a, b numbers; c a list)
EXPRESSIONS = {
    "a": ["$a + 1", "$b * 2", "$count($c)", "$a", "$states.input.n", "$c[0]", "3"],
    "b": ["$a - $b", "$b", "$c[-1]", "$a = $b ? 1 : 2", "$missing.field", "$states.input"],
    "c": ["$append($c, [$a])", "[$b]", "$append($c, [[$a, $b]])", "$reverse($c)"],
}

Block = tuple[Any, ...]
#: what a retrier or catcher matches: nothing (none), every error, or only the function's own
HANDLES = st.sampled_from([None, "States.ALL", "RuntimeError"])


def blocks(depth: int) -> st.SearchStrategy[list[Block]]:
    assign = st.dictionaries(st.sampled_from("abc"), st.none(), min_size=1, max_size=3).flatmap(
        lambda keys: st.tuples(*(st.sampled_from(EXPRESSIONS[k]).map(lambda e, k=k: (k, e)) for k in keys)))
    simple = st.one_of(
        assign.map(lambda pairs: ("pass", dict(pairs))),
        st.tuples(st.sampled_from(["inc", "flaky"]), st.sampled_from("ab"), HANDLES, HANDLES)
        .map(lambda t: ("task", *t)),
        st.tuples(st.sampled_from("ab"), st.sampled_from(["", "a", "b"]), HANDLES).map(lambda t: ("map", *t)),
        st.tuples(st.sampled_from("ab"), st.sampled_from("ab"), st.booleans()).map(lambda t: ("parallel", *t)),
        st.just(("empty",)),
    )
    if depth == 0:
        return st.lists(simple, min_size=1, max_size=4)
    inner = blocks(depth - 1)
    nested = st.one_of(
        simple,
        st.tuples(st.integers(0, 5), inner, inner).map(lambda t: ("choice", *t)),
        st.tuples(st.integers(1, 3), inner).map(lambda t: ("loop", *t)),
    )
    return st.lists(nested, min_size=1, max_size=4)


def handled(state: dict[str, Any], retry: str | None, catch: str | None, nxt: str) -> dict[str, Any]:
    """`state` with a retrier and a catcher (going on to `nxt`) matching the given error, if any."""
    if retry:
        state["Retry"] = [{"ErrorEquals": [retry], "IntervalSeconds": 1, "MaxAttempts": 1}]
    if catch:
        state["Catch"] = [{"ErrorEquals": [catch], "Next": nxt, "Assign": {"b": 100}}]
    return state


class Builder:
    """Builds states back to front: each block gets the name of what follows it."""

    def __init__(self, names: itertools.count[int] | None = None) -> None:
        self.states: dict[str, dict[str, Any]] = {}
        self.names = names or itertools.count(1)  #: shared with the builders of inner scopes (unique names)

    def add(self, state: dict[str, Any]) -> str:
        name = f"S{next(self.names)}"
        self.states[name] = state
        return name

    def sequence(self, items: list[Block], nxt: str) -> str:
        for item in reversed(items):
            nxt = self.block(item, nxt)
        return nxt

    def block(self, item: Block, nxt: str) -> str:
        kind = item[0]
        if kind == "pass":
            return self.add({"Type": "Pass", "Assign": {k: "{% " + e + " %}" for k, e in item[1].items()},
                             "Next": nxt})
        if kind == "empty":
            return self.add({"Type": "Pass", "Next": nxt})
        if kind == "task":
            _, function, var, retry, catch = item
            state: dict[str, Any] = {"Type": "Task", "Resource": INVOKE, "Next": nxt,
                                     "Arguments": {"FunctionName": function, "Payload": f"{{% ${var} %}}"},
                                     "Assign": {var: "{% $states.result.Payload %}"}}
            return self.add(handled(state, retry, catch, nxt))
        if kind == "map":
            _, var, outer, catch = item
            payload = f"{{% [$x, ${outer}] %}}" if outer else "{% $x %}"
            processor = {"StartAt": "", "States": {}}
            inner = Builder(self.names)
            end = inner.add({"Type": "Succeed", "Output": "{% [$x, $y] %}"})
            call = inner.add({"Type": "Task", "Resource": INVOKE, "Next": end,
                              "Arguments": {"FunctionName": "inc", "Payload": payload},
                              "Assign": {"x": "{% $states.result.Payload %}"}})
            processor["StartAt"] = inner.add({"Type": "Pass", "Next": call, "Assign": {
                "x": "{% $states.input.item %}", "y": "{% $states.input.index %}"}})
            processor["States"] = inner.states
            state = {"Type": "Map", "Items": f"{{% [${var}, 2] %}}", "Next": nxt,
                     "ItemSelector": {"item": "{% $states.context.Map.Item.Value %}",
                                      "index": "{% $states.context.Map.Item.Index %}"},
                     "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **processor},
                     "Assign": {"c": "{% $states.result %}"}}
            return self.add(handled(state, None, catch, nxt))
        if kind == "parallel":
            return self.add(self.parallel(*item[1:], nxt))
        if kind == "choice":
            _, limit, then, orelse = item
            test = f"{{% $a > {limit} %}}"
            return self.add({"Type": "Choice", "Choices": [{"Condition": test, "Next": self.sequence(then, nxt)}],
                             "Default": self.sequence(orelse, nxt)})
        _, times, body = item
        counter = f"i{next(self.names)}"
        head = f"S{next(self.names)}"
        entry = self.sequence(body, head)
        self.states[head] = {"Type": "Choice", "Default": nxt, "Choices": [
            {"Condition": f"{{% ${counter} < {times} %}}", "Next": entry,
             "Assign": {counter: f"{{% ${counter} + 1 %}}"}}]}
        return self.add({"Type": "Pass", "Assign": {counter: 0}, "Next": head})


    def parallel(self, first: str, later: str, arguments: bool, nxt: str) -> dict[str, Any]:
        """Two branches: one calls `inc` with `$first`, then returns its result with `$later`; the other
        returns `$first` and its input (the Parallel's input, or its Arguments)."""
        inner = Builder(self.names)
        end = inner.add({"Type": "Succeed", "Output": f"{{% [$x, ${later}] %}}"})
        call = inner.add({"Type": "Task", "Resource": INVOKE, "Next": end,
                          "Assign": {"x": "{% $states.result.Payload %}"},
                          "Arguments": {"FunctionName": "inc", "Payload": f"{{% ${first} %}}"}})
        other = Builder(self.names)
        alone = other.add({"Type": "Succeed", "Output": f"{{% [${first}, $states.input] %}}"})
        state: dict[str, Any] = {"Type": "Parallel", "Next": nxt, "Assign": {"c": "{% $states.result %}"},
                                 "Branches": [{"StartAt": call, "States": inner.states},
                                              {"StartAt": alone, "States": other.states}]}
        if arguments:
            state["Arguments"] = {"n": 5}
        return state


def build(items: list[Block]) -> dict[str, Any]:
    builder = Builder()
    end = builder.add({"Type": "Succeed", "Output": "{% {'a': $a, 'b': $b, 'c': $c} %}"})
    entry = builder.sequence(items, end)
    start = builder.add({"Type": "Pass", "Next": entry,
                         "Assign": {"a": "{% $states.input.n %}", "b": 0, "c": "{% [] %}", "missing": "{% {} %}"}})
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": builder.states}


def functions(log: list[str]) -> dict[str, Any]:
    """The Lambda functions; each call is written to `log`."""
    calls = itertools.count(1)

    def flaky(payload: Any) -> Any:
        log.append(f"flaky({payload!r})")
        if next(calls) % 2:
            raise RuntimeError("odd call")
        return payload

    def inc(payload: Any) -> Any:
        log.append(f"inc({payload!r})")
        return payload + 1 if isinstance(payload, int) else 0

    return {"inc": inc, "flaky": flaky}


def same_outcome(definition: dict[str, Any], engine: str) -> None:
    folded = copy.deepcopy(definition)
    fold(folded, {})
    assert is_valid(validate_definition(folded)), validate_definition(folded)
    for event in ({"n": 1}, {"n": 4}, {"m": 1}):
        calls_before: list[str] = []
        calls_after: list[str] = []
        before = run_definition(definition, event, Services(functions(calls_before)), engine)  # type: ignore[arg-type]
        after = run_definition(folded, event, Services(functions(calls_after)), engine)  # type: ignore[arg-type]
        assert (after.status, after.result, after.error) == (before.status, before.result, before.error), folded
        assert sorted(calls_after) == sorted(calls_before), folded  # Map iterations may run in any order


#: a machine where a missing guard shows (found by removing each guard in turn): a may-fail assignment
#: that a task evaluates first, in its Arguments, and whose failure the task's catcher would catch
PINNED = [("task", "inc", "a", "States.ALL", None), ("pass", {"b": "$c[-1]"}), ("task", "inc", "b", None, "States.ALL")]
#: a Pass reading `$states.input` before a Parallel whose Arguments give its branches another input
PINNED_PARALLEL = [("pass", {"b": "$states.input"}), ("parallel", "b", "a", True), ("task", "inc", "a", None, None)]


@settings(max_examples=150, deadline=None)
@given(items=blocks(2))
@example(items=PINNED)
@example(items=PINNED_PARALLEL)
def test_fold_keeps_the_outcome_on_sfnx(items: list[Block]) -> None:
    same_outcome(build(items), "sfnx")


@settings(max_examples=10, deadline=None)
@given(items=blocks(1))
def test_fold_keeps_the_outcome_on_moto(items: list[Block]) -> None:
    same_outcome(build(items), "moto")
