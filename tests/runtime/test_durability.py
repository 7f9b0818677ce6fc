"""Crash safety, in real processes: SIGKILL in the middle of a run, then resume from a fresh process;
and two processes resuming the same store at once. Steps log every run of their body to a file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from durable_runtime.local import LocalRuntime

CLI = str(Path(sys.executable).parent / "durable-compile")

HANDLER = textwrap.dedent(
    """
    import os, time
    from pathlib import Path
    from aws_durable_execution_sdk_python import durable_execution
    from aws_durable_execution_sdk_python.config import StepConfig, StepSemantics
    from aws_durable_execution_sdk_python.exceptions import StepError
    from aws_durable_execution_sdk_python.retries import RetryPresets

    LOG = Path(os.environ["STEP_LOG"])

    def record(line):
        with LOG.open("a") as log:
            log.write(line + "\\n")

    def body(i):
        def run(_):
            record(f"step {i}")
            time.sleep(float(os.environ.get("STEP_PAUSE", "0")))
            return i
        return run

    def charge(_):
        record("charge")
        while os.environ.get("HANG_IN_CHARGE"):
            time.sleep(0.05)  # the test kills the process here
        return "charged"

    ONCE = StepConfig(retry_strategy=RetryPresets.none(), step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY)

    @durable_execution
    def handler(event, context):
        if event.get("callback"):
            context.create_callback(name="go").result()
        total = sum(context.step(body(i), name=f"s{i}") for i in range(event["before"]))
        try:
            charged = context.step(charge, name="charge", config=ONCE)
        except StepError as error:
            charged = error.error_type.rsplit(".", 1)[-1]
        total += sum(context.step(body(i), name=f"s{i}") for i in range(event["before"], event["total"]))
        return {"total": total, "charged": charged}
    """
)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "STEP_LOG": str(tmp / "steps.log"), "DURABLE_STORE": str(tmp / "state.db"), **extra}


def _wait_for_line(log: Path, line: str, proc: subprocess.Popen[str], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if log.exists() and line in log.read_text().splitlines():
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    pytest.fail(f"{line!r} never logged")


def _runs(tmp: Path) -> Counter[str]:
    return Counter((tmp / "steps.log").read_text().splitlines())


def test_sigkill_mid_run_then_resume_from_a_fresh_process(tmp_path: Path) -> None:
    (tmp_path / "h.py").write_text(HANDLER)
    event = json.dumps({"before": 20, "total": 30})
    proc = subprocess.Popen(
        [CLI, "run", str(tmp_path / "h.py"), "--input", event, "--json"],
        env=_env(tmp_path, HANG_IN_CHARGE="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_line(tmp_path / "steps.log", "charge", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    out = subprocess.run([CLI, "resume"], env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert out.stdout.split()[1] == "SUCCEEDED", out
    runs = _runs(tmp_path)
    assert runs["charge"] == 1, "the at-most-once step ran again"
    assert all(runs[f"step {i}"] == 1 for i in range(30)), runs
    runtime = LocalRuntime(tmp_path / "state.db")
    record = runtime.executions()[0]
    assert json.loads(record.result or "") == {"total": sum(range(30)), "charged": "StepInterruptedError"}
    completed = [e.get("InvocationCompletedDetails") for e in runtime.history(record.arn)]
    errors = [d.get("Error", {}).get("Payload", {}).get("ErrorType") for d in completed if d is not None]
    assert errors == ["Runtime.ExitError", None], "the killed invocation is recorded as crashed"


def test_two_processes_resuming_at_once_never_run_a_step_twice(tmp_path: Path) -> None:
    (tmp_path / "h.py").write_text(HANDLER)
    env = _env(tmp_path, STEP_PAUSE="0.02")
    event = json.dumps({"callback": True, "before": 10, "total": 20})
    started = subprocess.run(
        [CLI, "run", str(tmp_path / "h.py"), "--input", event, "--detach", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert json.loads(started.stdout)["status"] == "PENDING", started
    runtime = LocalRuntime(tmp_path / "state.db")
    arn = runtime.executions()[0].arn
    callback_id = next(e for e in runtime.store.events(arn) if e["EventType"] == "CallbackStarted")[
        "CallbackStartedDetails"
    ]
    subprocess.run([CLI, "callback", "succeed", callback_id["CallbackId"], "--payload", '"go"'], env=env, check=True)

    racers = [subprocess.Popen([CLI, "resume"], env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [r.communicate()[0] for r in racers]
    assert sum("SUCCEEDED" in o for o in outputs) == 1, outputs
    runs = _runs(tmp_path)
    assert all(runs[f"step {i}"] == 1 for i in range(20)) and runs["charge"] == 1, runs
    assert runtime.store.load_execution(arn).status == "SUCCEEDED"
