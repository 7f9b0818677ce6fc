"""`wait_for_condition` under to-asl: the poller one writes by hand, a check task, a Choice on the wait
strategy's decision and a Wait, in a loop. The check task runs the check and the strategy in the steps
function and returns the attempt's outcome as its result (`{"state", "done"}`, plus the next `"attempt"`
and its `"delay"` to poll again); its Assign keeps it in the loop's variable; the Choice ends the loop on
`done`, assigning the state to the operation's target, or goes to the Wait, which goes back to the check.
No task fails to loop: every poll is one Lambda invocation that succeeds.

Each handler below ends the same way (status, result, error type and message) on our runtime and on both
local interpreters: polls that stop, many polls, a strategy that runs out of attempts or gives up by
raising, failing checks caught and uncaught (a caught one leaves the target as it was), a check inside
try/finally, in a loop and in a parallel branch, and a long state.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.emit_support import STEPS_ARN
from durable_compile.backends.asl.localrun.folder import load_steps, run_folder
from durable_compile.backends.asl.localrun.model import Services, run_definition
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.test_asl_differential import load_handler

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.exceptions import WaitForConditionError
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig, WaitForConditionDecision, WaitStrategyConfig, create_wait_strategy,
)


def until_done(state: dict, attempt: int) -> WaitForConditionDecision:
    if state["done"]:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(5 * attempt))


def step_up(state: dict, check_ctx: Any) -> dict:
    n = state["n"] + check_ctx.attempt
    if n == 13:
        raise ValueError("thirteen")
    return {**state, "n": n, "done": n >= state["goal"]}


def give_up(state: dict) -> WaitForConditionDecision:
    raise WaitForConditionError(f"gave up at n={state['n']}")


def text(size: int) -> str:
    return ("polled " * (size // 7 + 1))[:size]


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''

#: name -> (handler body, event)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "stops after a few polls": ('''
    return context.wait_for_condition(step_up, config=WaitForConditionConfig(
        wait_strategy=until_done, initial_state={"n": 0, "goal": event["goal"], "done": False}), name="count")
''', {"goal": 9}),
    "stops at the first poll, result unused": ('''
    context.wait_for_condition(step_up, config=WaitForConditionConfig(
        wait_strategy=until_done, initial_state={"n": 0, "goal": 0, "done": False}), name="once")
    return "after"
''', {}),
    "many polls, each attempt numbered": ('''
    got = context.wait_for_condition(lambda s, c: {"seen": s["seen"] + [c.attempt]},
                                     config=WaitForConditionConfig(wait_strategy=lambda s, a: (
                                         WaitForConditionDecision.stop_polling() if len(s["seen"]) >= 40
                                         else WaitForConditionDecision.continue_waiting(Duration.from_seconds(a))),
                                         initial_state={"seen": []}), name="many")
    return got["seen"]
''', {}),
    "create_wait_strategy runs out of attempts": ('''
    strategy = create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda s: not s["done"],
                                                       max_attempts=3, jitter_strategy=JitterStrategy.NONE))
    return context.wait_for_condition(step_up, config=WaitForConditionConfig(
        wait_strategy=strategy, initial_state={"n": 0, "goal": 100, "done": False}))
''', {}),
    "a hand-written strategy gives up by raising, caught": ('''
    try:
        got = context.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=lambda s, a: WaitForConditionDecision.continue_waiting(Duration.from_seconds(1))
            if a < 3 else give_up(s), initial_state={"n": 0, "goal": 100, "done": False}), name="impatient")
    except WaitForConditionError as err:
        got = {"gave up": err.message}
    return got
''', {}),
    "failing check, uncaught": ('''
    return context.wait_for_condition(step_up, config=WaitForConditionConfig(
        wait_strategy=until_done, initial_state={"n": 7, "goal": 100, "done": False}))
''', {}),
    "failing check caught as WaitForConditionError": ('''
    try:
        got = context.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 7, "goal": 100, "done": False}))
    except WaitForConditionError as err:
        got = {"failed": err.message}
    return got
''', {}),
    "a check failing after two polls leaves the target as it was": ('''
    got = "before"
    try:
        got = context.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 7, "goal": 100, "done": False}), name="third-fails")
    except WaitForConditionError:
        pass
    return got
''', {}),
    "polls inside try/finally": ('''
    marks = ["start"]
    try:
        got = context.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": event["goal"], "done": False}))
    finally:
        marks = marks + ["finally"]
    return {"got": got, "marks": marks}
''', {"goal": 4}),
    "polls in a loop: each round starts from its own initial state": ('''
    totals = []
    for goal in event["goals"]:
        got = context.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": goal, "done": False}), name="round")
        totals = totals + [got["n"]]
    return totals
''', {"goals": [2, 5, 11]}),
    "polls in parallel branches": ('''
    done = context.parallel([
        lambda ctx: ctx.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": 3, "done": False})),
        lambda ctx: ctx.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": 6, "done": False})),
    ])
    return done.get_results()
''', {}),
    "a long state travels in the check's result": ('''
    got = context.wait_for_condition(lambda s, c: {**s, "n": s["n"] + 1, "done": s["n"] >= 2},
                                     config=WaitForConditionConfig(wait_strategy=until_done, initial_state={
                                         "n": 0, "done": False, "blob": text(event["size"])}))
    return {"n": got["n"], "blob": len(got["blob"])}
''', {"size": 60000}),
}
PINNED = {
    "stops after a few polls": ("SUCCEEDED", {"n": 10, "goal": 9, "done": True}, None, None),
    "many polls, each attempt numbered": ("SUCCEEDED", list(range(1, 41)), None, None),
    "create_wait_strategy runs out of attempts": ("FAILED", None, "WaitForConditionError", None),
    "a hand-written strategy gives up by raising, caught": ("SUCCEEDED", {"gave up": "gave up at n=6"}, None, None),
    "failing check, uncaught": ("FAILED", None, "WaitForConditionError", "thirteen"),
    "failing check caught as WaitForConditionError": ("SUCCEEDED", {"failed": "thirteen"}, None, None),
    "a check failing after two polls leaves the target as it was": ("SUCCEEDED", "before", None, None),
    "polls in a loop: each round starts from its own initial state": ("SUCCEEDED", [3, 6, 15], None, None),
    "a long state travels in the check's result": ("SUCCEEDED", {"n": 3, "blob": 60000}, None, None),
}
#: name -> how many times the check runs (one Lambda invocation each, none of them failing to loop)
POLLS = {"stops after a few polls": 4, "stops at the first poll, result unused": 1,
         "many polls, each attempt numbered": 40, "polls in a loop: each round starts from its own initial state": 10}
COUNTER = itertools.count(1)
Ending = tuple[str, Any, str | None, str | None]


def write_handler(tmp: Path, body: str) -> Path:
    path = tmp / f"condition_handler_{next(COUNTER)}.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    return path


def on_runtime(path: Path, event: dict[str, Any]) -> Ending:
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        result = runner.run(input=json.dumps(event), execution_timeout=600)
    status = str(getattr(result.status, "value", result.status)).rsplit(".", 1)[-1]
    error = result.error
    return (status, json.loads(result.result) if result.result else None,
            error.type.rsplit(".", 1)[-1] if error is not None and error.type else None,
            error.message if error is not None else None)


def on_asl(folder: Path, event: dict[str, Any], engine: str) -> Ending:
    ran = run_folder(folder, event, engine=engine)  # type: ignore[arg-type]
    return ran.status, ran.result, ran.error, ran.cause


def compiled(tmp: Path, body: str) -> tuple[Path, dict[str, Any]]:
    path = write_handler(tmp, body)
    result = compile_file(path)
    assert result.ok and result.output is not None, [d.message for d in result.diagnostics]
    write(result, tmp / f"{path.stem}_out")
    return path, result.output.definition


@pytest.mark.parametrize("name", list(CASES))
def test_runtime_and_both_interpreters_end_the_same_way(name: str, tmp_path: Path) -> None:
    body, event = CASES[name]
    path, _ = compiled(tmp_path, body)
    try:
        expected = on_runtime(path, event)
    finally:
        sys.modules.pop(f"rt_{path.stem}", None)
    if name in PINNED:
        assert expected[:3] == PINNED[name][:3] and PINNED[name][3] in (None, expected[3]), expected
    for engine in ("sfnx", "moto"):
        ended = on_asl(tmp_path / f"{path.stem}_out", event, engine)
        assert ended[:3] == expected[:3], engine
        if name != "create_wait_strategy runs out of attempts":  # the SDK's message names its own internals
            assert ended[3] == expected[3], engine


@pytest.mark.parametrize("name", list(POLLS))
def test_each_poll_is_one_lambda_invocation_that_succeeds(name: str, tmp_path: Path) -> None:
    body, event = CASES[name]
    path, definition = compiled(tmp_path, body)
    folder = tmp_path / f"{path.stem}_out"
    for engine in ("sfnx", "moto"):
        steps = load_steps(folder)
        calls: list[tuple[int, str]] = []

        def steps_function(payload: Any, steps: Any = steps, calls: list[tuple[int, str]] = calls) -> Any:
            try:
                result = steps.handler(payload, None)
            except Exception as failure:
                calls.append((payload.get("poll", {}).get("attempt", 0), type(failure).__name__))
                raise
            calls.append((payload.get("poll", {}).get("attempt", 0), "ok"))
            return result
        ran = run_definition(definition, event, Services({STEPS_ARN: steps_function}), engine)
        assert ran.status == "SUCCEEDED", engine
        polls = [c for c in calls if c[0]]
        assert len(polls) == POLLS[name] and all(outcome == "ok" for _, outcome in calls), (engine, calls)


def test_each_condition_is_a_check_task_a_choice_and_a_wait(tmp_path: Path) -> None:
    _, definition = compiled(tmp_path, CASES["stops after a few polls"][0])
    states = definition["States"]
    assert {name: state["Type"] for name, state in states.items()} == {
        "count-start": "Pass",  # the initial state; first of the machine, so no earlier state takes it
        "count": "Task", "count-decision": "Choice", "count-wait": "Wait",
        "Return-line-34": "Succeed"}  # a Choice cannot end the machine
    check, decision, wait = "count", "count-decision", "count-wait"
    assert states[check]["Next"] == decision and "Catch" not in states[check] and "Retry" not in states[check]
    poll = next(iter(states[check]["Assign"]))
    assert states[check]["Assign"] == {poll: "{% $states.result.Payload %}"}
    assert states[check]["Arguments"]["Payload"]["poll"] == f"{{% ${poll} %}}"
    [done] = states[decision]["Choices"]
    assert done["Condition"] == f"{{% ${poll}.done %}}" and states[decision]["Default"] == wait
    assert states[wait] == {**states[wait], "Seconds": f"{{% ${poll}.delay %}}", "Next": check}
    assert "line" in states[decision]["Comment"] and "line" in states[wait]["Comment"]


def test_the_target_is_assigned_when_the_loop_ends(tmp_path: Path) -> None:
    """Only the Choice's done rule assigns it: a failing later poll leaves the old value to an except."""
    _, definition = compiled(tmp_path, CASES["a check failing after two polls leaves the target as it was"][0])
    states = definition["States"]
    assigning = [name for name, state in states.items()
                 for holder in (state, *state.get("Choices", ()), *state.get("Catch", ())) if holder.get("Assign", {})
                 .get("got", "").endswith(".state %}")]
    assert assigning == ["third-fails-decision"]


