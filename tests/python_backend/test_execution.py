"""The generated module means what the original handler means.

For every sample run and every backend case: the original handler on our runtime and the generated
module on our runtime produce the same status, result, error type, history events and operations (the
guard in strict mode all along); the original on AWS's local runner agrees on status, result, error type,
each operation's events and the final operation statuses (AWS interleaves batch branches on threads, so
the global event order is not compared with it, as in tests/runtime/test_samples_differential.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.python_backend.support import CASES, OURS, ROOT, compile_file, load_original, load_text, run_on
from tests.runtime.sdk import AWS
from tests.samples import sample_catalogue as catalogue

RUNS = catalogue.all_runs()


class Loaded:
    """One sample (or case) loaded three ways, with its invoke targets loaded the same way."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.modules: dict[tuple[str, Path], ModuleType] = {}

    def module(self, how: str, path: Path) -> ModuleType:
        key = (how, path)
        if key not in self.modules:
            if how == "generated":
                self.modules[key] = load_text(compile_file(path).text, self.folder, path.stem)
            elif how == "original-ours":
                self.modules[key] = load_original(path.read_text(), self.folder, path.stem)
            else:
                self.modules[key] = load_text(path.read_text(), self.folder, path.stem)
        return self.modules[key]

    def run(self, how: str, run: Any) -> dict[str, Any]:
        root = AWS if how == "original-aws" else OURS
        module = self.module(how, catalogue.SAMPLES / f"{run.sample}.py")
        functions = {}
        for name, spec in run.invoke_functions.items():
            sample, function = spec["target"].split(":")
            target = getattr(self.module(how, catalogue.SAMPLES / f"{sample}.py"), function)
            functions[name] = (target, spec["durable"])
        return run_on(root, getattr(module, run.handler), catalogue.load_input(run.sample),
                      callbacks=run.callbacks, functions=functions)


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "events"}


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.id)
def test_generated_sample_runs_like_the_original(run: Any, tmp_path: Path) -> None:
    loaded = Loaded(tmp_path)
    generated = loaded.run("generated", run)
    original = loaded.run("original-ours", run)
    assert generated == original
    assert (generated["status"], generated["result"], generated["error_type"]) == (
        run.status, run.result, run.error_type)
    pytest.importorskip("aws_durable_execution_sdk_python_testing")
    assert comparable(loaded.run("original-aws", run)) == comparable(generated)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_generated_case_runs_like_the_original(path: Path, tmp_path: Path) -> None:
    event = json.loads(path.with_name(path.stem + ".input.json").read_text())
    generated = load_text(compile_file(path).text, tmp_path, path.stem)
    original = load_original(path.read_text(), tmp_path, path.stem)
    ours = run_on(OURS, generated.handler, event)
    assert ours == run_on(OURS, original.handler, event)
    pytest.importorskip("aws_durable_execution_sdk_python_testing")
    theirs = run_on(AWS, load_text(path.read_text(), tmp_path, path.stem).handler, event)
    assert comparable(theirs) == comparable(ours)


def test_cases_are_read_from_the_repository() -> None:
    assert RUNS and (ROOT / "samples").is_dir() and CASES
