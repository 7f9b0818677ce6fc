"""Durable failures nobody catches, from outside the steps function (a callback's answer or timeout, an
invoked function) or from a callback's submitter: the execution fails with the SDK's error class
(CallbackExternalError, CallbackTimeoutError, InvokeError, StepError for a create_callback's submitter
step, CallbackSubmitterError for a wait_for_callback's submitter once its retries are spent) and the
original message, as on our runtime, through the one Fail state of the scope; each Catch entry that goes
there names its error class in its Output. `except CallbackTimeoutError` / `except CallbackSubmitterError`
catch only those failures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.emit_try import CALLBACK_CAUSE, CALLBACK_CLASS
from durable_compile.backends.asl.localrun import Answer
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime.lambda_service import ErrorObject
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.test_asl_differential import load_handler

HANDLER = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import CallbackConfig, Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets
from aws_durable_execution_sdk_python.serdes import JsonSerDes


@durable_step
def notify(step_ctx: StepContext, who: str, callback_id: str) -> None:
    if who == "nobody":
        raise RuntimeError("no address")


def quote(event: dict, lambda_context: object) -> dict:
    if event["amount"] > 100:
        raise ValueError(f"no quote for {event['amount']}")
    return {"price": event["amount"] * 2}


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
    approval = context.create_callback(name="approval", config=CallbackConfig(
        timeout=Duration.from_hours(1), serdes=JsonSerDes()))
    context.step(notify(event["who"], approval.callback_id),
                 config=StepConfig(retry_strategy=RetryPresets.none()))
    answer = approval.result()
    priced = context.invoke("quote", {"amount": event["amount"]}, name="price")
    return {"ok": answer["ok"], "price": priced["price"]}
'''

#: case -> (event, the callback's answer: ("ok", value) or ("fail", message); None: not answered)
CASES: dict[str, tuple[dict[str, Any], tuple[str, Any] | None]] = {
    "everything succeeds": ({"who": "ann", "amount": 5}, ("ok", {"ok": True})),
    "submitter step fails: StepError": ({"who": "nobody", "amount": 5}, None),
    "callback answered with a failure: CallbackExternalError": ({"who": "ann", "amount": 5},
                                                                ("fail", "over budget")),
    "invoked function fails: InvokeError": ({"who": "ann", "amount": 500}, ("ok", {"ok": True})),
}
PINNED = {
    "everything succeeds": ("SUCCEEDED", {"ok": True, "price": 10}, None, None),
    "submitter step fails: StepError": ("FAILED", None, "StepError", "no address"),
    "callback answered with a failure: CallbackExternalError": ("FAILED", None, "CallbackExternalError",
                                                                "over budget"),
    "invoked function fails: InvokeError": ("FAILED", None, "InvokeError", "no quote for 500"),
}
Ending = tuple[str, Any, str | None, str | None]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("callback_fail")
    path = root / "callback_fail_handler.py"
    path.write_text(HANDLER)
    result = compile_file(path)
    assert result.ok, [d.message for d in result.diagnostics]
    write(result, root / "out")
    return path


def quote(event: dict[str, Any]) -> Any:
    if event["amount"] > 100:
        raise ValueError(f"no quote for {event['amount']}")
    return {"price": event["amount"] * 2}


def on_runtime(path: Path, event: dict[str, Any], answer: tuple[str, Any] | None, callback: str = "approval") -> Ending:
    with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
        runner.register_function("quote", lambda payload, _context: quote(payload))
        arn = runner.run_async(input=json.dumps(event), execution_timeout=60)
        if answer is not None:
            callback_id = runner.wait_for_callback(arn, name=callback, timeout=30)
            if answer[0] == "ok":
                runner.send_callback_success(callback_id, json.dumps(answer[1]).encode())
            else:
                runner.send_callback_failure(callback_id, ErrorObject(answer[1], "Rejected", None, None))
        result = runner.wait_for_result(arn, timeout=60)
    status = str(getattr(result.status, "value", result.status)).rsplit(".", 1)[-1]
    error = result.error
    return (status, json.loads(result.result) if result.result else None,
            error.type.rsplit(".", 1)[-1] if error is not None and error.type else None,
            error.message if error is not None else None)


def on_asl(folder: Path, event: dict[str, Any], answer: tuple[str, Any] | None, engine: str,
           callback: str = "approval") -> Ending:
    given = {} if answer is None else {
        callback: Answer(answer[1]) if answer[0] == "ok" else Answer(error="Rejected", cause=answer[1])}
    ran = run_folder(folder, event, given, functions={"quote": quote}, engine=engine)  # type: ignore[arg-type]
    return ran.status, ran.result, ran.error, ran.cause


@pytest.mark.parametrize("name", list(CASES))
def test_runtime_and_both_interpreters_end_the_same_way(compiled: Path, name: str) -> None:
    event, answer = CASES[name]
    try:
        expected = on_runtime(compiled, event, answer)
    finally:
        sys.modules.pop(f"rt_{compiled.stem}", None)
    assert expected == PINNED[name]
    for engine in ("sfnx", "moto"):
        assert on_asl(compiled.parent / "out", event, answer, engine) == expected, engine


def test_one_fail_state_takes_the_error_class_each_catch_names(compiled: Path) -> None:
    definition = json.loads((compiled.parent / "out" / "statemachine.asl.json").read_text())
    states = definition["States"]
    fails = [name for name, state in states.items() if state["Type"] == "Fail"]
    assert len(fails) == 1 and states[fails[0]]["Error"] == "{% $states.input.Error %}"
    catches = [entry for state in states.values() for entry in state.get("Catch", ())]
    assert {entry["Next"] for entry in catches} == {fails[0]}
    classes = [("'StepError'", "$states.errorOutput.Cause"), ("'InvokeError'", "$states.errorOutput.Cause"),
               (CALLBACK_CLASS, CALLBACK_CAUSE)]
    assert sorted(entry["Output"] for entry in catches) == \
        sorted(f"{{% {{'Error': {cls}, 'Cause': {cause}}} %}}" for cls, cause in classes)


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
def test_a_callback_never_answered_fails_with_callback_timeout_error(compiled: Path, engine: str) -> None:
    """(Not run on our runtime: there, as in AWS's test runner, a callback timeout takes real time.)"""
    ended = on_asl(compiled.parent / "out", {"who": "ann", "amount": 5}, None, engine)
    assert ended == ("FAILED", None, "CallbackTimeoutError", "Callback timed out")  # the runtime's message


WAIT_FOR_CALLBACK = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, WaitForCallbackConfig
from aws_durable_execution_sdk_python.exceptions import CallbackError
from aws_durable_execution_sdk_python.retries import RetryPresets
from aws_durable_execution_sdk_python.serdes import JsonSerDes


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
    def send(callback_id: str, ctx: Any) -> None:
        if event["who"] == "nobody":
            raise RuntimeError(f"no address for {event['who']}")

    if event["catch"]:
        try:
            return context.wait_for_callback(send, name="ask", config=WaitForCallbackConfig(
                timeout=Duration.from_hours(1), serdes=JsonSerDes(), retry_strategy=RetryPresets.none()))
        except CallbackError as err:
            return {"caught": err.message}
    return context.wait_for_callback(send, name="ask-again", config=WaitForCallbackConfig(
        timeout=Duration.from_hours(1), serdes=JsonSerDes()))
'''
#: case -> (event, the answer to the callback, what the runtime ends with)
WAITS: dict[str, tuple[dict[str, Any], tuple[str, Any] | None, Ending]] = {
    "answered": ({"who": "ann", "catch": False}, ("ok", {"ok": 1}), ("SUCCEEDED", {"ok": 1}, None, None)),
    "answered with a failure": ({"who": "ann", "catch": False}, ("fail", "no"),
                                ("FAILED", None, "CallbackExternalError", "no")),
    "submitter fails on every attempt of the default strategy": (
        {"who": "nobody", "catch": False}, None, ("FAILED", None, "CallbackSubmitterError", "no address for nobody")),
    "submitter failure caught as CallbackError": (
        {"who": "nobody", "catch": True}, None, ("SUCCEEDED", {"caught": "no address for nobody"}, None, None)),
}


@pytest.fixture(scope="module")
def waits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wait_for_callback_fail")
    path = root / "wait_for_callback_handler.py"
    path.write_text(WAIT_FOR_CALLBACK)
    result = compile_file(path)
    assert result.ok, [d.message for d in result.diagnostics]
    write(result, root / "out")
    return path


@pytest.mark.parametrize("name", list(WAITS))
def test_wait_for_callback_ends_as_on_the_runtime(waits: Path, name: str) -> None:
    """A submitter that fails is retried by its strategy, then raises CallbackSubmitterError."""
    event, answer, ending = WAITS[name]
    callback = "ask create callback id" if event["catch"] else "ask-again create callback id"
    try:
        assert on_runtime(waits, event, answer, callback) == ending
    finally:
        sys.modules.pop(f"rt_{waits.stem}", None)
    for engine in ("sfnx", "moto"):
        assert on_asl(waits.parent / "out", event, answer, engine, callback) == ending, engine


def test_the_submitter_is_retried_on_callback_submitter_error_only(waits: Path) -> None:
    definition = json.loads((waits.parent / "out" / "statemachine.asl.json").read_text())
    tasks = [s for s in definition["States"].values() if s.get("Resource", "").endswith(".waitForTaskToken")]
    assert len(tasks) == 2
    assert [[r["ErrorEquals"] for r in task.get("Retry", ())] for task in tasks] in (
        [[], [["CallbackSubmitterError"]]], [[["CallbackSubmitterError"]], []])


SINGLED_OUT = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration, WaitForCallbackConfig
from aws_durable_execution_sdk_python.exceptions import CallbackSubmitterError, CallbackTimeoutError
from aws_durable_execution_sdk_python.retries import RetryPresets
from aws_durable_execution_sdk_python.serdes import JsonSerDes


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
    def send(callback_id: str, ctx: Any) -> None:
        if event["who"] == "nobody":
            raise RuntimeError("no address")

    try:
        return context.wait_for_callback(send, name="ask", config=WaitForCallbackConfig(
            timeout=Duration.from_hours(1), serdes=JsonSerDes(), retry_strategy=RetryPresets.none()))
    except CallbackTimeoutError as err:
        return {"timed out": err.message}
    except CallbackSubmitterError as err:
        return {"not sent": err.message}
'''
SINGLED_OUT_CASES: dict[str, tuple[dict[str, Any], tuple[str, Any] | None, Ending]] = {
    "a failed answer is not a timeout": ({"who": "ann"}, ("fail", "no"),
                                         ("FAILED", None, "CallbackExternalError", "no")),
    "a failing submitter is caught by its class": ({"who": "nobody"}, None,
                                                   ("SUCCEEDED", {"not sent": "no address"}, None, None)),
}


@pytest.mark.parametrize("name", list(SINGLED_OUT_CASES))
def test_except_callback_subclasses_catch_only_their_failures(name: str, tmp_path: Path) -> None:
    path = tmp_path / "singled_out_handler.py"
    path.write_text(SINGLED_OUT)
    result = compile_file(path)
    assert result.ok, [d.message for d in result.diagnostics]
    write(result, tmp_path / "out")
    event, answer, ending = SINGLED_OUT_CASES[name]
    try:
        assert on_runtime(path, event, answer, "ask create callback id") == ending
    finally:
        sys.modules.pop(f"rt_{path.stem}", None)
    for engine in ("sfnx", "moto"):
        assert on_asl(tmp_path / "out", event, answer, engine, "ask create callback id") == ending, engine
    (task,) = [s for s in json.loads(result.files["statemachine.asl.json"])["States"].values() if "Catch" in s]
    assert [c["ErrorEquals"] for c in task["Catch"]] == [["States.Timeout", "States.HeartbeatTimeout"],
                                                         ["CallbackSubmitterError"], ["States.ALL"]]


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
def test_except_callback_timeout_error_catches_a_timeout(tmp_path: Path, engine: str) -> None:
    """(On the interpreters only: on our runtime, as in AWS's runner, a callback timeout takes real time.)"""
    path = tmp_path / "timeout_handler.py"
    path.write_text(SINGLED_OUT)
    write(compile_file(path), tmp_path / "out")
    ended = on_asl(tmp_path / "out", {"who": "ann"}, None, engine)
    assert ended[0] == "SUCCEEDED" and list(ended[1]) == ["timed out"]  # its message is the task's cause
