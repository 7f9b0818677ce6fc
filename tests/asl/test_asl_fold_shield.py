"""Two finishing touches of the fold, each a machine before and the state it must leave, and both
machines running the same on both interpreters (same status, output, error and Lambda calls).

- The shield: a Task that now evaluates an expression that may fail (in its Arguments, taken from the
  Pass before it; or in its Assign/Output, taken from the Pass or Succeed after it) gets a first
  retrier `States.QueryEvaluationError`/`States.Runtime` with `MaxAttempts: 0`, so that the failure is
  never retried (the Pass failed at once; a retried Assign would call the function again).
- Dead temporaries: an assignment of a lowering temporary (`_dc_tN`) that nothing reads after the folds
  disappears, when its value cannot fail.
"""

from __future__ import annotations

from typing import Any

import pytest

from durable_compile.backends.asl.localrun.model import Services, run_definition
from tests.asl.test_asl_fold import INPUTS, RESULT, RETRY, done, folded, functions, machine, pass_, task

N = {"n": "{% $states.input.n %}"}  #: the start Pass's assignment, which folds into the first task
ACC = {"acc": "{% ($acc := 1; $acc + $states.result.Payload) %}"}
SHIELD = {"ErrorEquals": ["States.QueryEvaluationError", "States.Runtime"], "MaxAttempts": 0}

#: name -> (before, the state to look at, what it must be after folding)
CASES: dict[str, tuple[dict[str, Any], str, dict[str, Any]]] = {
    "a may-fail start assignment evaluated in the Arguments of a retried task shields it": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Inc"),
        Inc=task("inc", "{% $n %}", "Done", Assign={"m": RESULT}, Retry=RETRY),
        Done=done("{% [$n, $m] %}")), "Inc", {"Retry": [SHIELD, *RETRY]}),
    "a total start assignment leaves the retriers alone": (machine(
        "Start",
        Start=pass_({"e": "{% $states.input %}"}, "Inc"),
        Inc=task("inc", "{% $e %}", "Done", Assign={"m": RESULT}, Retry=RETRY),
        Done=done("{% [$e, $m] %}")), "Inc", {"Retry": RETRY}),
    "a temporary read only by the pass folded into its task disappears": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "acc": 1}, "Inc"),
        Inc=task("inc", "{% $n %}", "Add", Assign={"_dc_t1": RESULT}),
        Add=pass_({"acc": "{% $acc + $_dc_t1 %}"}, "Done"),
        Done=done("{% $acc %}")), "Inc", {"Assign": {**N, **ACC}}),
    "a temporary still read elsewhere stays": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "acc": 1}, "Inc"),
        Inc=task("inc", "{% $n %}", "Add", Assign={"_dc_t1": RESULT}),
        Add=pass_({"acc": "{% $acc + $_dc_t1 %}"}, "Inc2"),
        Inc2=task("inc", "{% $acc %}", "Done", Assign={"acc": RESULT}),
        Done=done("{% [$acc, $_dc_t1] %}")), "Inc", {"Assign": {**N, **ACC, "_dc_t1": RESULT}}),
    "an unread temporary whose value may fail stays (its failure is part of the run)": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Inc"),
        Inc=task("inc", "{% $n %}", "Done", Assign={"_dc_t1": "{% $states.result.Payload + 1 %}", "m": RESULT}),
        Done=done("{% $m %}")), "Inc", {"Assign": {**N, "_dc_t1": "{% $states.result.Payload + 1 %}",
                                                                            "m": RESULT}}),
    "an unread variable of the handler stays": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Inc"),
        Inc=task("inc", "{% $n %}", "Done", Assign={"unused": RESULT, "m": RESULT}),
        Done=done("{% $m %}")), "Inc", {"Assign": {**N, "unused": RESULT, "m": RESULT}}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fold_leaves_this_state(case: str) -> None:
    before, name, fields = CASES[case]
    after = folded(before)["States"][name]
    assert {field: after.get(field) for field in fields} == fields


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_folded_machine_runs_the_same(case: str, engine: str) -> None:
    before, _, _ = CASES[case]
    after = folded(before)
    for event in INPUTS:
        calls_before: list[str] = []
        calls_after: list[str] = []
        original = run_definition(before, event, Services(functions(calls_before)), engine)  # type: ignore[arg-type]
        result = run_definition(after, event, Services(functions(calls_after)), engine)  # type: ignore[arg-type]
        assert (result.status, result.result, result.error) == (original.status, original.result, original.error)
        assert calls_after == calls_before
