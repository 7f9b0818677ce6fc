"""Source locations: errors leaving a durable call, log records and operation records name file:line.

Each behaviour is checked on the handler as written (run directly on durable_runtime) and, where the
compiler accepts the handler, on the module `to-python` generates from it (which must name the original
file and line, not its own).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_runtime import compat, sources
from durable_runtime.lambda_service import ErrorObject
from durable_runtime.local import LocalRuntime
from durable_runtime.testing import DurableFunctionTestRunner
from tests.python_backend.support import compile_source, handler_source, load_original, load_text

HEAD = """from aws_durable_execution_sdk_python import durable_execution, StepError
from aws_durable_execution_sdk_python.config import Duration, StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets

NO_RETRY = StepConfig(retry_strategy=RetryPresets.none())


def explode(_):
    raise ValueError("bad order")
"""

CAUGHT = """try:
    context.step(explode, name="explode", config=NO_RETRY)
except StepError as err:
    notes = list(err.__notes__)
context.wait(Duration.from_seconds(1), name="pause")
return notes"""


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


def both(body: str, tmp_path: Path, head: str = HEAD) -> list[tuple[Any, str, int]]:
    """(handler, the file its locations must name, the 1-based line of `needle`) for the original and the
    generated module; the needle is the body's first line with `context.`."""
    text = handler_source(body, head)
    needle = next(line for line in body.splitlines() if "context." in line).strip()
    original = load_original(text, tmp_path)
    generated = load_text(compile_source(text, "flow.py").text, tmp_path)
    return [
        (original.handler, str(original.__file__), line_of(text, needle)),
        (generated.handler, "flow.py", line_of(text, needle)),
    ]


def run(handler: Any, event: Any = None) -> Any:
    with DurableFunctionTestRunner(handler) as runner:
        result = runner.run(input=json.dumps(event or {}), execution_timeout=60)
        assert result.status.name == "SUCCEEDED", result.error
        return json.loads(result.result)


def test_a_failed_step_names_its_line_first_and_on_replay(tmp_path: Path) -> None:
    for handler, file, line in both(CAUGHT, tmp_path):
        # returned by the second invocation, where the failed step replays from its checkpoint
        assert run(handler) == [f"durable operation Step 'explode' at {file}:{line}"]


def test_the_error_keeps_the_original_message_and_carries_the_location(tmp_path: Path) -> None:
    body = (
        'try:\n    context.step(explode, name="explode", config=NO_RETRY)\nexcept StepError as err:\n'
        "    return [err.message, str(err), err.durable_source[1]]"
    )
    for handler, _, line in both(body, tmp_path):
        assert run(handler) == ["bad order", "bad order", line]


def test_a_non_deterministic_replay_names_the_line_that_changed(tmp_path: Path) -> None:
    head = HEAD + "\nSEEN = []\nNOTES = []\n"
    body = """SEEN.append(1)
try:
    context.step(lambda _: 1, name="first" if len(SEEN) == 1 else "renamed")
except Exception as error:
    NOTES.extend(error.__notes__)
    raise
context.wait(Duration.from_seconds(1), name="pause")
return 1"""
    text = handler_source(body, head)
    module = load_original(text, tmp_path)
    with DurableFunctionTestRunner(module.handler) as runner:
        result = runner.run(input="{}", execution_timeout=60)
    assert result.error is not None and "Non-deterministic" in (result.error.message or "")
    assert module.NOTES == [f"durable operation Step 'renamed' at {module.__file__}:{line_of(text, 'renamed')}"]


def test_a_failed_callback_names_the_result_call(tmp_path: Path) -> None:
    head = HEAD + "from aws_durable_execution_sdk_python.exceptions import CallbackError\n"
    body = """callback = context.create_callback(name="approve")
try:
    return callback.result()
except CallbackError as error:
    return error.__notes__"""
    text = handler_source(body, head)
    module = load_original(text, tmp_path)
    with DurableFunctionTestRunner(module.handler) as runner:
        arn = runner.run_async(input="{}", execution_timeout=60)
        runner.send_callback_failure(runner.wait_for_callback(arn, name="approve"), ErrorObject("no", "No", None, None))
        result = runner.wait_for_result(arn, timeout=60)
    line = line_of(text, "callback.result()")
    assert json.loads(result.result) == [f"durable operation Callback 'approve' result() at {module.__file__}:{line}"]


LOGGING = (
    HEAD
    + """

@durable_step
def priced(step_ctx, n):
    step_ctx.logger.info("pricing")
    return n * 2
"""
)


def test_log_records_name_the_line_that_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    head = LOGGING.replace("import durable_execution,", "import durable_execution, durable_step,")
    body = 'context.logger.info("starting")\nreturn context.step(priced(1))'
    for handler, file, line in both(body, tmp_path, head):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="durable_runtime.user"):
            assert run(handler) == 2
        records = {r.getMessage(): r for r in caplog.records}
        step_line = line_of(handler_source(body, head), 'step_ctx.logger.info("pricing")')
        assert records["starting"].sourceLocation == f"{file}:{line}"  # type: ignore[attr-defined]
        assert records["pricing"].sourceLocation == f"{file}:{step_line}"  # type: ignore[attr-defined]
        module_file = sys.modules[handler.__module__].__file__
        assert [r.pathname for r in records.values()] == [module_file, module_file]  # the caller's, not ours


