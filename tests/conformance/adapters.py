"""The two duck-typed objects the conformance package validates through, over a local test runner.

Takes a runner class with the AWS testing runner's API (`run_async`, `wait_for_result`,
`get_execution_history`, `send_callback_*`, `register_durable_function`, `register_function`),
either AWS's own or ours, and the handlers to run. Gives an invoker (`invoke`, `invoke_async`,
`stack_name`) and a Lambda-like client (`get_durable_execution`,
`get_durable_execution_history`, `send_durable_execution_callback_success/failure/heartbeat`)
whose answers have the shapes of the Lambda API. Guarantees runner errors reach the validator as
botocore `ClientError`s, which it reports as failures, never as tracebacks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aws_durable_execution_conformance_tests.sam import (
    EventFileReader,
    InvocationResult,
    InvokeError,
)
from botocore.exceptions import ClientError

#: event type of a terminal history event -> the execution status the Lambda API reports
_TERMINAL = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionStopped": "STOPPED",
}


@dataclass(frozen=True)
class Target:
    """A function that a requirement's handler invokes by name."""

    name: str  #: the function name the handler passes to `context.invoke`
    fn: Callable[..., Any]  #: the handler (durable) or plain function
    durable: bool  #: registered with `register_durable_function` when true


@dataclass(frozen=True)
class RunnerKind:
    """Which local runner to drive, and how to build the values its API takes."""

    name: str  #: "aws" or "ours"
    runner_class: type  #: DurableFunctionTestRunner of that runtime
    error_from_dict: Callable[[dict[str, Any]], Any]  #: ErrorObject.from_dict of that runtime


@dataclass
class Session:
    """Runners started by one validation run, by execution ARN, plus what they need to start."""

    kind: RunnerKind
    handlers: Mapping[str, Callable[..., Any]]  #: function name -> durable handler under test
    targets: Mapping[str, Target]  #: invoke targets registered in every runner
    skip_time: bool = True
    isolate: bool = False  #: run each invocation in its own process (requirements that crash it)
    execution_timeout: int = 120
    _runners: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, function_name: str, payload: Any) -> str:
        """Start an execution; the runner carries it forward on its own threads, as AWS's does."""
        handler = self.handlers.get(function_name)
        if handler is None:
            raise InvokeError(function_name, "no local handler with this name")
        runner = self.kind.runner_class(handler=handler, skip_time=self.skip_time, **self._isolation())
        for target in self.targets.values():
            if target.durable:
                runner.register_durable_function(target.name, target.fn)
            else:
                runner.register_function(target.name, target.fn)
        arn = _start_promptly(runner, function_name, json.dumps(payload), self.execution_timeout)
        with self._lock:
            self._runners[arn] = runner
        return str(arn)

    def _isolation(self) -> dict[str, Any]:
        """Our runner forks per invocation on request; AWS's has no such option (a crash ends it)."""
        return {"isolate_invocations": True} if self.isolate and self.kind.name == "ours" else {}

    def runner_for(self, arn: str) -> Any:
        with self._lock:
            runner = self._runners.get(arn)
        if runner is None:
            raise _client_error("ResourceNotFoundException", f"no execution {arn}")
        return runner

    def runner_for_callback(self, callback_id: str) -> Any:
        with self._lock:
            runners = list(self._runners.items())
        for arn, runner in runners:
            for event in history_events(runner, arn):
                details = event.get("CallbackStartedDetails") or {}
                if details.get("CallbackId") == callback_id:
                    return runner
        raise _client_error("ResourceNotFoundException", f"no callback {callback_id}")

    def close(self) -> None:
        with self._lock:
            runners, self._runners = list(self._runners.values()), {}
        for runner in runners:
            runner.close()


START_TIMEOUT_SECONDS = 10.0  #: `run_async` returns once the execution has started; this is plenty


def _start_promptly(runner: Any, function_name: str, payload: str, execution_timeout: int) -> str:
    """`runner.run_async`, failing (instead of hanging the suite) when it does not return."""
    done: dict[str, Any] = {}

    def call() -> None:
        try:
            done["arn"] = runner.run_async(
                input=payload, execution_timeout=execution_timeout, function_name=function_name
            )
        except BaseException as exc:  # handed to the caller's thread below
            done["error"] = exc

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(START_TIMEOUT_SECONDS)
    if "error" in done:
        raise done["error"]
    if "arn" not in done:
        raise InvokeError(function_name, f"run_async did not return within {START_TIMEOUT_SECONDS:.0f}s")
    return str(done["arn"])


