"""Runs conformance requirements through the package's own `validate_description`, locally.

Takes requirement ids and a runtime ("aws" or "ours"). Gives one `Outcome` per requirement
(passed, failed with the validator's errors, or skipped with a reason). Guarantees: the
validation logic is the package's, unmodified; only its polling constants and its log-retrieval
waits are lowered (everything is local and in-process); requirements that simulate a process
crash run in a child process so that `os._exit` ends only that child.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import traceback
import types
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aws_durable_execution_conformance_tests import cloudwatch, validate
from aws_durable_execution_conformance_tests.config import TESTS_DIR

from .adapters import LocalInvoker, LocalLambdaClient, Session
from .load import Loaded, load_handlers, runner_kind
from .logsink import FakeCloudFormation, FakeLogs, capturing

POLL_INTERVAL_SECONDS = 0.02  #: the package polls every 2 s, sized for the cloud
NO_PROGRESS_TIMEOUT_SECONDS = 20.0  #: longest quiet spell a requirement has is a 10 s heartbeat
PLUGIN_SUITE = "10"
CRASH_MARKER = "Runtime.ExitError"  #: requirements whose history records a crashed invocation
RUN_SCRIPT = Path(__file__).resolve().parent / "run_conformance.py"


@dataclass(frozen=True)
class Requirement:
    rid: str  #: "S-N"
    path: str  #: the YAML file
    is_async: bool  #: validated by polling (AsyncInvoke), run on a real clock
    crashes: bool  #: simulates a process crash, so runs in a child process
    optional: bool

    @property
    def is_plugin(self) -> bool:
        return self.rid.split("-")[0] == PLUGIN_SUITE


@dataclass
class Outcome:
    rid: str
    status: str  #: "passed" | "failed" | "skipped"
    errors: list[str] = field(default_factory=list)
    optional: bool = False


def _sort_key(rid: str) -> tuple[int, int]:
    suite, number = rid.split("-")
    return int(suite), int(number)


def discover(only: Iterable[str] | None = None) -> list[Requirement]:
    files = validate.discover_test_files(TESTS_DIR)
    wanted = set(only) if only else set(files)
    found = []
    for rid in sorted(wanted & set(files), key=_sort_key):
        text = Path(files[rid]).read_text()
        data = yaml.safe_load(text)
        found.append(
            Requirement(
                rid=rid,
                path=files[rid],
                is_async=bool(data.get("AsyncInvoke", False)),
                crashes=CRASH_MARKER in text,
                optional=bool(data.get("optional", False)),
            )
        )
    return found


def lower_polling() -> None:
    """Local executions answer at once: poll fast, and fetch logs without propagation waits."""
    validate.POLL_INTERVAL_SECONDS = POLL_INTERVAL_SECONDS
    validate.POLL_NO_PROGRESS_TIMEOUT_SECONDS = NO_PROGRESS_TIMEOUT_SECONDS
    cloudwatch.CloudWatchLogRetriever.EVENT_POLL_TIMEOUT_SECONDS = 0.0
    cloudwatch.time = types.SimpleNamespace(  # type: ignore[attr-defined]
        sleep=lambda seconds: None, time=_real_time().time, monotonic=_real_time().monotonic
    )


def _real_time() -> Any:
    import time

    return time


class _ThreadStdout(io.TextIOBase):
    """Routes writes from worker threads into per-thread buffers (the validator prints a lot)."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self._local = threading.local()

    def write(self, text: str) -> int:
        buffer = getattr(self._local, "buffer", None)
        return (buffer or self._real).write(text)

    def flush(self) -> None:
        self._real.flush()

    @contextmanager
    def captured(self) -> Iterator[io.StringIO]:
        self._local.buffer = io.StringIO()
        try:
            yield self._local.buffer
        finally:
            self._local.buffer = None


def _quiet() -> _ThreadStdout:
    if not isinstance(sys.stdout, _ThreadStdout):
        sys.stdout = _ThreadStdout(sys.stdout)
    return sys.stdout


def run_in_process(req: Requirement, runtime: str, output_dir: str, loaded: Loaded | None = None) -> Outcome:
    """Validate one requirement against handlers (default: ours for `runtime`) in this process."""
    loaded = loaded or load_handlers(runtime)
    problem = loaded.problem(req.rid)
    if problem is not None:
        return Outcome(req.rid, "failed", [problem], req.optional)
    handler = loaded.handlers.get(req.rid)
    if handler is None:
        return Outcome(req.rid, "skipped", ["no handler written for this requirement"], req.optional)
    try:
        kind = runner_kind(runtime)
    except Exception as exc:
        return Outcome(req.rid, "failed", [f"runner unavailable: {type(exc).__name__}: {exc}"], req.optional)
    session = Session(kind, {req.rid: handler}, loaded.targets, skip_time=not req.is_async, isolate=req.crashes)
    clients = {
        "lambda": LocalLambdaClient(session),
        "cloudformation": FakeCloudFormation(),
        "logs": FakeLogs(),
    }
    try:
        with tempfile.TemporaryDirectory() as tmp, _quiet().captured():
            result = validate.validate_description(
                function_name=req.rid,
                description_id=req.rid,
                test_file=req.path,
                invoker=LocalInvoker(session),
                tmp_dir=tmp,
                region="local",
                aws_clients=clients,  # type: ignore[arg-type]
                output_dir=output_dir,
            )
    except Exception as exc:  # a harness or runner crash is a failed requirement, with its cause
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Outcome(req.rid, "failed", [f"validation raised {detail}"], req.optional)
    finally:
        session.close()
    status = "passed" if result.passed else "failed"
    return Outcome(req.rid, status, list(result.errors), req.optional)


def run_in_child(req: Requirement, runtime: str, output_dir: str, timeout: float = 120.0) -> Outcome:
    """Validate one requirement in a child process; a crash there ends only the child."""
    cmd = [sys.executable, str(RUN_SCRIPT), "--runner", runtime, "--only", req.rid]
    cmd += ["--in-process", "--json", "--output", output_dir]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as crash_dir:
        env["CONFORMANCE_CRASH_DIR"] = crash_dir
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            why = f"child process did not finish in {timeout:.0f}s"
            return Outcome(req.rid, "failed", [why], req.optional)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return Outcome(**json.loads(line))
    why = f"the validating process exited with code {proc.returncode} before reporting"
    tail = _last_line(proc.stderr)
    hint = (
        "the handler's os._exit ended the process that ran the runner "
        "(the runner does not isolate invocations)"
    )
    return Outcome(req.rid, "failed", [why, hint] + ([tail] if tail else []), req.optional)


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return re.sub(r"\s+", " ", lines[-1])[:300] if lines else ""


def run_all(
    requirements: list[Requirement], runtime: str, output_dir: str, *, workers: int = 8, isolate: bool = True
) -> list[Outcome]:
    """Run requirements concurrently (most time is spent waiting on real-clock timers)."""
    lower_polling()
    load_handlers(runtime)  # import every handler module once, before the worker threads start

    def one(req: Requirement) -> Outcome:
        if req.crashes and isolate:
            return run_in_child(req, runtime, output_dir)
        return run_in_process(req, runtime, output_dir)

    with capturing(), ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, requirements))


def outcome_json(outcome: Outcome) -> str:
    return json.dumps(asdict(outcome), sort_keys=True)
