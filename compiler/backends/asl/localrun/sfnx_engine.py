"""The second interpreter: `sfnx.testing.run` (sequential, time never passes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfnx import testing

from durable_compile.backends.asl.localrun.model import WAIT_FOR_TOKEN, Outcome, Services, error_cause, failed

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def run_sfnx(definition: Mapping[str, Any], execution_input: Any, services: Services) -> Outcome:
    def tasks(call: testing.Call) -> object:
        return _task(services, call)

    execution = testing.run(definition, execution_input, tasks)
    if execution.error is not None:
        return failed(execution.error, execution.cause or None)
    return Outcome("SUCCEEDED", result=execution.output)


def _task(services: Services, call: testing.Call) -> object:
    if not call.resource.startswith(LAMBDA_INVOKE) or not isinstance(call.arguments, Mapping):
        raise testing.Failure("States.Runtime", f"unsupported resource {call.resource}")
    name, payload = str(call.arguments.get("FunctionName")), call.arguments.get("Payload")
    ok, result = services.invoke(name, payload)
    if not ok:
        raise testing.Failure(str(result["errorType"]), error_cause(result))
    if not call.resource.endswith(WAIT_FOR_TOKEN):
        return {"ExecutedVersion": "$LATEST", "Payload": result, "StatusCode": 200}
    answer = services.answer(payload)
    if answer is None:
        raise testing.Failure("States.Timeout", "the callback was not answered in time")
    if answer.error is not None:
        raise testing.Failure(answer.error, answer.cause)
    return answer.output
