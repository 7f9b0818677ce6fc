"""Child contexts, wait_for_condition and create_callback + .result() under to-asl: each handler below
ends the same way (status, result, error type) on our durable runtime and, compiled, on both local
Step Functions interpreters; callbacks are answered the same way in both. Patterns that ASL cannot
express faithfully are DUR820 naming the construct and its line.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.localrun import Answer
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, compile_source, write
from durable_compile.source import SourceFile
from durable_runtime.lambda_service import ErrorObject
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.test_asl_differential import load_handler, on_runtime, outcome

HEAD = '''from aws_durable_execution_sdk_python import (
    DurableContext, StepContext, StepError, durable_execution, durable_step, durable_with_child_context,
)
from aws_durable_execution_sdk_python.config import CallbackConfig, ChildConfig, Duration, JitterStrategy, StepConfig
from aws_durable_execution_sdk_python.exceptions import CallbackError, ChildContextError, WaitForConditionError
from aws_durable_execution_sdk_python.retries import RetryPresets
from aws_durable_execution_sdk_python.serdes import JsonSerDes
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig, WaitForConditionDecision, WaitStrategyConfig, create_wait_strategy,
)

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


@durable_step
def fail_if(step_ctx: StepContext, value: int, limit: int) -> int:
    if value > limit:
        raise ValueError(f"{value} is over {limit}")
    return value * 2


@durable_with_child_context
def doubled(ctx: DurableContext, value: int, limit: int = 100) -> dict:
    x = ctx.step(fail_if(value, limit), name="double", config=NO_RETRY)
    ctx.wait(Duration.from_seconds(5), name="settle")
    return {"x": x, "limit": limit}


def every_ten(state: dict, attempt: int) -> WaitForConditionDecision:
    if state["n"] >= state["goal"]:
        return WaitForConditionDecision.stop_polling()
    return WaitForConditionDecision.continue_waiting(Duration.from_seconds(10))


@durable_step
def notify(step_ctx: StepContext, who: str, callback_id: str) -> str:
    if who == "nobody":
        raise RuntimeError("no address")
    return f"sent {callback_id[:0]}to {who}"

'''

#: name -> (handler body, event, callback answers by name: ("ok", value) or ("fail", message))
CASES: dict[str, tuple[str, dict[str, Any], dict[str, tuple[str, Any]]]] = {
    "child returns a value, default parameter": ('''
    first = context.run_in_child_context(doubled(event["v"]))
    second = context.run_in_child_context(doubled(event["v"] + 1, limit=500), config=ChildConfig(sub_type="Twice"))
    return {"first": first, "second": second}
''', {"v": 4}, {}),
    "child failure is ChildContextError, not StepError": ('''
    try:
        result = context.run_in_child_context(doubled(event["v"], 3))
    except StepError:
        result = "caught as StepError"
    return result
''', {"v": 4}, {}),
    "child failure caught as ChildContextError": ('''
    try:
        result = context.run_in_child_context(doubled(event["v"], 3))
    except ChildContextError as err:
        result = {"failed": err.message}
    return result
''', {"v": 4}, {}),
    "lambda child closes over locals, its own locals are its own": ('''
    x = event["v"]
    def block(ctx: DurableContext) -> int:
        x = ctx.step(lambda _: 100, name="inner-x")
        if x > 50:
            raise RuntimeError(f"inner x is {x}")
        return x
    def reader(ctx: DurableContext) -> int:
        return ctx.step(lambda _: x + 1, name="read-x")
    try:
        context.run_in_child_context(block, name="block")
    except Exception as err:
        x = x + 1000
    y = context.run_in_child_context(reader, name="reader")
    return {"x": x, "y": y}
''', {"v": 7}, {}),
    "nested children, inner failure caught inside the outer child": ('''
    def outer(ctx: DurableContext) -> dict:
        try:
            inner = ctx.run_in_child_context(doubled(event["v"], 1), name="inner")
        except ChildContextError:
            inner = None
        nothing = ctx.run_in_child_context(lambda c: None, name="empty")
        return {"inner": inner, "nothing": nothing}
    return context.run_in_child_context(outer, name="outer")
''', {"v": 4}, {}),
    "wait_for_condition with create_wait_strategy": ('''
    strategy = create_wait_strategy(WaitStrategyConfig(
        should_continue_polling=lambda s: s["n"] < event["goal"], max_attempts=10,
        initial_delay=Duration.from_seconds(2), jitter_strategy=JitterStrategy.NONE))
    done = context.wait_for_condition(
        lambda s, c: {"n": s["n"] + c.attempt}, config=WaitForConditionConfig(wait_strategy=strategy,
                                                                              initial_state={"n": 0}),
        name="count-up")
    return done
''', {"goal": 9}, {}),
    "wait_for_condition exhausts its attempts": ('''
    done = context.wait_for_condition(
        lambda s, c: {"n": s["n"] + 1},
        config=WaitForConditionConfig(wait_strategy=create_wait_strategy(WaitStrategyConfig(
            should_continue_polling=lambda s: True, max_attempts=3)), initial_state={"n": 0}),
        name="never")
    return done
''', {}, {}),
    "wait_for_condition failure caught, hand-written strategy": ('''
    goal = event["goal"]
    def check(state: dict, check_ctx) -> dict:
        if state["n"] == 3:
            raise ValueError("three is unlucky")
        return {"n": state["n"] + 1, "goal": goal}
    try:
        done = context.wait_for_condition(check, config=WaitForConditionConfig(
            wait_strategy=every_ten, initial_state={"n": 0, "goal": goal}))
    except WaitForConditionError as err:
        done = {"error": err.message}
    return done
''', {"goal": 5}, {}),
    "callback answered": ('''
    approval = context.create_callback(name="approval", config=CallbackConfig(
        timeout=Duration.from_hours(1), serdes=JsonSerDes()))
    context.step(notify(event["who"], approval.callback_id))
    answer = approval.result()
    return {"approved": answer["ok"]}
''', {"who": "ann"}, {"approval": ("ok", {"ok": True})}),
    "callback failure caught": ('''
    approval = context.create_callback(name="approval", config=CallbackConfig(serdes=JsonSerDes()))
    context.step(notify(event["who"], approval.callback_id))
    try:
        answer = approval.result()
    except CallbackError as err:
        answer = {"rejected": err.message}
    return answer
''', {"who": "ann"}, {"approval": ("fail", "over budget")}),
    "callback submitter step fails with StepError": ('''
    approval = context.create_callback(name="approval", config=CallbackConfig(serdes=JsonSerDes()))
    context.step(notify(event["who"], approval.callback_id), config=NO_RETRY)
    try:
        answer = approval.result()
    except CallbackError:
        answer = "not reached: the step fails first"
    return answer
''', {"who": "nobody"}, {}),
    "callback inside a child context": ('''
    def ask(ctx: DurableContext) -> str:
        cb = ctx.create_callback(name="approval", config=CallbackConfig(serdes=JsonSerDes()))
        ctx.step(notify(event["who"], cb.callback_id))
        return cb.result()["by"]
    return {"by": context.run_in_child_context(ask, name="ask")}
''', {"who": "ann"}, {"approval": ("ok", {"by": "bo"})}),
}


def source_of(body: str) -> str:
    return HEAD + "\n@durable_execution\ndef handler(event: dict, context: DurableContext) -> Any:\n" + \
        body.strip("\n") + "\n"


COUNTER = itertools.count(1)


def write_handler(tmp: Path, name: str, body: str) -> Path:
    path = tmp / f"ops_handler_{next(COUNTER)}.py"
    path.write_text("from typing import Any\n\n" + source_of(body))
    return path


def runtime_outcome(path: Path, event: dict[str, Any], answers: dict[str, tuple[str, Any]]) -> tuple[Any, ...]:
    if not answers:
        return on_runtime(path, event)
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        arn = runner.run_async(input=json.dumps(event), execution_timeout=60)
        for name, (action, value) in answers.items():
            callback_id = runner.wait_for_callback(arn, name=name, timeout=30)
            if action == "ok":
                runner.send_callback_success(callback_id, json.dumps(value).encode())
            else:
                runner.send_callback_failure(callback_id, ErrorObject(value, "Rejected", None, None))
        return outcome(runner.wait_for_result(arn, timeout=60))


def asl_outcome(path: Path, event: dict[str, Any], answers: dict[str, tuple[str, Any]], engine: str) -> tuple[Any, ...]:
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics if d.severity.value == "error"]
    folder = path.parent / f"{path.stem}_{engine}"
    write(compiled, folder)
    given = {name: Answer(value) if action == "ok" else Answer(error="Rejected", cause=value)
             for name, (action, value) in answers.items()}
    outcome = run_folder(folder, event, given, engine=engine)  # type: ignore[arg-type]
    return outcome.status, outcome.result, outcome.error


@pytest.mark.parametrize("name", list(CASES))
def test_runtime_and_both_interpreters_agree(name: str, tmp_path: Path) -> None:
    body, event, answers = CASES[name]
    path = write_handler(tmp_path, name, body)
    try:
        expected = runtime_outcome(path, event, answers)
        assert expected[0] in ("SUCCEEDED", "FAILED")
        for engine in ("sfnx", "moto"):
            assert asl_outcome(path, event, answers, engine) == expected, engine
    finally:
        sys.modules.pop(path.stem, None)


def test_the_cases_mean_what_their_names_say(tmp_path: Path) -> None:
    """A few outcomes pinned, so that agreement cannot come from both sides doing nothing."""
    pinned = {
        "child failure is ChildContextError, not StepError": ("FAILED", None, "ChildContextError"),
        "wait_for_condition exhausts its attempts": ("FAILED", None, "WaitForConditionError"),
        "callback submitter step fails with StepError": ("FAILED", None, "StepError"),
        "wait_for_condition with create_wait_strategy": ("SUCCEEDED", {"n": 10}, None),
        "callback answered": ("SUCCEEDED", {"approved": True}, None),
    }
    for name, expected in pinned.items():
        body, event, answers = CASES[name]
        path = write_handler(tmp_path, name, body)
        assert asl_outcome(path, event, answers, "sfnx") == expected, name


UNSUPPORTED = {
    "callback id used by plain code": ('''
    cb = context.create_callback(name="a")
    link = f"https://x/{cb.callback_id}"
    return cb.result()
''', 2, "is used at line"),
    "callback result kept from the submitter step": ('''
    cb = context.create_callback(name="a")
    sent = context.step(notify("ann", cb.callback_id))
    return cb.result()
''', 2, "cannot be kept"),
    "code between the submitter and .result()": ('''
    cb = context.create_callback(name="a")
    context.step(notify("ann", cb.callback_id))
    context.wait(Duration.from_seconds(5))
    return cb.result()
''', 3, "runs between"),
    "no .result() in the block": ('''
    cb = context.create_callback(name="a")
    context.step(notify("ann", cb.callback_id))
    return {"id": "none"}
''', 1, "later in the same block"),
    "callback used after .result()": ('''
    cb = context.create_callback(name="a")
    context.step(notify("ann", cb.callback_id))
    first = cb.result()
    return {"first": first, "again": cb.result()}
''', 4, "used again"),
    "wait strategy local assigned twice": ('''
    strategy = every_ten
    if event:
        strategy = create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda s: False))
    return context.wait_for_condition(lambda s, c: s, config=WaitForConditionConfig(
        wait_strategy=strategy, initial_state=1))
''', 4, "wait strategy"),
    "wait strategy local also used elsewhere": ('''
    strategy = create_wait_strategy(WaitStrategyConfig(should_continue_polling=lambda s: False))
    first = strategy(0, 1)
    return context.wait_for_condition(lambda s, c: s, config=WaitForConditionConfig(
        wait_strategy=strategy, initial_state=1))
''', 3, "used only by wait_for_condition"),
}


@pytest.mark.parametrize("name", list(UNSUPPORTED))
def test_unfaithful_patterns_are_dur820_at_their_line(name: str) -> None:
    body, offset, words = UNSUPPORTED[name]
    text = source_of(body)
    first = text.count("\n", 0, text.index("def handler")) + 1
    compiled = compile_source(SourceFile("h.py", text))
    found = [d for d in compiled.diagnostics if d.code == "DUR820"]
    assert not compiled.ok and found, [d.message for d in compiled.diagnostics]
    assert any(words in d.message and d.span.line == first + offset for d in found), \
        [(d.span.line - first, d.message) for d in found]


def test_steps_handler_runs_the_lifted_check_and_submitter(tmp_path: Path) -> None:
    path = write_handler(tmp_path, "lifted", CASES["callback answered"][0])
    folder = tmp_path / "out"
    write(compile_file(path), folder)
    from durable_compile.backends.asl.localrun.folder import load_steps
    steps = load_steps(folder)
    assert steps.handler({"op": "op1", "callback_token": "tok", "vars": {"event": {"who": "ann"}}}, None) is None
    with pytest.raises(Exception) as failed:
        steps.handler({"op": "op1", "callback_token": "tok", "vars": {"event": {"who": "nobody"}}}, None)
    assert type(failed.value).__name__ == "StepError" and str(failed.value) == "no address"


def test_steps_handler_runs_one_attempt_of_the_condition(tmp_path: Path) -> None:
    """The lifted check runs check(state) then the strategy, and returns the attempt's outcome: the state
    and whether the strategy stopped, plus the next attempt's number and delay when it polls again."""
    path = write_handler(tmp_path, "check", CASES["wait_for_condition with create_wait_strategy"][0])
    folder = tmp_path / "out"
    write(compile_file(path), folder)
    from durable_compile.backends.asl.localrun.folder import load_steps
    steps = load_steps(folder)
    event = {"goal": 9}

    def attempt(state: dict[str, Any], number: int) -> Any:
        return steps.handler({"op": "op1", "poll": {"state": state, "attempt": number}, "vars": {"event": event}}, None)
    assert attempt({"n": 0}, 1) == {"state": {"n": 1}, "done": False, "attempt": 2, "delay": 2}
    assert attempt({"n": 3}, 3) == {"state": {"n": 6}, "done": False, "attempt": 4, "delay": 5}  # ceil(2 * 1.5 ** 2)
    assert attempt({"n": 6}, 4) == {"state": {"n": 10}, "done": True}
