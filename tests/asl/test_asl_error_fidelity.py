"""A caught step failure reads the same `err.error_type` and `err.message` on the durable runtime and,
compiled by to-asl, under both local interpreters: the type the SDK records (bare for builtins,
`module.QualName` otherwise, the module being the handler file's import name), not only the class name.

The steps function reports a step body's failure under that name (Lambda reports a class's own name),
and retriers match it: `retryable_error_types=[Declined]` retries `module.Declined` and its subclasses (the
SDK tests isinstance), and `[JSONDecodeError]` imported from `json` (which re-exports it from json.decoder)
retries it too.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.error_names import qualified_type
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime import compat
from durable_runtime.testing.runner import DurableFunctionTestRunner

SOURCE = '''import json
from json import JSONDecodeError

from aws_durable_execution_sdk_python import DurableContext, StepContext, StepError, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets, RetryStrategyConfig, create_retry_strategy

ONCE = StepConfig(retry_strategy=RetryPresets.none())


class Declined(Exception):
    """A user error class of the handler's module."""


class SoftDecline(Declined):
    """A subclass: a retrier on Declined retries it, as the SDK's isinstance test does."""


class Gateway:
    class Timeout(Exception):
        """A nested class: its qualified name has two parts."""


ON_DECLINED = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=2, initial_delay=Duration.from_seconds(1), retryable_error_types=[Declined])))
ON_DECODE = StepConfig(retry_strategy=create_retry_strategy(RetryStrategyConfig(
    max_attempts=2, initial_delay=Duration.from_seconds(1), retryable_error_types=[JSONDecodeError])))


@durable_step
def fail(step_ctx: StepContext, kind: str) -> str:
    if kind == "value":
        raise ValueError("bad value")
    if kind == "key":
        return {}["missing"]
    if kind == "declined":
        raise Declined("card declined")
    if kind == "nested":
        raise Gateway.Timeout("gateway timed out")
    if kind == "json":
        return json.loads("{oops")
    if kind == "empty":
        raise Declined()
    return "fine"


@durable_step
def flaky(step_ctx: StepContext, kind: str) -> str:
    """Fails on the first attempt only: a retrier that matches the error lets the second one succeed."""
    if step_ctx.attempt == 1:
        if kind == "declined":
            raise Declined("first attempt")
        if kind == "soft":
            raise SoftDecline("first attempt")
        return json.loads("{oops")
    return f"attempt {step_ctx.attempt}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    try:
        context.step(fail(event["kind"]), name="fail", config=ONCE)
    except StepError as err:
        caught = {"type": err.error_type, "message": err.message}
    else:
        caught = None
    retried = context.step(flaky("declined"), name="retried", config=ON_DECLINED)
    subclass = context.step(flaky("soft"), name="subclass", config=ON_DECLINED)
    try:
        context.step(flaky("json"), name="not-retried", config=ON_DECLINED)
    except StepError as err:
        not_retried = err.error_type
    uncaught = context.step(flaky(event.get("flaky", "json")), name="uncaught", config=ON_DECODE)
    return {"caught": caught, "retried": retried, "subclass": subclass, "not_retried": not_retried,
            "uncaught": uncaught}
'''
COUNTER = itertools.count()


def run_both(tmp: Path, event: dict[str, Any], engine: str) -> tuple[str, Any, Any]:
    """(the module's import name, the runtime's (status, result, error type), run-asl's), the runtime
    loading the file under its import name, as Lambda and the steps function do."""
    stem = f"fidelity_{next(COUNTER)}"
    path = tmp / f"{stem}.py"
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location(stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        with compat.aliased():
            spec.loader.exec_module(module)
        with DurableFunctionTestRunner(handler=module.handler, poll_interval=0.005) as runner:
            result = runner.run(input=json.dumps(event), execution_timeout=60)
        error = result.error.type.rsplit(".", 1)[-1] if result.error is not None else None
        expected = (str(result.status.value), json.loads(result.result) if result.result else None, error)
        compiled = compile_file(path)
        assert compiled.ok
        write(compiled, tmp / f"{stem}_asl")
        outcome = run_folder(tmp / f"{stem}_asl", event, engine=engine)  # type: ignore[arg-type]
        return stem, expected, (outcome.status, outcome.result, outcome.error)
    finally:
        sys.modules.pop(stem, None)


#: what the caught step failure reads on both sides (`{module}` is the handler file's import name)
CAUGHT = {
    "value": {"type": "ValueError", "message": "bad value"},
    "key": {"type": "KeyError", "message": "'missing'"},
    "declined": {"type": "{module}.Declined", "message": "card declined"},
    "nested": {"type": "{module}.Gateway.Timeout", "message": "gateway timed out"},
    "json": {"type": "json.decoder.JSONDecodeError",
             "message": "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"},
    "empty": {"type": "{module}.Declined", "message": ""},
    "none": None,
}


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
@pytest.mark.parametrize("kind", sorted(CAUGHT))
def test_caught_errors_read_the_same_type_and_message(tmp_path: Path, kind: str, engine: str) -> None:
    module, expected, actual = run_both(tmp_path, {"kind": kind}, engine)
    assert actual == expected
    want = CAUGHT[kind]
    assert expected[1]["caught"] == (want and {**want, "type": want["type"].format(module=module)})
    assert expected[1]["retried"] == expected[1]["subclass"] == expected[1]["uncaught"] == "attempt 2"
    assert expected[1]["not_retried"] == "json.decoder.JSONDecodeError"


@pytest.mark.parametrize("engine", ["sfnx", "moto"])
def test_an_error_the_retrier_does_not_match_fails_the_execution_with_step_error(tmp_path: Path, engine: str) -> None:
    _, expected, actual = run_both(tmp_path, {"kind": "none", "flaky": "declined"}, engine)
    assert actual == expected == ("FAILED", None, "StepError")


MODULE = '''import errors
import pkg.sub as alias
from errors import Declined as Refused


class Local(Exception):
    class Inner(Exception):
        pass
'''


@pytest.mark.parametrize(("written", "recorded"), [
    ("ValueError", "ValueError"),
    ("Local", "flow.Local"),
    ("Local.Inner", "flow.Local.Inner"),
    ("Refused", "errors.Declined"),
    ("errors.Declined", "errors.Declined"),
    ("alias.Timeout", "pkg.sub.Timeout"),
    ("unknown.Thing", "unknown.Thing"),
])
def test_classes_are_named_as_the_sdk_records_them(written: str, recorded: str) -> None:
    assert qualified_type(MODULE, "flow", written) == recorded
