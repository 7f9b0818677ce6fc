"""`wait_for_condition` under to-asl: two states, the check task and a Wait. The check task runs the check
and the wait strategy in the steps function; when the strategy stops it succeeds with the final state,
when it says poll again it fails with WaitForCondition.PollAgain, whose Catch takes the next attempt
(state, number, delay) from the error's cause to the Wait, which goes back to the check.

Each handler below ends the same way (status, result, error type and message) on our runtime and on both
local interpreters: polls that stop, a strategy that runs out of attempts, failing checks caught and
uncaught, a check inside try/finally and in a parallel branch, and a state too long for an error's cause
(it travels compressed).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.emit_condition import POLL_AGAIN
from durable_compile.backends.asl.localrun.folder import load_steps, run_folder
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
    "create_wait_strategy runs out of attempts": ('''
    strategy = create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda s: not s["done"],
                                                       max_attempts=3, jitter_strategy=JitterStrategy.NONE))
    return context.wait_for_condition(step_up, config=WaitForConditionConfig(
        wait_strategy=strategy, initial_state={"n": 0, "goal": 100, "done": False}))
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
    "polls inside try/finally": ('''
    marks = ["start"]
    try:
        got = context.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": event["goal"], "done": False}))
    finally:
        marks = marks + ["finally"]
    return {"got": got, "marks": marks}
''', {"goal": 4}),
    "polls in parallel branches": ('''
    done = context.parallel([
        lambda ctx: ctx.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": 3, "done": False})),
        lambda ctx: ctx.wait_for_condition(step_up, config=WaitForConditionConfig(
            wait_strategy=until_done, initial_state={"n": 0, "goal": 6, "done": False})),
    ])
    return done.get_results()
''', {}),
    "a state longer than an error's cause travels compressed": ('''
    got = context.wait_for_condition(lambda s, c: {**s, "n": s["n"] + 1, "done": s["n"] >= 2},
                                     config=WaitForConditionConfig(wait_strategy=until_done, initial_state={
                                         "n": 0, "done": False, "blob": text(event["size"])}))
    return {"n": got["n"], "blob": len(got["blob"])}
''', {"size": 60000}),
}
PINNED = {
    "stops after a few polls": ("SUCCEEDED", {"n": 10, "goal": 9, "done": True}, None, None),
    "create_wait_strategy runs out of attempts": ("FAILED", None, "WaitForConditionError", None),
    "failing check, uncaught": ("FAILED", None, "WaitForConditionError", "thirteen"),
    "failing check caught as WaitForConditionError": ("SUCCEEDED", {"failed": "thirteen"}, None, None),
    "a state longer than an error's cause travels compressed": ("SUCCEEDED", {"n": 3, "blob": 60000}, None, None),
}
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


def test_each_condition_is_a_check_task_and_a_wait(tmp_path: Path) -> None:
    _, definition = compiled(tmp_path, CASES["stops after a few polls"][0])
    states = definition["States"]
    assert sorted(state["Type"] for state in states.values()) == ["Pass", "Task", "Wait"]  # Pass: the initial state
    check = next(name for name, state in states.items() if state["Type"] == "Task")
    wait = next(name for name, state in states.items() if state["Type"] == "Wait")
    again = states[check]["Catch"][0]
    assert again["ErrorEquals"] == [POLL_AGAIN] and again["Next"] == wait and states[wait]["Next"] == check
    assert "Choice" not in json.dumps(definition)


def test_poll_again_comes_first_in_every_check_catch(tmp_path: Path) -> None:
    """Before any `States.ALL` of an except, a finally or a branch, which would otherwise take it."""
    for name in ("failing check caught as WaitForConditionError", "polls inside try/finally",
                 "polls in parallel branches"):
        _, definition = compiled(tmp_path, CASES[name][0])
        catches = [state["Catch"] for state in _all_states(definition) if state.get("Catch") and any(
            POLL_AGAIN in entry["ErrorEquals"] for entry in state["Catch"])]
        assert catches and all(c[0]["ErrorEquals"] == [POLL_AGAIN] for c in catches), name


def _all_states(scope: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for state in scope["States"].values():
        found.append(state)
        for inner in [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]:
            found += _all_states(inner)
    return found


def test_one_attempt_returns_the_state_or_raises_poll_again(tmp_path: Path) -> None:
    path, _ = compiled(tmp_path, CASES["stops after a few polls"][0])
    steps = load_steps(tmp_path / f"{path.stem}_out")
    poll = {"state": {"n": 0, "goal": 3, "done": False}, "attempt": 1}
    with pytest.raises(Exception) as again:
        steps.handler({"op": "op1", "poll": poll}, None)
    assert type(again.value).__name__ == POLL_AGAIN
    assert json.loads(str(again.value)) == {"state": {"n": 1, "goal": 3, "done": False}, "attempt": 2, "delay": 5}
    done = steps.handler({"op": "op1", "poll": {"state": {"n": 1, "goal": 3, "done": False}, "attempt": 2}}, None)
    assert done == {"n": 3, "goal": 3, "done": True}


def test_a_long_state_is_packed_and_one_too_long_fails_the_check(tmp_path: Path) -> None:
    path, _ = compiled(tmp_path, CASES["stops after a few polls"][0])
    steps = load_steps(tmp_path / f"{path.stem}_out")
    long = {"n": 0, "goal": 99, "done": False, "pad": "x" * 50000}
    with pytest.raises(Exception) as again:
        steps.handler({"op": "op1", "poll": {"state": long, "attempt": 1}}, None)
    message = json.loads(str(again.value))
    assert set(message) == {"packed", "attempt", "delay"} and len(json.dumps(str(again.value))) <= 30000
    assert steps.PollAgain.state_of(message) == {**long, "n": 1}
    noise = "".join(f"{i * 7919 % 1000003:06x}" for i in range(40000))  # compresses too little
    with pytest.raises(Exception) as failed:
        steps.handler({"op": "op1", "poll": {"state": {**long, "pad": noise}, "attempt": 1}}, None)
    assert type(failed.value).__name__ == "WaitForConditionError" and "too large" in str(failed.value)
