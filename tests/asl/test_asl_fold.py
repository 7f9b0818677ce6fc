"""The fold pass, rule by rule: a machine before, the machine after, and both run the same.

Each case gives a small hand-written machine and the states the fold must leave (or that it must leave
the machine alone, when a guard applies). Every case, folded or not, runs before and after the fold on
both interpreters (moto and sfnx.testing) with the same inputs and Lambda functions, and must end the
same way: same status, output and error, and the same Lambda calls (a fold must never call a function
that the machine did not call, e.g. before an assignment that fails). The Lambda `flaky` fails on its
first call of each execution and `odd` on odd numbers, so retriers and catchers really run; one input
lacks the field `n`, so assignments that read it fail.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonata
import pytest

from durable_compile.backends.asl import is_valid, validate_definition
from durable_compile.backends.asl.fold import fold
from durable_compile.backends.asl.fold_graph import bound
from durable_compile.backends.asl.localrun.model import Services, run_definition
from durable_compile.backends.asl.totality import numeric_variables, total_and_defined

INVOKE = "arn:aws:states:::lambda:invoke"
RETRY = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}]


def task(function: str, payload: str, nxt: str | None = None, **extra: Any) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": INVOKE, "Arguments": {"FunctionName": function, "Payload": payload},
             **extra}
    if nxt:
        state["Next"] = nxt
    return state


def pass_(assign: dict[str, Any], nxt: str) -> dict[str, Any]:
    return {"Type": "Pass", "Assign": assign, "Next": nxt}


def done(output: str) -> dict[str, Any]:
    return {"Type": "Succeed", "Output": output}


def mapped(items: str, states: dict[str, Any], nxt: str, selector: bool = False) -> dict[str, Any]:
    """A Map over `items` running `states` (the first one starts), assigning `out` to its result."""
    state = {"Type": "Map", "Items": items, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": next(iter(states)), "States": states},
        "Assign": {"out": "{% $states.result %}"}, "Next": nxt}
    if selector:
        state["ItemSelector"] = {"item": "{% $states.context.Map.Item.Value %}",
                                 "index": "{% $states.context.Map.Item.Index %}"}
    return state


def parallel(nxt: str, first: dict[str, Any], second: dict[str, Any], **rest: dict[str, Any]) -> dict[str, Any]:
    """A Parallel of two branches (their first states; `rest` joins the first branch), assigning `pair`
    to its result."""
    return {"Type": "Parallel", "Next": nxt, "Assign": {"pair": "{% $states.result %}"}, "Branches": [
        {"StartAt": "First", "States": {"First": first, **rest}}, {"StartAt": "Second", "States": {"Second": second}}]}


def machine(start: str, **states: dict[str, Any]) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


RESULT = "{% $states.result.Payload %}"
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "Assign": {"why": "{% $states.errorOutput.Error %}"}}]
FAILED = done("{% {'failed': $why, 'n': $n} %}")

#: name -> (before, the states left after folding, in every scope)
CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "pass folds into the task before it, reading what the task assigns": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Inc"),
        Inc=task("inc", "{% $n %}", "Set", Assign={"n": RESULT}),
        Set=pass_({"m": "{% $n * 10 %}", "n": "{% $n + 1 %}"}, "Done"),
        Done=done("{% {'n': $n, 'm': $m} %}")), ["Inc"]),
    "a total assignment folds into a task with retry and catch": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "log": "{% [] %}"}, "Flaky"),
        Flaky=task("flaky", "{% $n %}", "Log", Assign={"n": RESULT}, Retry=RETRY, Catch=CATCH_ALL),
        Log=pass_({"log": "{% $append($log, [$n]) %}"}, "Done"),
        Done=done("{% {'n': $n, 'log': $log} %}"),
        Failed=FAILED), ["Start", "Flaky", "Succeed"]),
    "arithmetic stays out of a task with a catcher (it could fail there), and binds in the output": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Flaky"),
        Flaky=task("flaky", "{% $n %}", "Add", Assign={"n": RESULT}, Catch=CATCH_ALL),
        Add=pass_({"n": "{% $n + 1 %}"}, "Done"),
        Done=done("{% {'n': $n} %}"),
        Failed=FAILED), ["Start", "Flaky", "Done", "Failed"]),
    "a choice takes the assignments of its branches": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input %}"}, "Big"),
        Big={"Type": "Choice", "Choices": [{"Condition": "{% $n.n > 3 %}", "Next": "Halve"}], "Default": "Double"},
        Halve=pass_({"n": "{% $n.n / 2 %}"}, "Inc"),
        Double=pass_({"n": "{% $n.n * 2 %}"}, "Inc"),
        Inc=task("inc", "{% $n %}", "Done", Assign={"n": RESULT}),
        Done=done("{% $n %}")), ["Big", "Double", "Inc"]),
    "empty passes disappear, the start one too": (machine(
        "Nothing",
        Nothing={"Type": "Pass", "Next": "Inc"},
        Inc=task("inc", "{% $states.input.n %}", "Also", Assign={"n": RESULT}),
        Also={"Type": "Pass", "Next": "Done"},
        Done=done("{% $n %}")), ["Inc"]),
    "the start pass folds forward into a task with a catcher": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input %}", "tries": 1}, "Flaky"),
        Flaky=task("flaky", "{% $n.n %}", "Done", Assign={"n": RESULT}, Retry=RETRY, Catch=CATCH_ALL),
        Done=done("{% {'n': $n, 'tries': $tries} %}"),
        Failed=done("{% {'failed': $why, 'start': $n, 'tries': $tries} %}")), ["Flaky", "Failed"]),
    "a loop counter folds into the choice rule that enters the body": (machine(
        "Start",
        Start=pass_({"i": 0, "acc": "{% [] %}"}, "Loop"),
        Loop={"Type": "Choice", "Choices": [{"Condition": "{% $i < 3 %}", "Next": "Step"}], "Default": "Done"},
        Step=pass_({"i": "{% $i + 1 %}", "acc": "{% $append($acc, [$i]) %}"}, "Loop"),
        Done=done("{% $acc %}")), ["Start", "Loop", "Done"]),
    "a pass reading $states.input folds only forward, where the input is the same": (machine(
        "Inc",
        Inc=task("inc", "{% $states.input.n %}", "Keep", Assign={"n": RESULT}),
        Keep=pass_({"seen": "{% $states.input %}"}, "Done"),
        Done=done("{% {'n': $n, 'seen': $seen} %}")), ["Inc", "Done"]),
    "a choice never gets a state-level Assign where a rule goes where Default goes": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Odd"),
        Odd={"Type": "Choice", "Choices": [{"Condition": "{% $n % 2 = 1 %}", "Next": "Mark"}], "Default": "Other"},
        Mark=pass_({"odd": True}, "Done"),
        Other=pass_({"odd": False}, "Done"),
        Done=done("{% {'n': $n, 'odd': $odd} %}")), ["Done", "Odd", "Other"]),
    "parallel branches are folded on their own": (machine(
        "Both",
        Both={"Type": "Parallel", "Next": "Done", "Assign": {"pair": "{% $states.result %}"}, "Branches": [
            {"StartAt": "A", "States": {"A": pass_({"a": "{% $states.input.n %}"}, "B"),
                                        "B": pass_({"b": "{% $a + 1 %}"}, "C"), "C": done("{% $b %}")}},
            {"StartAt": "D", "States": {"D": {"Type": "Pass", "Next": "E"}, "E": done("{% 7 %}")}}]},
        Done=done("{% $pair %}")), ["Both"]),
    # --- assignments that may fail (here: `n` is missing from one input) -----------------------------
    "a start pass that may fail folds into a task that evaluates it first, in its Arguments": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "tries": 1}, "Inc"),
        Inc=task("inc", "{% $n %}", "Done", Assign={"n": RESULT}, Retry=RETRY),
        Done=done("{% {'n': $n, 'tries': $tries} %}")), ["Inc"]),
    "a may-fail assignment the task does not evaluate first stays before it (the task would run first)": (
        machine("Start",
                Start=pass_({"k": "{% $states.input.n %}", "n": "{% $states.input %}"}, "Inc"),
                Inc=task("inc", "{% $n.m %}", "Done", Assign={"n": RESULT}),
                Done=done("{% {'n': $n, 'k': $k} %}")), ["Start", "Inc"]),
    "a may-fail assignment stays out of a task whose catcher would catch its failure": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Flaky"),
        Flaky=task("flaky", "{% $n %}", "Done", Assign={"n": RESULT},
                   Catch=[{**CATCH_ALL[0], "Assign": {"why": "{% $states.errorOutput.Error %}", "n": 0}}]),
        Done=done("{% {'n': $n} %}"),
        Failed=FAILED), ["Start", "Flaky", "Failed"]),
    "a catcher of the function's own errors does not catch an evaluation error": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Flaky"),
        Flaky=task("flaky", "{% $n %}", "Done", Assign={"n": RESULT},
                   Catch=[{**CATCH_ALL[0], "ErrorEquals": ["RuntimeError"]}]),
        Done=done("{% {'n': $n} %}"),
        Failed=FAILED), ["Flaky", "Failed"]),
    "a loop start folds into the task before it when no retrier or catcher matches its failure": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "acc": "{% [] %}"}, "Pair"),
        Pair=task("pair", "{% $n %}", "Loop", Assign={"r": RESULT},
                  Retry=[{**RETRY[0], "ErrorEquals": ["RuntimeError"]}]),
        Loop=pass_({"xs": "{% $r.list %}", "i": 0}, "Head"),
        Head={"Type": "Choice", "Choices": [{"Condition": "{% $i < $count($xs) %}", "Next": "Body"}],
              "Default": "Done"},
        Body=pass_({"acc": "{% $append($acc, [$xs[$i]]) %}", "i": "{% $i + 1 %}"}, "Head"),
        Done=done("{% $acc %}")), ["Pair", "Head", "Done"]),
    "a loop start that may fail folds into a task with a States.ALL retrier, shielded from retrying it": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "acc": "{% [] %}"}, "Pair"),
        Pair=task("pair", "{% $n %}", "Loop", Assign={"r": RESULT}, Retry=RETRY),
        Loop=pass_({"xs": "{% $r.list %}", "i": 0}, "Head"),
        Head={"Type": "Choice", "Choices": [{"Condition": "{% $i < $count($xs) %}", "Next": "Body"}],
              "Default": "Done"},
        Body=pass_({"acc": "{% $append($acc, [$xs[$i]]) %}", "i": "{% $i + 1 %}"}, "Head"),
        Done=done("{% $acc %}")), ["Pair", "Head", "Done"]),
    "a loop start that may fail stays after a task whose catcher would catch its failure": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}", "acc": "{% [] %}", "why": "none"}, "Pair"),
        Pair=task("pair", "{% $n %}", "Loop", Assign={"r": RESULT}, Retry=RETRY, Catch=CATCH_ALL),
        Loop=pass_({"xs": "{% $r.list %}", "i": 0}, "Head"),
        Head={"Type": "Choice", "Choices": [{"Condition": "{% $i < $count($xs) %}", "Next": "Body"}],
              "Default": "Done"},
        Body=pass_({"acc": "{% $append($acc, [$xs[$i]]) %}", "i": "{% $i + 1 %}"}, "Head"),
        Done=done("{% $acc %}"),
        Failed=FAILED), ["Start", "Pair", "Loop", "Head", "Succeed"]),
    "a return that may fail becomes the output of a task with a States.ALL retrier, shielded": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Pair"),
        Pair=task("pair", "{% $n %}", "Done", Assign={"r": RESULT}, Retry=RETRY),
        Done=done("{% $r.list[0] + 1 %}")), ["Pair"]),
    # --- Map and Parallel ----------------------------------------------------------------------------
    "a start pass folds into a map whose iterations do not read what it assigns": (machine(
        "Start",
        Start=pass_({"event": "{% $states.input %}", "k": 2}, "Each"),
        Each=mapped("{% [$event.n, $k] %}", {"Inc": task("inc", "{% $states.input %}", None, End=True)}, "Done"),
        Done=done("{% {'out': $out, 'event': $event, 'k': $k} %}")), ["Each", "Inc"]),
    "a map whose iterations read a variable keeps the pass that assigns it": (machine(
        "Start",
        Start=pass_({"event": "{% $states.input %}", "k": 2}, "Each"),
        Each=mapped("{% [$k] %}", {"Both": done("{% [$states.input, $event] %}")}, "Done"),
        Done=done("{% {'out': $out, 'event': $event} %}")), ["Start", "Each", "Both"]),
    "a map item's fields are defined: the first pass of an iteration folds under a catcher": (machine(
        "Each",
        Each=mapped("{% [1, 2] %}", {
            "Begin": pass_({"v": "{% $states.input.item %}", "i": "{% $states.input.index %}"}, "Odd"),
            "Odd": task("odd", "{% $v + $i %}", "Ok", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]),
            "Ok": done("{% [$v, $i] %}"),
            "Caught": done("{% ['caught', $v, $i] %}")}, "Done", selector=True),
        Done=done("{% $out %}")), ["Each", "Odd", "Caught"]),
    "a field the item selector does not give may be missing: the pass stays before a catching task": (machine(
        "Each",
        Each=mapped("{% [1, 2] %}", {
            "Begin": pass_({"v": "{% $states.input.item %}", "w": "{% $states.input.other %}"}, "Odd"),
            "Odd": task("odd", "{% $v %}", "Ok", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]),
            "Ok": done("{% [$v, $w] %}"),
            "Caught": done("{% 'caught' %}")}, "Done", selector=True),
        Done=done("{% $out %}")), ["Each", "Begin", "Odd", "Caught"]),
    "a safe pass folds into a parallel whose branches read it in their first states only": (machine(
        "Each",
        Each=mapped("{% [1, 2] %}", {
            "Begin": pass_({"v": "{% $states.input.item %}", "k": 10}, "Both"),
            "Both": parallel("Ok", task("inc", "{% $v %}", None, End=True),
                             done("{% [$v * $k, $states.input.index] %}")),
            "Ok": done("{% [$v, $k, $pair] %}")}, "Done", selector=True),
        Done=done("{% $out %}")), ["Each", "Both"]),
    "a branch reading the variable after its first state keeps the pass before the parallel": (machine(
        "Each",
        Each=mapped("{% [1, 2] %}", {
            "Begin": pass_({"v": "{% $states.input.item %}"}, "Both"),
            "Both": parallel("Ok", task("inc", "{% 1 %}", "Again"), done("{% $v %}"),
                             Again=task("inc", "{% $v %}", None, End=True)),
            "Ok": done("{% [$v, $pair] %}")}, "Done", selector=True),
        Done=done("{% $out %}")), ["Each", "Begin", "Both"]),
    "a pass that may fail stays before a parallel whose branches read it": (machine(
        "Start",
        Start=pass_({"n": "{% $states.input.n %}"}, "Both"),
        Both=parallel("Done", task("inc", "{% $n %}", None, End=True), done("{% $n %}")),
        Done=done("{% $pair %}")), ["Start", "Both"]),
    "a parallel with Arguments keeps a pass that reads $states.input for its branches": (machine(
        "Start",
        Start=pass_({"e": "{% $states.input %}"}, "Both"),
        Both={**parallel("Done", task("inc", "{% $e.n ? $e.n : 0 %}", None, End=True), done("{% $e %}")),
              "Arguments": {"other": 1}},
        Done=done("{% $pair %}")), ["Start", "Both"]),
}
INPUTS = [{"n": 1}, {"n": 6}, {"m": 2}]


def functions(log: list[str]) -> dict[str, Any]:
    """The Lambda functions of the cases; each call is written to `log`."""
    calls = {"flaky": 0}

    def flaky(payload: Any) -> Any:
        calls["flaky"] += 1
        if calls["flaky"] % 2:
            raise RuntimeError("first call fails")
        return payload * 3

    def odd(payload: Any) -> Any:
        if payload % 2:
            raise ValueError("odd")
        return payload

    def pair(payload: Any) -> Any:
        return {"list": [payload, payload + 1]} if payload < 5 else {}

    def logged(name: str, function: Any) -> Any:
        return lambda payload: log.append(f"{name}({json.dumps(payload, sort_keys=True)})") or function(payload)

    return {name: logged(name, f) for name, f in
            {"inc": lambda payload: payload + 1, "flaky": flaky, "pair": pair, "odd": odd}.items()}


def folded(before: dict[str, Any]) -> dict[str, Any]:
    after = copy.deepcopy(before)
    source_map = {name: {"file": "x.py", "line": i + 1, "end_line": i + 1, "what": name}
                  for i, name in enumerate(before["States"])}
    fold(after, source_map)
    return after


@pytest.mark.parametrize("case", sorted(CASES))
def test_fold_leaves_these_states(case: str) -> None:
    before, left = CASES[case]
    after = folded(before)
    assert is_valid(validate_definition(before)), validate_definition(before)
    assert is_valid(validate_definition(after)), validate_definition(after)
    assert sorted(names(after)) == sorted(left)


def names(scope: dict[str, Any]) -> list[str]:
    """The state names of every scope (Map processors included)."""
    found = list(scope["States"])
    for state in scope["States"].values():
        if "ItemProcessor" in state:
            found += names(state["ItemProcessor"])
    return found


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
        assert sorted(calls_after) == sorted(calls_before)  # Map iterations may run in any order on moto


def test_folding_merges_comments_and_source_lines() -> None:
    before = CASES["pass folds into the task before it, reading what the task assigns"][0]
    after = copy.deepcopy(before)
    source_map = {"Start": {"file": "x.py", "line": 1, "end_line": 1, "what": "start"},
                  "Inc": {"file": "x.py", "line": 2, "end_line": 2, "what": "step inc"},
                  "Set": {"file": "x.py", "line": 3, "end_line": 4, "what": "assignments"},
                  "Done": {"file": "x.py", "line": 5, "end_line": 5, "what": "return"}}
    fold(after, source_map)
    assert after["States"]["Inc"]["Comment"] == \
        "start (line 1); step inc (line 2); assignments (lines 3-4); return (line 5)"
    assert source_map["Inc"]["line"] == 1 and source_map["Inc"]["end_line"] == 5
    assert set(source_map) == set(after["States"])


@pytest.mark.parametrize("case", [
    "a loop start that may fail folds into a task with a States.ALL retrier, shielded from retrying it",
    "a return that may fail becomes the output of a task with a States.ALL retrier, shielded"])
def test_a_may_fail_expression_after_a_call_is_never_retried(case: str) -> None:
    after = folded(CASES[case][0])
    shield = {"ErrorEquals": ["States.QueryEvaluationError", "States.Runtime"], "MaxAttempts": 0}
    assert after["States"]["Pair"]["Retry"] == [shield, *RETRY]


def test_a_pass_reading_what_its_predecessor_assigns_reads_the_expression() -> None:
    after = folded(CASES["pass folds into the task before it, reading what the task assigns"][0])
    assert after["States"]["Inc"]["Assign"] == {
        "n": "{% $states.result.Payload + 1 %}",
        "m": "{% $states.result.Payload * 10 %}",
    }
    assert after["States"]["Inc"]["End"] is True


#: (body, bindings) -> the bound expression: a variable bound to a variable or a `$states` field is
#: written in place where that reads the same, anything else is bound in a block
BOUND = {
    ("$event.lines", (("event", "$states.input"),)): "$states.input.lines",
    ("{'a': $e, 'b': $n + 1}", (("e", "$states.input"), ("n", "$states.input.n"))):
        "($n := $states.input.n; {'a': $states.input, 'b': $n + 1})",
    ("$page[0]", (("page", "$states.result.Payload"),)): "($page := $states.result.Payload; $page[0])",
    ("'$page' & $page", (("page", "$p"),)): "($page := $p; '$page' & $page)",
    ("($y := 5; $x + $y)", (("x", "$y"),)): "($x := $y; ($y := 5; $x + $y))",
    ("$map($l, function($y) { $y + $x })", (("x", "$y"),)): "($x := $y; $map($l, function($y) { $y + $x }))",
    ("$a + $b", (("b", "$a"), ("a", "$a + 1"))): "($b := $a; $a := ($a + 1); $a + $b)",
    ("$f($x)", (("f", "$g"), ("x", "$y"))): "($f := $g; $f($y))",
}


@pytest.mark.parametrize(("body", "bindings"), sorted(BOUND))
def test_bound_expressions_read_the_same(body: str, bindings: tuple[tuple[str, str], ...]) -> None:
    text = bound(body, dict(bindings))
    assert text == BOUND[body, bindings]
    values = {"states": {"input": {"n": 2, "lines": [1]}, "result": {"Payload": [7, 8]}}, "p": "q", "y": 3,
              "a": 1, "e": None, "l": [1, 2], "g": None}
    env = {**values, **{name: jsonata.Jsonata(expr).evaluate(None, values) for name, expr in bindings}}
    if "$f(" not in body:
        assert jsonata.Jsonata(text).evaluate(None, values) == jsonata.Jsonata(body).evaluate(None, env)


def test_volatile_values_are_never_copied_into_another_expression() -> None:
    before = machine("Stamp", Stamp=pass_({"t": "{% $millis() %}"}, "Use"),
                     Use=pass_({"u": "{% $t + 1 %}"}, "Done"), Done=done("{% [$t, $u] %}"))
    assert "Use" in folded(before)["States"] or "Stamp" in folded(before)["States"]
    assert "$millis() + 1" not in str(folded(before))


TOTAL = ["$x", "$states.result.Payload", "$states.input", "[1, $x.y]", "{'a': $x.missing, 'b': [$y]}",
         "$append($a, [$b])", "$count($x)",
         "($v := $states.result.Payload; $append($l, [$v]))", "$x = 1 ? 'a' : 'b'", "$exists($x.y) and $z"]
NOT_TOTAL = ["$x + 1", "$x.y", "$states.input.n", "$states.result.Payload.x", "-$x", "$x < 1",
             "$lookup($x, 'a')", "{$k: 1}", "$x ? 1", "$x[0]",
             "$sum($x)", "$f($x)", "($v := $x.y; $v)", "not valid ("]


@pytest.mark.parametrize("text", TOTAL)
def test_total_and_defined(text: str) -> None:
    assert total_and_defined(text)


def test_numeric_variables_are_assigned_only_numbers() -> None:
    found = numeric_variables({"a": [0, "{% $a + 1 %}"], "b": ["{% $a * 2 - $b %}", 3], "c": [0, "{% $x %}"],
                               "d": [True], "e": ["{% $states.result.Payload %}"], "f": ["{% $f + 1 %}", None]})
    assert found == {"a", "b"}


@pytest.mark.parametrize("text", ["$n + 1", "-$n * 2 - $m", "$n < $m + 1", "{'days': $n + 1}"])
def test_arithmetic_on_numeric_variables_is_total(text: str) -> None:
    assert total_and_defined(text, frozenset({"n", "m"}))
    assert not total_and_defined(text)


def test_a_block_binding_hides_a_numeric_variable() -> None:
    assert not total_and_defined("($n := 'a'; $n + 1)", frozenset({"n"}))


@pytest.mark.parametrize("text", NOT_TOTAL)
def test_may_fail_or_be_undefined(text: str) -> None:
    assert not total_and_defined(text)
