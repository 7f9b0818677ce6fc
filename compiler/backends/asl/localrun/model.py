"""What a local run needs (`Services`) and what it gives (`Outcome`), shared by both engines."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Engine = Literal["moto", "sfnx"]
WAIT_FOR_TOKEN = ".waitForTaskToken"


@dataclass(frozen=True)
class Answer:
    """How a callback (waitForTaskToken) is answered: an output, or an error and cause."""

    output: Any = None  #: the SendTaskSuccess output
    error: str | None = None  #: the SendTaskFailure error, None for success
    cause: str = ""  #: the SendTaskFailure cause


@dataclass(frozen=True)
class Outcome:
    """How an execution ended."""

    status: Literal["SUCCEEDED", "FAILED"]  #: the execution status
    result: Any = None  #: the output when it succeeded
    error: str | None = None  #: the error name when it failed
    cause: str | None = None  #: the cause when it failed (a Lambda task's error: its errorMessage)

    def to_json(self) -> dict[str, Any]:
        error = None if self.error is None else {"type": self.error, "cause": self.cause}
        return {"status": self.status, "result": self.result, "error": error}


@dataclass(frozen=True)
class Services:
    """The outside world of a run: Lambda functions by name, and the answers to callbacks."""

    functions: Mapping[str, Callable[[Any], Any]]  #: FunctionName -> handler(event) -> result
    answer: Callable[[Any], Answer | None] = field(default=lambda payload: None)  #: payload -> answer;
    #: None means the callback is never answered (it times out)

    def invoke(self, function_name: str, payload: Any) -> tuple[bool, Any]:
        """(ok, result) or (False, the AWS-style error payload) when the function raised."""
        function = self.functions.get(function_name)
        if function is None:
            return False, {"errorType": "ResourceNotFoundException",
                           "errorMessage": f"Function not found: {function_name}"}
        try:
            # Lambda passes JSON both ways: tuples become lists, keys become strings
            return True, json.loads(json.dumps(function(json.loads(json.dumps(payload)))))
        except Exception as err:  # a Lambda function error: reported as Step Functions sees it
            return False, {"errorType": type(err).__name__, "errorMessage": str(err)}


def failed(error: str | None, cause: str | None) -> Outcome:
    """The outcome of a failed execution. When a Lambda task's error failed it, the cause is Lambda's
    error JSON (`{"errorType": error, "errorMessage": ...}`): the outcome keeps only the message."""
    return Outcome("FAILED", error=error, cause=_lambda_message(error, cause) if cause else None)


def _lambda_message(error: str | None, cause: str) -> str:
    try:
        payload = json.loads(cause)
    except ValueError:
        return cause
    if isinstance(payload, dict) and payload.get("errorType") == error and isinstance(payload.get("errorMessage"), str):
        return str(payload["errorMessage"])
    return cause


def error_cause(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


def run_definition(definition: Mapping[str, Any], execution_input: Any, services: Services,
                   engine: Engine = "moto") -> Outcome:
    """Execute `definition` on `execution_input` with the chosen engine."""
    if engine == "moto":
        from durable_compile.backends.asl.localrun.moto_engine import run_moto
        return run_moto(definition, execution_input, services)
    from durable_compile.backends.asl.localrun.sfnx_engine import run_sfnx
    return run_sfnx(definition, execution_input, services)
