"""The arguments of a decorated step call are evaluated where the handler evaluates them: in orchestration
code, before the step starts, outside its retries and its `except StepError`.

Each case is a handler and inputs; the compiled machine must end as the handler does on the durable
runtime (status, result, and the error, where Python's KeyError or TypeError in orchestration code is the
state machine's States.QueryEvaluationError: docs/aws-differences.md), on sfnx and on moto (which names
that error States.Runtime in a Task). Where an argument fails, the step's function is never called. An
invoke's payload is read before the call in the same way.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.emit_support import STEPS_ARN
from durable_compile.backends.asl.localrun.folder import load_steps, run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.test_asl_differential import load_handler, on_runtime, outcome

HEADER = '''from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.exceptions import StepError
from aws_durable_execution_sdk_python.retries import RetryPresets

RETRIED = StepConfig(retry_strategy=RetryPresets.transient())


@durable_step
def charge(step_ctx: StepContext, currency: str, cents: int = 0) -> str:
    if currency == "XXX":
        raise ValueError("unknown currency")
    return f"{cents} {currency} (attempt {step_ctx.attempt})"


def label(order: dict) -> str:
    return "order " + str(order["id"])

'''
#: case -> the handler's body (after the def line); the inputs are INPUTS
SOURCES = {
    "subscript argument": '''
    return context.step(charge(event["currency"], event["cents"]), config=RETRIED)
''',
    "keyword and starred arguments": '''
    return context.step(charge(*event["pair"][:1], cents=event["cents"] * 2), config=RETRIED)
''',
    "argument inside try/except StepError": '''
    try:
        paid = context.step(charge(event["currency"], event["cents"]), config=RETRIED)
    except StepError as err:
        return {"compensated": err.message}
    return {"paid": paid}
''',
    "argument inside try/except KeyError": '''
    try:
        paid = context.step(charge(event["currency"], event["cents"]), config=RETRIED)
    except KeyError:
        return {"missing": True}
    return {"paid": paid}
''',
    "argument without a JSONata form": '''
    return context.step(charge(label(event["order"]), event["cents"]), config=RETRIED)
''',
    "range over an input number": '''
    total = []
    for cycle in range(1, event["cents"] + 1):
        total.append(context.step(charge(event["currency"], cycle), name=f"cycle-{cycle}"))
    return total
''',
}
FULL = {"currency": "EUR", "cents": 2, "pair": ["GBP", 9], "order": {"id": 7}}
#: the full input, each key missing in turn, and a step body that fails (retried, then StepError)
INPUTS = [FULL, *({k: v for k, v in FULL.items() if k != key} for key in FULL), {**FULL, "currency": "XXX"}]
#: Python errors of orchestration code, as the state machine reports them (moto says States.Runtime when
#: the failing expression is a Task's)
EVALUATION = {"sfnx": {"States.QueryEvaluationError"}, "moto": {"States.QueryEvaluationError", "States.Runtime"}}


def _source(body: str) -> str:
    return HEADER + "\n@durable_execution\ndef handler(event: dict, context: DurableContext):" + body


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """case -> (the handler file, its compiled folder)."""
    out = {}
    for i, (case, body) in enumerate(SOURCES.items()):
        root = tmp_path_factory.mktemp(f"case{i}")
        path = root / f"step_args_{i}.py"
        path.write_text(_source(body))
        result = compile_file(path)
        assert result.ok, [d.message for d in result.diagnostics]
        write(result, root / "out")
        out[case] = (path, root / "out")
    return out


def _on_machine(folder: Path, event: dict[str, Any], engine: str) -> tuple[tuple[Any, ...], list[str]]:
    """(status, result, error) of the machine, and the ops the steps function ran, in order."""
    steps = load_steps(folder)
    ran: list[str] = []

    def handler(payload: Any) -> Any:
        ran.append(payload["op"])
        return steps.handler(payload, None)

    outcome = run_folder(folder, event, {}, {STEPS_ARN: handler}, engine=engine)  # type: ignore[arg-type]
    return (outcome.status, outcome.result, outcome.error), ran


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("case", sorted(SOURCES))
def test_machine_ends_as_the_handler(compiled: dict[str, tuple[Path, Path]], case: str, engine: str) -> None:
    path, folder = compiled[case]
    for event in INPUTS:
        try:
            status, result, error = on_runtime(path, event)
        finally:
            sys.modules.pop(path.stem, None)
        (got_status, got_result, got_error), _ = _on_machine(folder, event, engine)
        assert (got_status, got_result) == (status, result), json.dumps(event)
        assert got_error == error or (error in ("KeyError", "TypeError") and got_error in EVALUATION[engine]), \
            (event, error, got_error)


@pytest.mark.parametrize("case", ["subscript argument", "argument inside try/except StepError"])
def test_a_missing_argument_never_calls_the_step(compiled: dict[str, tuple[Path, Path]], case: str) -> None:
    (status, _, error), ran = _on_machine(compiled[case][1], {"cents": 1}, "sfnx")
    assert (status, error, ran) == ("FAILED", "States.QueryEvaluationError", [])


def test_a_failing_step_body_is_still_retried(compiled: dict[str, tuple[Path, Path]]) -> None:
    (status, _, error), ran = _on_machine(compiled["subscript argument"][1], {**FULL, "currency": "XXX"}, "sfnx")
    assert (status, error) == ("FAILED", "StepError")
    assert len(ran) == 3  # RetryPresets.transient(): three attempts


def test_arguments_that_cannot_fail_stay_in_the_step(tmp_path: Path) -> None:
    path = tmp_path / "plain_args.py"
    path.write_text(_source('''
    currency = event["currency"]
    return context.step(charge(currency, cents=5))
'''))
    files = compile_file(path).files
    states = json.loads(files["statemachine.asl.json"])["States"]
    tasks = [s for s in states.values() if s["Type"] == "Task"]
    assert [list(t["Arguments"]["Payload"]["vars"]) for t in tasks] == [["currency"]]
    assert "charge(currency, cents=5)(step_ctx)" in files["steps_handler.py"]


def test_arguments_that_may_fail_are_read_before_the_step(compiled: dict[str, tuple[Path, Path]]) -> None:
    text = (compiled["subscript argument"][1] / "steps_handler.py").read_text()
    assert "return charge(_currency" in text and 'event["currency"]' not in text


INVOKE = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.exceptions import InvocationError


@durable_execution
def handler(event: dict, context: DurableContext):
    try:
        out = context.invoke("other", event["id"], name="call-other")
    except InvocationError:
        return "caught"
    return out
'''


def other(event: Any, lambda_context: object) -> Any:
    """The invoked function: fails on "bad"."""
    if event == "bad":
        raise ValueError("bad id")
    return {"got": event}


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("event", [{"id": 1}, {"id": "bad"}, {}], ids=["found", "invoked fails", "missing"])
def test_an_invoke_payload_is_read_before_the_call(tmp_path: Path, event: dict[str, Any], engine: str) -> None:
    path = tmp_path / "invoke_payload.py"
    path.write_text(INVOKE)
    try:
        with DurableFunctionTestRunner(handler=load_handler(path), poll_interval=0.005) as runner:
            runner.register_function("other", other)
            status, result, error = outcome(runner.run(input=json.dumps(event), execution_timeout=60))
    finally:
        sys.modules.pop(path.stem, None)
    write(compile_file(path), tmp_path / "out")
    calls: list[Any] = []
    ran = run_folder(tmp_path / "out", event, functions={"other": lambda p: calls.append(p) or other(p, None)},
                     engine=engine)  # type: ignore[arg-type]
    assert (ran.status, ran.result) == (status, result)
    assert ran.error == error or (error == "KeyError" and ran.error in EVALUATION[engine]), (error, ran.error)
    assert calls == ([] if "id" not in event else [event["id"]])
