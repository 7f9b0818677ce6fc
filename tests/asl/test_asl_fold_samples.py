"""The fold on the samples: each sample's machine, folded and not, runs the same on sfnx.testing, and the
folded one ends as the handler does on the durable runtime.

Inputs: the sample's own input, and that input with each top-level key missing in turn (so that the
handler's `event["key"]` fails where it is read: a fold must keep that failure where it was, before the
same calls and outside the same retriers and catchers). Folded and unfolded machines must agree on the
status, the result, the error and every Lambda call (operation and attempt, in order). The durable
runtime must agree on the status and the result, and on the error type, where Python's `KeyError`
or `TypeError` raised in orchestration code is the state machine's `States.QueryEvaluationError`
(docs/aws-differences.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from durable_compile.backends.asl.emit_support import STEPS_ARN
from durable_compile.backends.asl.localrun.folder import load_steps, run_folder
from durable_compile.backends.asl.package import compile_file, write
from tests.asl.test_asl_compile import RUNS, SAMPLES, answers, expected
from tests.asl.test_asl_differential import on_runtime

#: samples whose handler runs on the runtime without callback answers or invoked functions
NO_CALLBACKS = [name for name in RUNS if not expected(name)["callbacks"] and not expected(name)["invoke_functions"]]
#: Python errors the state machine reports as a failed JSONata evaluation
EVALUATION = {"KeyError": "States.QueryEvaluationError", "TypeError": "States.QueryEvaluationError"}


def inputs(name: str) -> list[dict[str, Any]]:
    event = json.loads((SAMPLES / f"{name}.input.json").read_text())
    return [event, *({k: v for k, v in event.items() if k != key} for key in event)]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    """(sample, folded) -> the compiled folder."""
    out = {}
    for name in RUNS:
        for folded in (True, False):
            folder = tmp_path_factory.mktemp(f"{name}_{'folded' if folded else 'plain'}")
            if folded:
                compiled = compile_file(SAMPLES / f"{name}.py")
            else:
                with mock.patch("durable_compile.backends.asl.emit.fold", lambda definition, source_map: None):
                    compiled = compile_file(SAMPLES / f"{name}.py")
            assert compiled.ok, [d.message for d in compiled.diagnostics]
            write(compiled, folder)
            out[name, folded] = folder
    return out


def run_logged(folder: Path, event: dict[str, Any], name: str) -> tuple[Any, ...]:
    """(status, result, error, calls) of the folder's machine on sfnx; a call is (op, attempt)."""
    steps = load_steps(folder)
    calls: list[tuple[Any, Any]] = []

    def handler(payload: Any) -> Any:
        calls.append((payload.get("op"), payload.get("attempt")))
        return steps.handler(payload, None)

    outcome = run_folder(folder, event, answers(expected(name)), {STEPS_ARN: handler}, engine="sfnx")
    return outcome.status, outcome.result, outcome.error, calls


@pytest.mark.parametrize("name", RUNS)
def test_folded_and_unfolded_machines_run_the_same(name: str, folders: dict[tuple[str, bool], Path]) -> None:
    for event in inputs(name):
        folded = run_logged(folders[name, True], event, name)
        assert folded == run_logged(folders[name, False], event, name), event


@pytest.mark.parametrize("name", NO_CALLBACKS)
def test_folded_machine_ends_as_the_handler(name: str, folders: dict[tuple[str, bool], Path]) -> None:
    for event in inputs(name):
        status, result, error = on_runtime(SAMPLES / f"{name}.py", event)
        folded = run_logged(folders[name, True], event, name)
        assert folded[:3] == (status, result, EVALUATION.get(error or "", error)), event
