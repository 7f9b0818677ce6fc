"""Every sample in samples/ runs on AWS's local runner and on ours (imported unedited, its AWS SDK
imports mapped onto durable_runtime): status, result, error type, each operation's events in order and
the final operation statuses must be identical, and both must match the sample's expected file."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from durable_runtime import compat
from tests.runtime.runners import error_object, runner_class, summarize
from tests.runtime.sdk import AWS, OURS

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def _catalogue() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_catalogue_rt", ROOT / "tests/samples/sample_catalogue.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


CATALOGUE = _catalogue() if (ROOT / "tests/samples/sample_catalogue.py").exists() else None
RUNS = CATALOGUE.all_runs() if CATALOGUE else []
_MODULES: dict[tuple[str, str], ModuleType] = {}


def _load(root: str, sample: str) -> ModuleType:
    key = (root, sample)
    if key not in _MODULES:
        spec = importlib.util.spec_from_file_location(f"rt_sample_{root[:3]}_{sample}", SAMPLES / f"{sample}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        if root == OURS:
            with compat.aliased():
                spec.loader.exec_module(module)
        else:
            spec.loader.exec_module(module)
        _MODULES[key] = module
    return _MODULES[key]


def _target(root: str, target: str) -> Any:
    module, function = target.split(":")
    return getattr(_load(root, module), function)


def _execute(root: str, run: Any) -> dict[str, Any]:
    handler = getattr(_load(root, run.sample), run.handler)
    with runner_class(root)(handler=handler, poll_interval=0.005) as runner:
        for name, spec in run.invoke_functions.items():
            register = runner.register_durable_function if spec["durable"] else runner.register_function
            register(name, _target(root, spec["target"]))
        arn = runner.run_async(input=json.dumps(CATALOGUE.load_input(run.sample)), execution_timeout=120)
        for callback in run.callbacks:
            callback_id = runner.wait_for_callback(arn, name=callback.name, timeout=60)
            if callback.action == "succeed":
                runner.send_callback_success(callback_id, json.dumps(callback.payload).encode())
            else:
                payload = callback.payload
                runner.send_callback_failure(
                    callback_id, error_object(root, payload["error_type"], payload["error_message"])
                )
        result = runner.wait_for_result(arn, timeout=120)
        return summarize(result, runner.get_execution_history(arn).events)


def test_our_sample_modules_use_our_runtime() -> None:
    assert RUNS, "samples/ has no runnable sample"
    module = _load(OURS, RUNS[0].sample)
    handler = getattr(module, RUNS[0].handler)
    assert hasattr(handler, "__durable_handler__")


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.id)
def test_sample_runs_the_same_on_both_runners(run: Any) -> None:
    ours = _execute(OURS, run)
    assert (ours["status"], ours["result"], ours["error_type"]) == (run.status, run.result, run.error_type)
    theirs = _execute(AWS, run)
    # AWS runs batch branches on threads, so with max_concurrency > 1 the interleaving of different
    # operations' events varies from run to run; each operation's own events and the final operation
    # statuses do not. (Our runtime runs branches in index order, deterministically.)
    ours.pop("events"), theirs.pop("events")
    assert ours == theirs
