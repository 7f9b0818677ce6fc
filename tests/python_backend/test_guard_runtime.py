"""The guard in generated modules on our runtime: violations fail the execution, naming the source line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.python_backend.support import OURS, compile_source, handler_source, load_text, run_on

HEAD = """import time
import uuid
from aws_durable_execution_sdk_python import durable_execution, durable_step, durable_with_child_context

@durable_with_child_context
def child(ctx, n):
    return {"n": n, "id": str(uuid.uuid4())}
"""


def outcome(body: str, tmp_path: Path, mode: str = "strict") -> dict:
    module = load_text(compile_source(handler_source(body, HEAD), "flow.py", mode).text, tmp_path)
    return run_on(OURS, module.handler, {})


def test_a_clock_read_in_orchestration_fails_the_execution(tmp_path: Path) -> None:
    result = outcome('started = time.time()\nreturn context.step(lambda _: 1, name="one")', tmp_path)
    assert (result["status"], result["error_type"]) == ("FAILED", "DeterminismViolation")


def test_the_same_read_inside_a_step_is_fine(tmp_path: Path) -> None:
    result = outcome('return context.step(lambda _: time.time() > 0, name="clock")', tmp_path)
    assert (result["status"], result["result"]) == ("SUCCEEDED", True)


def test_child_context_functions_are_orchestration_too(tmp_path: Path) -> None:
    result = outcome("return context.run_in_child_context(child(1))", tmp_path)
    # the runtime reports a failed child context as AWS does, as a ChildContextError
    assert (result["status"], result["error_type"]) == ("FAILED", "ChildContextError")


def test_the_replay_aware_logger_is_allowed(tmp_path: Path) -> None:
    result = outcome('context.logger.info("starting")\nreturn context.step(lambda _: 2, name="two")', tmp_path)
    assert (result["status"], result["result"]) == ("SUCCEEDED", 2)


@pytest.mark.parametrize("mode", ["warn", "off"])
def test_warn_and_off_let_the_execution_finish(mode: str, tmp_path: Path) -> None:
    result = outcome("return context.run_in_child_context(child(3))", tmp_path, mode)
    assert result["status"] == "SUCCEEDED" and result["result"]["n"] == 3


def test_the_violation_names_the_call_and_the_original_line(tmp_path: Path) -> None:
    from durable_runtime.guard import DeterminismViolation

    module = load_text(compile_source(handler_source("x = 1\nreturn str(uuid.uuid4())", HEAD), "flow.py").text,
                       tmp_path)
    with pytest.raises(DeterminismViolation) as caught:
        module.handler.__wrapped__({}, None) if hasattr(module.handler, "__wrapped__") else None
    assert (caught.value.call, caught.value.path, caught.value.line) == ("uuid.uuid4", "flow.py", 13)


def test_the_runtime_records_the_source_line_of_each_tagged_operation(tmp_path: Path) -> None:
    from durable_runtime import sources
    from durable_runtime.testing.runner import DurableFunctionTestRunner

    body = 'a = context.step(lambda _: 1, name="a")\nb = context.step(lambda _: 2, name="b")\nreturn a + b'
    module = load_text(compile_source(handler_source(body, HEAD), "flow.py").text, tmp_path)
    with DurableFunctionTestRunner(handler=module.handler) as runner:
        result = runner.run(input="{}")
        (execution,) = runner.backend.store.list_executions()
        operations = runner.backend.store.load_operations(execution.arn).values()
        located = sorted(loc for op in operations if (loc := sources.of_record(op.extra)) is not None)
    assert result.result == "3" and located == [("flow.py", 12), ("flow.py", 13)]
