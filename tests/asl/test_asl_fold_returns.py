"""The fold's last rule, case by case: the Succeed states of a scope become one shared Succeed whose
Output reads a variable that each way in assigns.

Each case gives a machine before, and the states the fold leaves (VALID: merged, with the shared state
named `Return`; INVALID: a guard keeps some Succeed states apart). Before and after run the same on both
interpreters, with the same Lambda calls, for inputs where `n` is small, large, odd, or missing (then
expressions that read it fail).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from durable_compile.backends.asl import is_valid, validate_definition
from durable_compile.backends.asl.fold import fold
from durable_compile.backends.asl.localrun.model import Services, run_definition
from tests.asl.test_asl_fold import CATCH_ALL, RESULT, RETRY, done, functions, machine, names, pass_, task

INPUTS = [{"n": 1, "k": 1}, {"n": 6, "k": 2}, {"n": 3, "k": 3}, {"n": 2}, {"m": 2, "k": 2}, {"n": "a", "k": 4},
          {"k": 1}]


def choice(condition: str, then: str, default: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Choice", "Choices": [{"Condition": condition, "Next": then, **extra}], "Default": default}


def on_k(returns: dict[str, str], last: str) -> dict[str, Any]:
    """A chain of Choices on the input's `k`: k = 1 goes to the first return, k = 2 to the second...
    (each return is a Succeed with the given Output), anything else to the state `last`."""
    states: dict[str, Any] = {"Start": pass_({"e": "{% $states.input %}"}, "K1")}
    for i, (name, output) in enumerate(returns.items(), 1):
        following = f"K{i + 1}" if i < len(returns) else last
        states[f"K{i}"] = choice(f"{{% $e.k = {i} %}}", name, following)
        states[name] = done(output)
    return states


#: name -> (before, the states left after folding)
CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "returns after choice rules and a default become one": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Small"),
        Small=choice("{% $n < 3 %}", "Tiny", "Inc"),
        Tiny=done("{% {'small': $n} %}"),
        Inc=task("inc", "{% $n %}", "Even", Assign={"n": RESULT}),
        Even=choice("{% $n % 2 = 0 %}", "Halved", "Big"),
        Halved=done("{% {'half': $n / 2} %}"),
        Big=choice("{% $n > 5 %}", "Inc2", "Odd"),
        Inc2=task("inc", "{% $n %}", "Done", Assign={"n": RESULT}),
        Done=done("{% {'big': $n} %}"),
        Odd=done("{% {'odd': $n} %}")), ["Small", "Inc", "Even", "Big", "Inc2", "Return"]),
    "an output reading what its way in assigns reads the assigned expression": (machine(
        "Start",
        Start=pass_({"e": "{% $states.input %}"}, "Big"),
        Big=choice("{% $e.n > 3 %}", "Over", "Zero", Assign={"n": "{% $e.n * 10 %}"}),
        Over=done("{% {'over': $n} %}"),
        Zero=choice("{% $e.n = 1 %}", "One", "Inc", Assign={"n": "{% $e.n * 100 %}"}),
        One=done("{% {'one': $n} %}"),
        Inc=task("inc", "{% $e.n %}", None, End=True)), ["Big", "Zero", "Inc", "Return"]),
    "returns that may fail merge onto choices (uncaught there as in the succeed)": (machine(
        "Start", **on_k({"Plus": "{% $e.n + 1 %}", "Times": "{% $e.m * 2 %}"}, "Inc"),
        Inc=task("inc", "{% $e.n %}", None, End=True)), ["K1", "K2", "Inc", "Return"]),
    "a return that may fail stays after a task whose catcher would catch it; one after a catcher merges": (machine(
        "Start", **on_k({"One": "{% 'one' %}", "Two": "{% {'two': $e.n} %}"}, "Flaky"),
        Flaky=task("flaky", "{% $e.n %}", "Use", Assign={"r": RESULT}, Retry=RETRY, Catch=CATCH_ALL),
        Use=done("{% $r + 1 %}"),
        Failed=done("{% {'failed': $why} %}")), ["K1", "K2", "Flaky", "Use", "Return"]),
    "a return after a retried task merges there, and the task is shielded from retrying its failure": (machine(
        "Start", **on_k({"One": "{% 'one' %}", "Two": "{% {'two': $e.n} %}"}, "Flaky"),
        Flaky=task("flaky", "{% $e.n %}", "Diff", Retry=RETRY,
                   Assign={"e": "{% $merge([$e, {'r': $states.result.Payload}]) %}"}),
        Diff=done("{% $e.r - $e.n %}")), ["K1", "K2", "Flaky", "Return"]),
    "a choice whose rule and default would both enter the shared state keeps its default's": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Small"),
        Small=choice("{% $n < 3 %}", "Tiny", "Big"),
        Tiny=done("{% {'small': $n} %}"),
        Big=done("{% {'big': $n} %}")), ["Small", "Tiny", "Big"]),
    "a return reading $states stays apart": (machine(
        "Start", **on_k({"Input": "{% $states.input %}", "Two": "{% 2 %}", "Three": "{% [3] %}"}, "Inc"),
        Inc=task("inc", "{% $e.n %}", None, End=True)), ["K1", "K2", "K3", "Input", "Inc", "Return"]),
    "a return that may come out undefined merges onto a choice (an undefined Assign fails as an Output does)": (
        machine("Start", **on_k({"Field": "{% $e.n %}", "Two": "{% {'n': $e.n} %}", "Three": "{% [3] %}"}, "Inc"),
                Inc=task("inc", "{% $e.n %}", None, End=True)), ["K1", "K2", "K3", "Inc", "Return"]),
}


def folded(before: dict[str, Any]) -> dict[str, Any]:
    after = copy.deepcopy(before)
    source_map = {name: {"file": "x.py", "line": i + 1, "end_line": i + 1, "what": "return" if
                         before["States"][name]["Type"] == "Succeed" else name}
                  for i, name in enumerate(before["States"])}
    fold(after, source_map)
    assert set(source_map) == set(names(after))
    return after


@pytest.mark.parametrize("case", sorted(CASES))
def test_fold_leaves_these_states(case: str) -> None:
    before, left = CASES[case]
    after = folded(before)
    assert is_valid(validate_definition(before)), validate_definition(before)
    assert is_valid(validate_definition(after)), validate_definition(after)
    assert sorted(names(after)) == sorted(left)


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_folded_machine_runs_the_same(case: str, engine: str) -> None:
    before, _ = CASES[case]
    after = folded(before)
    for event in INPUTS:
        calls_before: list[str] = []
        calls_after: list[str] = []
        original = run_definition(before, event, Services(functions(calls_before)), engine)  # type: ignore[arg-type]
        result = run_definition(after, event, Services(functions(calls_after)), engine)  # type: ignore[arg-type]
        assert (result.status, result.result, result.error) == (original.status, original.result, original.error)
        assert calls_after == calls_before


def test_the_shared_succeed_names_every_return_and_reads_one_variable() -> None:
    after = folded(CASES["returns after choice rules and a default become one"][0])
    assert after["States"]["Return"] == {"Type": "Succeed", "Comment": "return (line 3); return (line 6); "
                                         "return (line 10)", "Output": "{% $_return %}"}
    assert after["States"]["Even"]["Choices"][0]["Assign"] == {"_return": "{% {'half': $n / 2} %}"}
    assert after["States"]["Big"]["Assign"] == {"_return": "{% {'odd': $n} %}"}


def test_the_new_names_are_unused_in_the_machine() -> None:
    before = copy.deepcopy(CASES["returns after choice rules and a default become one"][0])
    before["States"]["Start"]["Assign"]["_return"] = 0
    before["States"]["Return"] = before["States"].pop("Tiny")
    before["States"]["Small"]["Choices"][0]["Next"] = "Return"
    after = folded(before)
    assert after["States"]["Return-2"]["Output"] == "{% $_return2 %}"
