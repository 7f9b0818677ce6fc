"""The test runner mirror: AWS's constructor, methods and result accessors, on our runtime."""

from __future__ import annotations

import json
from typing import Any

from durable_runtime import DurableContext, durable_execution, durable_with_child_context
from durable_runtime.config import CallbackConfig, Duration
from durable_runtime.lambda_service import ErrorObject, OperationStatus
from durable_runtime.testing import DurableChildContextTestRunner, DurableFunctionTestRunner


@durable_execution
def workflow(event: dict, context: DurableContext) -> dict:
    context.wait(Duration.from_seconds(30), name="pause")
    inner = context.run_in_child_context(lambda c: c.step(lambda _: event["n"] * 2, name="double"), name="kid")
    callback = context.create_callback(name="approval", config=CallbackConfig(heartbeat_timeout=Duration(3600)))
    answer = callback.result()
    invoked = context.invoke("plain", {"x": inner}, name="call")
    return {"inner": inner, "answer": answer, "invoked": invoked}


def test_result_accessors_and_callbacks() -> None:
    with DurableFunctionTestRunner(workflow, execution_timeout=60) as runner:
        runner.register_function("plain", lambda event, ctx: {"y": event["x"] + 1})
        arn = runner.run_async(input=json.dumps({"n": 4}))
        callback_id = runner.wait_for_callback(arn, name="approval")
        runner.send_callback_heartbeat(callback_id)
        runner.send_callback_success(callback_id, b'{"ok": true}')
        result = runner.wait_for_result(arn)
        events = runner.get_execution_history(arn, include_execution_data=True).events

    assert json.loads(result.result or "") == {"inner": 8, "answer": '{"ok": true}', "invoked": {"y": 9}}
    assert result.get_wait("pause").scheduled_end_timestamp is not None
    kid = result.get_context("kid")
    assert [op.name for op in kid.child_operations] == ["double"]
    assert kid.get_step("double").result == "8" and kid.get_step("double").attempt == 0
    assert result.get_callback("approval").callback_id == callback_id
    assert result.get_invoke("call").result == '{"y": 9}'
    assert {op.status for op in result.get_all_operations()} == {OperationStatus.SUCCEEDED}
    started = next(e for e in events if e.event_type == "CallbackStarted")
    assert started.callback_started_details.callback_id == callback_id
    assert [e.event_id for e in events] == list(range(1, len(events) + 1))


def test_callback_failure_reaches_the_handler_as_aws_error_fields() -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        context.create_callback(name="ask").result()
        return "unreachable"

    with DurableFunctionTestRunner(handler) as runner:
        arn = runner.run_async()
        runner.send_callback_failure(runner.wait_for_callback(arn), ErrorObject("no", "Rejected", None, None))
        result = runner.wait_for_result(arn)
        failed = next(e for e in runner.get_execution_history(arn).events if e.event_type == "CallbackFailed")
    assert result.status.value == "FAILED" and result.error is not None
    assert result.error.type == "durable_runtime.exceptions.CallbackExternalError"
    assert (
        failed.callback_failed_details.error.payload.type,
        failed.callback_failed_details.error.payload.message,
    ) == (
        "Rejected",
        "no",
    )


def test_execution_timeout_ends_a_waiting_execution() -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.create_callback(name="never").result()

    with DurableFunctionTestRunner(handler, poll_interval=0.05) as runner:
        result = runner.run(execution_timeout=1)
    assert (result.status.value, result.execution_status) == ("FAILED", "TIMED_OUT")
    assert result.error is not None and result.error.type == "Execution.Timeout"


def test_child_context_runner() -> None:
    @durable_with_child_context
    def add(ctx: DurableContext, a: int, b: int) -> int:
        return ctx.step(lambda _: a + b, name="add")

    result = DurableChildContextTestRunner(add, 2, 3).run()
    assert result.result == "5" and result.get_step("add").result == "5"
