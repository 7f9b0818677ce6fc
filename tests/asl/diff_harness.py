"""Run one handler file on our durable runtime and, compiled by to-asl, under run-asl; compare.

Both sides get the same outside world: the functions `context.invoke` names (module functions of the
handler file, see diff_grammar.FUNCTIONS) and the answer of every callback, by its name (`yes-*`
succeeds with `{"v": 5}`, `no-*` fails). The comparison is (status, result, short error type).

A handler to-asl refuses must be refused with a DUR8xx error diagnostic (never a crash, never output);
a handler compiled with a documented deviation (`DEVIATIONS`) is not compared.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from durable_compile.backends.asl.localrun import Answer
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_runtime import compat
from durable_runtime.lambda_service import ErrorObject
from durable_runtime.testing.runner import DurableFunctionTestRunner
from tests.asl.diff_grammar import FUNCTIONS, YES, answers_for

Result = tuple[str, Any, str | None]
#: warnings that announce a documented difference between the runtime and the state machine
#: (DUR823: where an except catches a step, ASL retries on error types only, not on messages)
DEVIATIONS = frozenset({"DUR823"})
#: how many callbacks one run answers at most (a handler in a loop asks again and again)
MAX_ANSWERS = 64


def examples(default: int) -> int:
    """Hypothesis examples for a differential property: `default` (the CI count) times
    `ASL_DIFF_SCALE` (a deep local run: `ASL_DIFF_SCALE=50 pytest tests/asl -k diff`)."""
    return default * int(os.environ.get("ASL_DIFF_SCALE", "1"))


@dataclass(frozen=True)
class Verdict:
    """What happened to one handler: compared (both results), refused (the codes), or skipped."""

    kind: str  #: "compared", "refused" or "deviation"
    runtime: Result | None = None
    asl: Result | None = None
    codes: tuple[str, ...] = ()


def load_module(path: Path) -> Any:
    """The generated file, imported with the AWS SDK's names mapped onto durable_runtime."""
    spec = importlib.util.spec_from_file_location(f"rt_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with compat.aliased():
        spec.loader.exec_module(module)
    return module


def outcome(result: Any) -> Result:
    status = str(getattr(result.status, "value", result.status)).rsplit(".", 1)[-1]
    error = result.error.type.rsplit(".", 1)[-1] if result.error is not None and result.error.type else None
    return status, json.loads(result.result) if result.result else None, error


def on_runtime(path: Path, event: dict[str, Any], answers: Mapping[str, bool]) -> Result:
    module = load_module(path)
    with DurableFunctionTestRunner(handler=module.handler, poll_interval=0.005) as runner:
        for name, function in FUNCTIONS.items():
            runner.register_function(name, getattr(module, function))
        arn = runner.run_async(input=json.dumps(event), execution_timeout=60)
        for _ in range(MAX_ANSWERS):
            try:
                return outcome(runner.wait_for_result(arn, timeout=0))
            except TimeoutError:
                _answer_open(runner, arn, answers)
        return outcome(runner.wait_for_result(arn, timeout=60))


def _answer_open(runner: DurableFunctionTestRunner, arn: str, answers: Mapping[str, bool]) -> None:
    """Answer every callback the execution waits for, as its name says."""
    events = runner.backend.store.events(arn)
    closed = {e.get("Id") for e in events if e["EventType"] in ("CallbackSucceeded", "CallbackFailed")}
    for event in events:
        if event["EventType"] != "CallbackStarted" or event.get("Id") in closed:
            continue
        callback_id = event["CallbackStartedDetails"]["CallbackId"]
        name = str(event.get("Name")).removesuffix(" create callback id")
        if answers.get(name) is True:
            runner.send_callback_success(callback_id, json.dumps(YES()).encode())
        elif answers.get(name) is False:
            runner.send_callback_failure(callback_id, ErrorObject("declined", "Rejected", None, None))


def on_asl(path: Path, event: dict[str, Any], answers: Mapping[str, bool], engine: str,
           compiled: Any) -> Result:
    folder = path.parent / f"{path.stem}_{engine}"
    write(compiled, folder)
    given: dict[str, Answer] = {}
    for name, ok in answers.items():
        answer = Answer(YES()) if ok else Answer(error="Rejected", cause="declined")
        given[name] = given[f"{name} create callback id"] = answer
    module = load_module(path)
    functions = {name: (lambda f: lambda event: f(event, None))(getattr(module, function))
                 for name, function in FUNCTIONS.items()}
    done = run_folder(folder, event, given, functions, engine=engine)  # type: ignore[arg-type]
    return done.status, done.result, done.error


def judge(source: str, event: dict[str, Any], tmp: Path, name: str, engines: tuple[str, ...]) -> Verdict:
    """Compile and run `source` as module `name` in `tmp`; assert the verdict's property."""
    path = tmp / f"{name}.py"
    path.write_text(source)
    try:
        compiled = compile_file(path)
        errors = [d for d in compiled.diagnostics if d.severity.value == "error"]
        if not compiled.ok:
            assert errors and all(d.code.startswith("DUR8") for d in errors), [(d.code, d.message) for d in errors]
            return Verdict("refused", codes=tuple(sorted({d.code for d in errors})))
        codes = tuple(sorted({d.code for d in compiled.diagnostics}))
        if DEVIATIONS & set(codes):
            return Verdict("deviation", codes=codes)
        answers = answers_for(source)
        expected = on_runtime(path, event, answers)
        for engine in engines:
            actual = on_asl(path, event, answers, engine, compiled)
            assert actual == expected, f"{engine}: {actual} != runtime {expected}\n{source}"
        return Verdict("compared", expected, expected, codes)
    finally:
        sys.modules.pop(path.stem, None)
