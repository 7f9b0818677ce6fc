"""Ground truth for samples/*.expected.json: every sample runs on AWS's own local runner.

Each run starts the handler in `DurableFunctionTestRunner` (aws-durable-execution-sdk-python-testing,
time skipped, in-memory store, no network), registers the functions the handler invokes, answers
its callbacks in the order the expected file lists them, and compares status, result and error type
with the expected file. This is the only module that imports sample files.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from types import ModuleType
from typing import Any

import pytest
from aws_durable_execution_sdk_python.lambda_service import ErrorObject
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner
from sample_catalogue import SAMPLES, Callback, Run, all_runs, load_input

# Generous bounds for a loaded 2-core machine; a healthy run takes well under a second.
EXECUTION_TIMEOUT_S = 120
CALLBACK_TIMEOUT_S = 60
POLL_INTERVAL_S = 0.005

_MODULES: dict[str, ModuleType] = {}


def _load(sample: str) -> ModuleType:
    """Import samples/SAMPLE.py under a private module name (once per test process)."""
    if sample not in _MODULES:
        spec = importlib.util.spec_from_file_location(f"aws_sample_{sample}", SAMPLES / f"{sample}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULES[sample] = module
    return _MODULES[sample]


def _resolve(target: str) -> Any:
    module, function = target.split(":")
    return getattr(_load(module), function)


def _answer(runner: DurableFunctionTestRunner, arn: str, callback: Callback) -> None:
    callback_id = runner.wait_for_callback(arn, name=callback.name, timeout=CALLBACK_TIMEOUT_S)
    if callback.action == "succeed":
        runner.send_callback_success(callback_id, json.dumps(callback.payload).encode())
        return
    error = ErrorObject(
        message=callback.payload["error_message"],
        type=callback.payload["error_type"],
        data=None,
        stack_trace=None,
    )
    runner.send_callback_failure(callback_id, error)


def _execute(run: Run) -> Any:
    handler = getattr(_load(run.sample), run.handler)
    with DurableFunctionTestRunner(handler=handler, poll_interval=POLL_INTERVAL_S) as runner:
        for name, spec in run.invoke_functions.items():
            if spec["durable"]:
                runner.register_durable_function(name, _resolve(spec["target"]))
            else:
                runner.register_function(name, _resolve(spec["target"]))
        arn = runner.run_async(input=json.dumps(load_input(run.sample)), execution_timeout=EXECUTION_TIMEOUT_S)
        for callback in run.callbacks:
            _answer(runner, arn, callback)
        return runner.wait_for_result(arn, timeout=EXECUTION_TIMEOUT_S)


@pytest.fixture(autouse=True)
def _quiet_sdk_logs() -> Any:
    """The SDK logs every failed step with its traceback; expected failures are not news."""
    quiet = [
        logging.getLogger(name)
        for name in ("aws_durable_execution_sdk_python", "aws_durable_execution_sdk_python_testing")
    ]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(quiet, levels, strict=True):
        logger.setLevel(level)


@pytest.mark.parametrize("run", all_runs(), ids=lambda run: run.id)
def test_sample_outcome_on_aws_runner_matches_expected_file(run: Run) -> None:
    outcome = _execute(run)
    error = outcome.error
    actual = {
        "status": outcome.status.name,
        "result": json.loads(outcome.result) if outcome.result is not None else None,
        # The wire type is the fully qualified class name; expected files hold the class name.
        "error_type": error.type.rsplit(".", 1)[-1] if error is not None and error.type else None,
    }
    assert actual == {"status": run.status, "result": run.result, "error_type": run.error_type}