def test_a_check_catch_is_only_an_except_that_catches_it(tmp_path: Path) -> None:
    """No task fails as control flow: a check's Catch entries are the handler's own excepts/finally."""
    for name in CASES:
        _, definition = compiled(tmp_path, CASES[name][0])
        for state in _all_states(definition):
            for entry in state.get("Catch", ()):
                assert all(not e.startswith("WaitForCondition.") for e in entry["ErrorEquals"]), name


def _all_states(scope: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for state in scope["States"].values():
        found.append(state)
        for inner in [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            found += _all_states(inner)
    return found


def test_one_attempt_returns_the_state_and_the_decision(tmp_path: Path) -> None:
    path, _ = compiled(tmp_path, CASES["stops after a few polls"][0])
    steps = load_steps(tmp_path / f"{path.stem}_out")
    again = steps.handler({"op": "op1", "poll": {"state": {"n": 0, "goal": 3, "done": False}, "attempt": 1}}, None)
    assert again == {"state": {"n": 1, "goal": 3, "done": False}, "done": False, "attempt": 2, "delay": 5}
    done = steps.handler({"op": "op1", "poll": again}, None)  # the Assign keeps the result as the next poll
    assert done == {"state": {"n": 3, "goal": 3, "done": True}, "done": True}
    assert not hasattr(steps, "PollAgain")


@pytest.mark.parametrize("regions", [[], ["eu-west-1"], [f"r{i}" for i in range(12)], "a string has a len too"])
def test_poll_job_sample_ends_the_same_way_on_the_runtime_and_both_interpreters(regions: Any, tmp_path: Path) -> None:
    """The sample's two pollers (create_wait_strategy, then a hand-written strategy) over as many polls as
    there are regions (at least one: the check adds a replica before the strategy looks)."""
    sample = Path(__file__).resolve().parents[2] / "samples" / "poll_job.py"
    path = tmp_path / f"poll_job_{next(COUNTER)}.py"
    path.write_text(sample.read_text())
    result = compile_file(path)
    assert result.ok, [d.message for d in result.diagnostics]
    write(result, tmp_path / f"{path.stem}_out")
    event = {"regions": regions}
    try:
        expected = on_runtime(path, event)
    finally:
        sys.modules.pop(f"rt_{path.stem}", None)
    assert expected[0] == "SUCCEEDED" and expected[1]["replicas"] == max(1, len(regions)), expected
    assert expected[1]["polls"] == 3, expected  # 35 % a poll: 35, 70, 100
    for engine in ("sfnx", "moto"):
        assert on_asl(tmp_path / f"{path.stem}_out", event, engine) == expected, engine
