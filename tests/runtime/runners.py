"""Runs a handler case on AWS's local runner or ours and reduces the outcome to comparable data."""

from __future__ import annotations

import importlib
import json
from typing import Any

from tests.runtime import handlers
from tests.runtime.sdk import AWS, namespace

_OPERATION_EVENTS = ("Step", "Wait", "Context", "Callback", "ChainedInvoke")


def runner_class(root: str) -> Any:
    module = "aws_durable_execution_sdk_python_testing.runner" if root == AWS else "durable_runtime.testing"
    return importlib.import_module(module).DurableFunctionTestRunner


def error_object(root: str, error_type: str, message: str) -> Any:
    module = importlib.import_module(root + ".lambda_service")
    return module.ErrorObject(message=message, type=error_type, data=None, stack_trace=None)


def short_type(error_type: str | None) -> str | None:
    return error_type.rsplit(".", 1)[-1] if error_type else None


def run_case(root: str, case: str) -> dict[str, Any]:
    sdk = namespace(root)
    handler, event, answers = handlers.CASES[case](sdk)
    with runner_class(root)(handler=handler) as runner:
        runner.register_function("plain-fn", handlers.plain_function)
        runner.register_function("broken-fn", handlers.broken_function)
        runner.register_durable_function("durable-fn", handlers.child_function(sdk))
        arn = runner.run_async(input=json.dumps(event), execution_timeout=60)
        for name, action, payload in answers:
            callback_id = runner.wait_for_callback(arn, name=name, timeout=30)
            if action == "succeed":
                runner.send_callback_success(callback_id, payload)
            else:
                runner.send_callback_failure(callback_id, error_object(root, *payload))
        result = runner.wait_for_result(arn, timeout=60)
        events = runner.get_execution_history(arn).events
    return summarize(result, events)


def summarize(result: Any, events: list[Any]) -> dict[str, Any]:
    sequence = []
    for event in events:
        if event.event_type.startswith(_OPERATION_EVENTS) and not event.event_type.startswith("ChainedInvokeStarted_"):
            sequence.append((event.operation_id, event.event_type, event.sub_type, event.name, event.parent_id))
    statuses = sorted(
        (op.operation_id, op.operation_type.value, op.sub_type, op.name, op.parent_id, op.status.value)
        for op in result.get_all_operations()
    )
    per_operation: dict[str, list[tuple[Any, ...]]] = {}
    for op_id, *rest in sequence:
        per_operation.setdefault(op_id, []).append(tuple(rest))
    return {
        "per_operation": per_operation,
        "status": result.status.value,
        "result": json.loads(result.result) if result.result else None,
        "error_type": short_type(result.error.type) if result.error else None,
        "events": sequence,
        "operations": statuses,
    }
