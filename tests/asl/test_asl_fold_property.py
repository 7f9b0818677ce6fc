"""The fold pass on random machines: folded or not, a machine ends the same way on both interpreters.

Hypothesis builds machines from Pass states (assignments that read and write the same few variables,
some of which can fail or be undefined), Lambda tasks (with and without Retry and Catch; `flaky` fails
on odd calls), Choice states that branch and join, and bounded loops, then compares status, output and
error before and after the fold, on sfnx.testing for every example and on moto for a few.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile.backends.asl import is_valid, validate_definition
from durable_compile.backends.asl.fold import fold
from durable_compile.backends.asl.localrun.model import Services, run_definition

INVOKE = "arn:aws:states:::lambda:invoke"
#: assignments: variable -> expressions it may get (a, b numbers; c a list)
EXPRESSIONS = {
    "a": ["$a + 1", "$b * 2", "$count($c)", "$a", "$states.input.n", "$c[0]", "3"],
    "b": ["$a - $b", "$b", "$c[-1]", "$a = $b ? 1 : 2", "$missing.field"],
    "c": ["$append($c, [$a])", "[$b]", "$append($c, [[$a, $b]])", "$reverse($c)"],
}

Block = tuple[Any, ...]


def blocks(depth: int) -> st.SearchStrategy[list[Block]]:
    assign = st.dictionaries(st.sampled_from("abc"), st.none(), min_size=1, max_size=3).flatmap(
        lambda keys: st.tuples(*(st.sampled_from(EXPRESSIONS[k]).map(lambda e, k=k: (k, e)) for k in keys)))
    simple = st.one_of(
        assign.map(lambda pairs: ("pass", dict(pairs))),
        st.tuples(st.sampled_from(["inc", "flaky"]), st.sampled_from("ab"), st.booleans(), st.booleans())
        .map(lambda t: ("task", *t)),
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


class Builder:
    """Builds states back to front: each block gets the name of what follows it."""

    def __init__(self) -> None:
        self.states: dict[str, dict[str, Any]] = {}
        self.names = itertools.count(1)

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
            if retry:
                state["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]
            if catch:
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": nxt, "Assign": {"b": 100}}]
            return self.add(state)
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


def build(items: list[Block]) -> dict[str, Any]:
    builder = Builder()
    end = builder.add({"Type": "Succeed", "Output": "{% {'a': $a, 'b': $b, 'c': $c} %}"})
    entry = builder.sequence(items, end)
    start = builder.add({"Type": "Pass", "Next": entry,
                         "Assign": {"a": "{% $states.input.n %}", "b": 0, "c": "{% [] %}", "missing": "{% {} %}"}})
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": builder.states}


def functions() -> dict[str, Any]:
    calls = itertools.count(1)

    def flaky(payload: Any) -> Any:
        if next(calls) % 2:
            raise RuntimeError("odd call")
        return payload

    return {"inc": lambda payload: payload + 1 if isinstance(payload, int) else 0, "flaky": flaky}


def same_outcome(definition: dict[str, Any], engine: str) -> None:
    folded = copy.deepcopy(definition)
    fold(folded, {})
    assert is_valid(validate_definition(folded)), validate_definition(folded)
    for n in (1, 4):
        before = run_definition(definition, {"n": n}, Services(functions()), engine)  # type: ignore[arg-type]
        after = run_definition(folded, {"n": n}, Services(functions()), engine)  # type: ignore[arg-type]
        assert (after.status, after.result, after.error) == (before.status, before.result, before.error), folded


@settings(max_examples=150, deadline=None)
@given(items=blocks(2))
def test_fold_keeps_the_outcome_on_sfnx(items: list[Block]) -> None:
    same_outcome(build(items), "sfnx")


@settings(max_examples=10, deadline=None)
@given(items=blocks(1))
def test_fold_keeps_the_outcome_on_moto(items: list[Block]) -> None:
    same_outcome(build(items), "moto")
