"""The reference interpreter: moto 5.2.5 (a port of LocalStack's), run offline and in-process.

Out of the box it cannot run our definitions offline; `offline()` applies, for the duration of a run:
1. Lambda invokes (both Lambda backends) go to `Services.invoke`; an exception comes back as an
   AWS function error, so Retry/Catch match on its type;
2. JSONata is evaluated by jsonata-python (moto ships the hook empty) with Step Functions' `$parse`
   added, and variables holding strings are declared with JSON escaping (moto quotes them raw);
3. Wait states and retry back-off take no time;
4. callbacks are answered through the interpreter's own backend, which keeps the failure cause
   (the HTTP layer drops it); an unanswered callback times out at once;
5. executions run synchronously, and the output is read from the history's last event (the
   DescribeExecution output of a plain string is not JSON).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from typing import Any
from unittest import mock

import boto3
from jsonata import Jsonata
from jsonata.utils import Utils
from moto import mock_aws
from moto.awslambda.models import LambdaBackend
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback as callback_module,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval import states as states_module
from moto.stepfunctions.parser.asl.eval import variable_store
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackOutcomeTimedOut
from moto.stepfunctions.parser.asl.jsonata import jsonata as moto_jsonata
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from durable_compile.backends.asl.localrun.model import WAIT_FOR_TOKEN, Outcome, Services, failed

ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/local-asl"
CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
ENDINGS = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})
_LOCK = threading.Lock()  # the patches are process-wide: one run at a time


def run_moto(definition: Mapping[str, Any], execution_input: Any, services: Services) -> Outcome:
    with _LOCK, mock_aws(config=CONFIG), offline(services):
        client = boto3.client("stepfunctions", region_name=REGION)
        machine = client.create_state_machine(name="local", definition=json.dumps(definition), roleArn=ROLE)
        started = client.start_execution(stateMachineArn=machine["stateMachineArn"],
                                         input=json.dumps(execution_input))
        pages = client.get_paginator("get_execution_history").paginate(executionArn=started["executionArn"])
        events = [e for page in pages for e in page["events"] if e["type"] in ENDINGS]
    return _outcome(events[-1])


def _outcome(last: Mapping[str, Any]) -> Outcome:
    if last["type"] == "ExecutionSucceeded":
        return Outcome("SUCCEEDED", result=json.loads(last["executionSucceededEventDetails"]["output"]))
    details: Mapping[str, Any] = next((v for k, v in last.items() if k.endswith("EventDetails")), {})
    return failed(details.get("error"), details.get("cause") or None)


@contextlib.contextmanager
def offline(services: Services) -> Iterator[None]:
    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any,
               response_headers: dict[str, str]) -> bytes:
        payload = json.loads(body) if body else None
        ok, result = services.invoke(function_name.split(":")[-1] if ":function:" in function_name
                                     else function_name, payload)
        if not ok:
            response_headers["x-amz-function-error"] = "Unhandled"
        elif isinstance(payload, Mapping) and _answers_callback(payload):
            _answer(services, payload)
        return json.dumps(result).encode()

    with contextlib.ExitStack() as stack:
        for backend in (LambdaBackend, LambdaSimpleBackend):
            stack.enter_context(mock.patch.object(backend, "invoke", invoke))
        stack.enter_context(mock.patch.object(moto_jsonata, "_eval_jsonata", evaluate_jsonata))
        for module in (states_module, variable_store):
            stack.enter_context(mock.patch.object(module, "encode_jsonata_variable_declarations", _declare))
        stack.enter_context(mock.patch.object(WaitFunction, "_wait_interval", lambda self, env, wait_seconds: None))
        stack.enter_context(mock.patch.object(retrier_decl, "time", _NoSleep()))
        stack.enter_context(mock.patch.object(callback_module.StateTaskServiceCallback,
                                              "_eval_wait_for_task_token", _answered_or_timed_out))
        stack.enter_context(mock.patch.object(ExecutionWorker, "start", lambda self: self._execution_logic()))
        quiet = logging.getLogger("moto.stepfunctions")
        stack.callback(quiet.setLevel, quiet.level)
        quiet.setLevel(logging.CRITICAL)
        yield


def _answers_callback(payload: Mapping[str, Any]) -> bool:
    return isinstance(payload.get("callback_token"), str)


def _answer(services: Services, payload: Mapping[str, Any]) -> None:
    answer = services.answer(payload)
    if answer is None:
        return
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    token = str(payload["callback_token"])
    if answer.error is None:
        backend.send_task_success(token, json.dumps(answer.output))
    else:
        backend.send_task_failure(token, answer.error, answer.cause)


def _answered_or_timed_out(self: Any, env: Any, timeout_seconds: Any, callback_endpoint: Any,
                           heartbeat_endpoint: Any) -> Any:
    # The callback was answered during the invoke, or never will be: it times out without waiting.
    outcome = callback_endpoint.get_outcome()
    return outcome if outcome is not None else CallbackOutcomeTimedOut(callback_id=callback_endpoint.callback_id)


class _NoSleep:
    @staticmethod
    def sleep(seconds: float) -> None:
        return None


def _declare(bindings: Mapping[str, Any]) -> str:
    return "".join(f"{name}:={to_json_str(value, separators=(',', ':'))};" for name, value in bindings.items())


def evaluate_jsonata(expression: str) -> Any:
    try:
        compiled = Jsonata(expression)
        compiled.register_lambda("parse", parse_json)
        return compiled.evaluate(None)
    except Exception as err:
        raise moto_jsonata.JSONataException("States.QueryEvaluationError", str(err)) from err


def parse_json(text: Any = None) -> Any:
    """Step Functions' `$parse`: JSON text -> its value (undefined stays undefined; anything but a string,
    invalid JSON, NaN and Infinity fail). JSON null becomes JSONata's null, not undefined."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError("$parse needs a string")
    return _nulls(json.loads(text, parse_constant=_not_json))


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _nulls(value: Any) -> Any:
    if value is None:
        return Utils.NULL_VALUE
    if isinstance(value, list):
        return [_nulls(v) for v in value]
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    return value


__all__ = ["WAIT_FOR_TOKEN", "run_moto"]
