"""Helpers for the Python backend tests: compile a source, load the generated module, run handlers."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from durable_compile import api
from durable_compile.backends.python import Emitted, Options
from durable_compile.source import SourceFile
from durable_runtime import compat
from tests.runtime.runners import error_object, runner_class, summarize
from tests.runtime.sdk import OURS

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
INPUTS = ROOT / "tests" / "golden" / "inputs"
CASES = sorted(p.with_name(p.name.removesuffix(".input.json") + ".py") for p in INPUTS.glob("*.input.json"))
#: every sample and golden input with a handler: what the backend must compile
COMPILABLE = [p for p in sorted(SAMPLES.glob("*.py")) + sorted(INPUTS.glob("*.py")) if api.lower_file(p).handlers]
_names = itertools.count(1)

HEAD = """from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step, StepError
from aws_durable_execution_sdk_python import ParallelBranch, durable_with_child_context
from aws_durable_execution_sdk_python.config import Duration

@durable_step
def work(step_ctx, n):
    return n
"""


def handler_source(body: str, head: str = HEAD) -> str:
    """A module with `head` and `@durable_execution def handler(event, context):` around `body`."""
    lines = "\n".join("    " + line if line else "" for line in body.strip("\n").splitlines())
    return f"{head}\n\n@durable_execution\ndef handler(event, context):\n{lines}\n"


def compile_source(text: str, path: str = "handler.py", mode: str = "strict") -> Emitted:
    lowered = api.lower_source(SourceFile(path, text))
    assert not lowered.diagnostics, lowered.diagnostics
    emitted = api.emit_python(lowered, Options(mode=mode))
    assert not emitted.diagnostics, emitted.diagnostics
    return emitted


def compile_file(path: Path, mode: str = "strict") -> Emitted:
    relative = path.resolve().relative_to(ROOT).as_posix()
    return compile_source(path.read_text(), relative, mode)


def load_text(text: str, folder: Path, stem: str = "generated") -> ModuleType:
    """Import module text from a file in `folder` under a fresh module name."""
    name = f"dc_test_{stem}_{next(_names)}"
    path = folder / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_original(text: str, folder: Path, stem: str = "original") -> ModuleType:
    """Import an original (AWS SDK) handler module onto our runtime."""
    with compat.aliased():
        return load_text(text, folder, stem)


def run_on(root: str, handler: Any, event: Any, *, callbacks: tuple[Any, ...] = (),
           functions: dict[str, tuple[Any, bool]] | None = None) -> dict[str, Any]:
    """Run a handler to its end on a runner (ours or AWS's) and summarise the outcome."""
    with runner_class(root)(handler=handler, poll_interval=0.005) as runner:
        for name, (target, durable) in (functions or {}).items():
            (runner.register_durable_function if durable else runner.register_function)(name, target)
        arn = runner.run_async(input=json.dumps(event), execution_timeout=120)
        for callback in callbacks:
            callback_id = runner.wait_for_callback(arn, name=callback.name, timeout=60)
            if callback.action == "succeed":
                runner.send_callback_success(callback_id, json.dumps(callback.payload).encode())
            else:
                payload = callback.payload
                error = error_object(root, payload["error_type"], payload["error_message"])
                runner.send_callback_failure(callback_id, error)
        result = runner.wait_for_result(arn, timeout=120)
        return summarize(result, runner.get_execution_history(arn).events)


__all__ = ["OURS", "compile_file", "compile_source", "handler_source", "load_original", "load_text", "run_on"]