def test_operation_records_keep_the_location_beside_the_aws_shaped_history(tmp_path: Path) -> None:
    text = handler_source(
        'a = context.step(lambda _: 1, name="a")\ncontext.wait(Duration.from_seconds(1))\nreturn a', HEAD
    )
    (tmp_path / "flow.py").write_text(text)
    runtime = LocalRuntime(tmp_path / "state.db", skip_time=True)
    with compat.aliased():  # the file imports the AWS SDK: map it here for this test only
        arn = runtime.start(tmp_path / "flow.py", "handler", "{}")
        assert runtime.drive(arn) is not None
    events = runtime.store.events(arn)
    assert events and all("Source" not in event for event in events)  # the stored events are AWS's shape
    located = runtime.locations(arn)
    operations = runtime.store.load_operations(arn)
    by_name = {op.name: located[op.operation_id] for op in operations.values() if op.operation_id in located}
    file = str((tmp_path / "flow.py").resolve())
    assert by_name == {
        "flow": (file, line_of(text, "@durable_execution")),
        "a": (file, line_of(text, 'name="a"')),
        None: (file, line_of(text, "context.wait")),
    }
    runtime.close()


def test_the_in_memory_runner_locates_only_tagged_calls(tmp_path: Path) -> None:
    """Walking frames is kept off the in-memory hot path: only generated modules' tags are recorded."""
    body = 'return context.step(lambda _: 1, name="a")'
    for handler, file, line in both(body, tmp_path):
        with DurableFunctionTestRunner(handler) as runner:
            runner.run(input="{}", execution_timeout=60)
            arn = runner.backend.store.list_executions()[0].arn
            ops = runner.backend.store.load_operations(arn).values()
            found = {sources.of_record(op.extra) for op in ops if op.name == "a"}
        assert found == ({("flow.py", line)} if file == "flow.py" else {None})


def test_locating_never_walks_into_the_runtime() -> None:
    assert sources.caller() == (__file__, line_of(Path(__file__).read_text(), "assert sources.caller() =="))
    with sources.walking():
        assert sources.starting() is not None
    assert sources.starting() is None  # no tag, no walk


OTHER_FAILURES = {
    "invoke": ('context.invoke("pricing", {"sku": 1}, name="price")', "ChainedInvoke 'price'", "InvokeError"),
    "wait_for_condition": (
        'context.wait_for_condition(check, WaitForConditionConfig(wait_strategy=done, initial_state=0), name="poll")',
        "WaitForCondition 'poll'",
        "WaitForConditionError",
    ),
}


@pytest.mark.parametrize("kind", sorted(OTHER_FAILURES))
def test_other_failed_operations_name_their_line(kind: str, tmp_path: Path) -> None:
    call, what, error = OTHER_FAILURES[kind]
    head = (
        "from aws_durable_execution_sdk_python import durable_execution\n"
        "from aws_durable_execution_sdk_python.exceptions import InvokeError, WaitForConditionError\n"
        "from aws_durable_execution_sdk_python.waits import WaitForConditionConfig, WaitForConditionDecision\n\n\n"
        "def check(state, ctx):\n    raise ValueError('sensor down')\n\n\n"
        "def done(state, attempt):\n    return WaitForConditionDecision.stop_polling()\n"
    )
    text = handler_source(f"try:\n    {call}\nexcept {error} as err:\n    return err.__notes__", head)
    module = load_original(text, tmp_path)

    def pricing(event: Any, context: Any) -> Any:
        raise LookupError("no price")

    with DurableFunctionTestRunner(module.handler) as runner:
        runner.register_function("pricing", pricing)
        result = runner.run(input="{}", execution_timeout=60)
    assert json.loads(result.result) == [f"durable operation {what} at {module.__file__}:{line_of(text, call)}"]


def test_an_invoked_durable_function_names_its_own_definition(tmp_path: Path) -> None:
    text = (
        "from aws_durable_execution_sdk_python import durable_execution\n\n\n"
        "@durable_execution\ndef pricing(event, context):\n"
        '    return context.step(lambda _: event["n"] * 2, name="double")\n\n\n'
        "@durable_execution\ndef handler(event, context):\n"
        '    return context.invoke("pricing", {"n": 2}, name="price")\n'
    )
    (tmp_path / "chain.py").write_text(text)
    runtime = LocalRuntime(tmp_path / "state.db", skip_time=True)
    with compat.aliased():
        arn = runtime.start(tmp_path / "chain.py", "handler", "{}")
        assert runtime.drive(arn).status == "SUCCEEDED"  # type: ignore[union-attr]
    [child] = [r for r in runtime.executions() if r.parent is not None]
    located = runtime.locations(child.arn)
    file = str((tmp_path / "chain.py").resolve())
    assert located[child.arn.rsplit("/", 1)[-1]] == (file, line_of(text, "def pricing") - 1)  # its decorator
    assert sorted(located.values())[-1] == (file, line_of(text, 'name="double"'))
    runtime.close()