def history_events(runner: Any, arn: str) -> list[dict[str, Any]]:
    """The execution's events as Lambda API dicts (runner events expose `to_dict()`)."""
    response = runner.get_execution_history(arn, include_execution_data=True)
    events = response.events if hasattr(response, "events") else response["Events"]
    return [e.to_dict() if hasattr(e, "to_dict") else dict(e) for e in events]


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "LocalRunner")


@contextmanager
def _as_client_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except ClientError:
        raise
    except Exception as exc:  # the runner's own error types differ between runtimes
        raise _client_error(type(exc).__name__, f"{operation}: {exc}") from exc


class LocalInvoker:
    """The validator's invoker: starts an execution on a fresh runner and returns its ARN."""

    stack_name = "local"

    def __init__(self, session: Session) -> None:
        self._session = session

    def invoke(
        self, function_name: str, event_file_path: str | None = None, parameters: list[str] | None = None
    ) -> InvocationResult:
        arn = self._start(function_name, event_file_path)
        runner = self._session.runner_for(arn)
        try:
            result = runner.wait_for_result(arn, timeout=self._session.execution_timeout)
        except TimeoutError as exc:
            raise InvokeError(function_name, f"execution did not finish: {exc}") from exc
        return _invocation(function_name, arn, "RequestResponse", result.result)

    def invoke_async(self, function_name: str, event_file_path: str | None = None) -> InvocationResult:
        arn = self._start(function_name, event_file_path)
        return _invocation(function_name, arn, "Event", None)

    def _start(self, function_name: str, event_file_path: str | None) -> str:
        payload = None
        if event_file_path is not None:
            payload = EventFileReader.extract_payload(EventFileReader.read(event_file_path))
        try:
            return self._session.start(function_name, payload)
        except InvokeError:
            raise
        except Exception as exc:
            raise InvokeError(function_name, f"{type(exc).__name__}: {exc}") from exc


def _invocation(function_name: str, arn: str, kind: str, payload: str | None) -> InvocationResult:
    output = {"StatusCode": 200 if kind == "RequestResponse" else 202, "Payload": payload or ""}
    output["DurableExecutionArn"] = arn
    return InvocationResult(
        success=True,
        command=f"local.invoke {function_name} (InvocationType={kind})",
        output=json.dumps(output),
        stderr="",
        function_name=function_name,
    )


class LocalLambdaClient:
    """The validator's Lambda client, answered from the runners of a session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get_durable_execution_history(
        self, DurableExecutionArn: str, IncludeExecutionData: bool = True  # noqa: N803
    ) -> dict[str, Any]:
        runner = self._session.runner_for(DurableExecutionArn)
        with _as_client_errors("get_durable_execution_history"):
            return {"Events": history_events(runner, DurableExecutionArn)}

    def get_durable_execution(self, DurableExecutionArn: str) -> dict[str, Any]:  # noqa: N803
        events = self.get_durable_execution_history(DurableExecutionArn)["Events"]
        response: dict[str, Any] = {"DurableExecutionArn": DurableExecutionArn, "Status": "RUNNING"}
        for event in reversed(events):
            status = _TERMINAL.get(event.get("EventType", ""))
            if status is None:
                continue
            details = event.get(f"{event['EventType']}Details") or {}
            response["Status"] = status
            if status == "SUCCEEDED":
                response["Result"] = (details.get("Result") or {}).get("Payload")
            elif details.get("Error"):
                response["Error"] = details["Error"].get("Payload", details["Error"])
            break
        return response

    def send_durable_execution_callback_success(
        self, CallbackId: str, Result: bytes | None = None  # noqa: N803
    ) -> dict[str, Any]:
        runner = self._session.runner_for_callback(CallbackId)
        with _as_client_errors("send_durable_execution_callback_success"):
            runner.send_callback_success(CallbackId, Result)
        return {}

    def send_durable_execution_callback_failure(
        self, CallbackId: str, Error: Mapping[str, Any] | None = None  # noqa: N803
    ) -> dict[str, Any]:
        runner = self._session.runner_for_callback(CallbackId)
        error = self._session.kind.error_from_dict(dict(Error or {}))
        with _as_client_errors("send_durable_execution_callback_failure"):
            runner.send_callback_failure(CallbackId, error)
        return {}

    def send_durable_execution_callback_heartbeat(self, CallbackId: str) -> dict[str, Any]:  # noqa: N803
        runner = self._session.runner_for_callback(CallbackId)
        with _as_client_errors("send_durable_execution_callback_heartbeat"):
            runner.send_callback_heartbeat(CallbackId)
        return {}
