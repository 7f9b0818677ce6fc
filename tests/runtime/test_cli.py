"""The runtime's commands, run as a user runs them (subprocesses on a temporary store)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "durable-compile")

HANDLER = textwrap.dedent(
    """
    from aws_durable_execution_sdk_python import DurableContext, durable_execution, StepError
    from aws_durable_execution_sdk_python.config import Duration, StepConfig
    from aws_durable_execution_sdk_python.retries import RetryPresets

    def explode(_):
        raise ValueError("bad order")

    @durable_execution
    def handler(event: dict, context: DurableContext) -> dict:
        print("handler output goes to stderr under --json")
        if event.get("fail"):
            context.step(explode, name="explode", config=StepConfig(retry_strategy=RetryPresets.none()))
        total = context.step(lambda _: event["qty"] * 3, name="price")
        context.wait(Duration.from_minutes(10), name="cool-off")
        answer = context.create_callback(name="approve").result() if event.get("ask") else None
        return {"total": total, "answer": answer}
    """
)


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "order.py").write_text(HANDLER)
    env = {**os.environ, "DURABLE_STORE": str(tmp_path / "state.db")}

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, cwd=tmp_path)

    return call


def test_run_prints_one_json_object_and_exits_by_status(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("run", "order.py", "--input", '{"qty": 2}', "--skip-time", "--json")
    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert (out["status"], out["result"], out["error"]) == ("SUCCEEDED", {"total": 6, "answer": None}, None)

    failed = cli("run", "order.py", "--input", '{"qty": 1, "fail": true}', "--skip-time", "--json")
    assert failed.returncode == 1
    error = json.loads(failed.stdout)["error"]
    assert (error["ErrorType"], error["ErrorMessage"]) == ("durable_runtime.exceptions.StepError", "bad order")


def test_detach_then_worker_callback_and_history(cli) -> None:  # type: ignore[no-untyped-def]
    started = cli("run", "order.py", "--input", '{"qty": 5, "ask": true}', "--detach", "--json")
    assert started.returncode == 3
    execution_id = json.loads(started.stdout)["execution_id"]
    assert cli("executions", "--status", "RUNNING").stdout.split()[:2] == [execution_id, "RUNNING"]
    assert "resumed 0" in cli("worker", "--once").stdout  # the 10-minute wait is not due

    events = json.loads(cli("history", execution_id, "--format", "json").stdout)
    assert [e["EventType"] for e in events] == [
        "ExecutionStarted",
        "StepStarted",
        "StepSucceeded",
        "WaitStarted",
        "InvocationCompleted",
    ]
    assert events[3]["WaitStartedDetails"]["Duration"] == 600

    text = cli("history", execution_id).stdout.splitlines()
    assert text[3].split()[2:] == ["WaitStarted", "cool-off", "Wait", "order.py:15"]  # the line of context.wait
    assert cli("callback", "succeed", "bm90LWEtY2FsbGJhY2s", "--payload", "1").returncode == 2


def test_bad_input_is_a_usage_error_without_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "broken.py").write_text("x = 1\ndef handler(:\n")
    done = cli("run", "order.py", "--input", "{not json")
    assert done.returncode == 2
    assert done.stderr.startswith("error: input is not JSON") and "Traceback" not in done.stderr
    missing = cli("run", "order.py", "--handler", "nope")
    assert missing.returncode == 2 and "hint: name the handler with --handler NAME" in missing.stderr
    broken = cli("run", "broken.py")
    assert broken.returncode == 2 and broken.stderr.startswith("broken.py:2:")
    assert "DUR999 syntax error" in broken.stderr and "Traceback" not in broken.stderr


CHAIN = textwrap.dedent(
    """
    from aws_durable_execution_sdk_python import durable_execution

    @durable_execution
    def approval_flow(event, context):
        answer = context.create_callback(name="sign-off").result()
        return {"signed": answer, "by": event["who"]}

    @durable_execution
    def handler(event, context):
        return context.invoke("approval-flow", {"who": event["who"]}, name="ask")
    """
)


def test_an_invoked_durable_function_waits_for_its_callback_across_processes(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text(CHAIN)
    env = {**os.environ, "DURABLE_STORE": str(tmp_path / "state.db")}

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, cwd=tmp_path)

    started = call("run", "chain.py", "--handler", "handler", "--input", '{"who": "ana"}', "--detach", "--json")
    assert json.loads(started.stdout)["status"] == "PENDING", started
    listing = [line.split() for line in call("executions").stdout.splitlines()]
    assert sorted(row[2] for row in listing) == ["approval-flow", "chain"]
    child = next(row[0] for row in listing if row[2] == "approval-flow")
    events = json.loads(call("history", child, "--format", "json").stdout)
    callback_id = next(e for e in events if e["EventType"] == "CallbackStarted")["CallbackStartedDetails"]["CallbackId"]
    assert call("callback", "succeed", callback_id, "--payload", '"yes"').returncode == 0
    call("resume")
    parent = next(row[0] for row in listing if row[2] == "chain")
    final = json.loads(call("history", parent, "--format", "json").stdout)
    assert final[-1]["EventType"] == "ExecutionSucceeded"
    assert json.loads(final[-1]["ExecutionSucceededDetails"]["Result"]["Payload"]) == {"signed": '"yes"', "by": "ana"}
