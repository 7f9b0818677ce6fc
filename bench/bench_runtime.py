"""Runtime speed: the issue-5 workloads on durable_runtime and on AWS's local runner, in one process.

Writes bench/results/runtime.md. Both runners use an in-memory store with time skipped; timings are
medians, reported with the ratio AWS / ours. The SQLite section compares one durable checkpoint of our
store with a bare SQLite insert+commit under the same settings (the floor).

    python bench/bench_runtime.py [--quick]
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "runtime.md"
OURS, AWS = "durable_runtime", "aws_durable_execution_sdk_python"


def sdk(root: str) -> SimpleNamespace:
    names: dict[str, Any] = {}
    for suffix in ("", ".config", ".retries"):
        names.update(vars(importlib.import_module(root + suffix)))
    return SimpleNamespace(**names)


def runner_for(root: str, handler: Any, store: Any = None) -> Any:
    if root == AWS:
        from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner as AwsRunner

        return AwsRunner(handler=handler, poll_interval=0.001)
    from durable_runtime.testing import DurableFunctionTestRunner

    return DurableFunctionTestRunner(handler, store=store)


# -- workloads: each builds a handler against an SDK namespace --------------------------------------------


def sequential(n: int) -> Callable[[SimpleNamespace], Any]:
    def build(s: SimpleNamespace) -> Any:
        @s.durable_execution
        def handler(event: Any, context: Any) -> int:
            return sum(context.step(lambda _, i=i: i, name=f"s{i}") for i in range(n))

        return handler

    return build


def steps_then_waits(steps: int, pairs: int) -> Callable[[SimpleNamespace], Any]:
    def build(s: SimpleNamespace) -> Any:
        @s.durable_execution
        def handler(event: Any, context: Any) -> int:
            total = sum(context.step(lambda _, i=i: i, name=f"s{i}") for i in range(steps))
            for i in range(pairs):
                total += context.step(lambda _, i=i: i, name=f"p{i}")
                context.wait(s.Duration.from_seconds(1), name=f"w{i}")
            return total

        return handler

    return build


MARKS: list[float] = []


def replay_history(n: int) -> Callable[[SimpleNamespace], Any]:
    """n steps, a wait, return. MARKS gets the moment the first invocation suspends and the moment the
    resuming invocation returns: the resume (timer, re-invocation, replay of n steps) lies between."""

    def build(s: SimpleNamespace) -> Any:
        @s.durable_execution
        def handler(event: Any, context: Any) -> int:
            total = sum(context.step(lambda _, i=i: i, name=f"s{i}") for i in range(n))
            try:
                context.wait(s.Duration.from_seconds(1), name="gap")
            except BaseException:
                MARKS.append(time.perf_counter())
                raise
            MARKS.append(time.perf_counter())
            return total

        return handler

    return build


def big_map(items: int, concurrency: int) -> Callable[[SimpleNamespace], Any]:
    def build(s: SimpleNamespace) -> Any:
        @s.durable_execution
        def handler(event: Any, context: Any) -> int:
            config = s.MapConfig(max_concurrency=concurrency)
            batch = context.map(
                list(range(items)), lambda c, x, i, xs: c.step(lambda _: x * 2, name="double"), config=config
            )
            return sum(batch.get_results())

        return handler

    return build


def run_once(root: str, build: Callable[[SimpleNamespace], Any], store: Any = None) -> tuple[float, Any, Any]:
    runner = runner_for(root, build(sdk(root)), store)
    try:
        started = time.perf_counter()
        result = runner.run(input="{}", execution_timeout=600)
        elapsed = time.perf_counter() - started
        assert result.status.name == "SUCCEEDED", (root, result.error)
        arn = _arn(root, runner)
        return elapsed, result, arn
    finally:
        runner.close()


def _arn(root: str, runner: Any) -> str:
    if root == AWS:
        return str(runner._store.list_all()[0].durable_execution_arn)  # noqa: SLF001 - the test runner keeps no other handle
    return str(runner.backend.store.list_executions()[0].arn)


def timings(root: str, build: Callable[[SimpleNamespace], Any], repeat: int, measure: str = "total") -> list[float]:
    samples = []
    for _ in range(repeat):
        gc.collect()
        MARKS.clear()
        elapsed, _, _ = run_once(root, build)
        samples.append(MARKS[-1] - MARKS[0] if measure == "replay" else elapsed)
    return samples


# -- SQLite: our durable checkpoint against the bare insert+commit floor --------------------------------


def sqlite_floor(path: Path, synchronous: str, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("CREATE TABLE t (k TEXT PRIMARY KEY, body TEXT)")
    body = "x" * 300
    started = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (str(i), body))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed / n


def sqlite_step(path: Path, synchronous: str, n: int) -> float:
    """A whole step on the SQLite store: engine, serialization and its two commits (START, SUCCEED)."""
    from durable_runtime.store.sqlite import SqliteStore

    store = SqliteStore(path, synchronous=synchronous)
    elapsed, _, _ = run_once(OURS, sequential(n), store)
    return elapsed / n


def sqlite_checkpoint(path: Path, synchronous: str, n: int) -> float:
    """`SqliteStore.commit` of what one step writes: its operation record, two history events, the lease check."""
    from durable_runtime.lambda_service import Operation, OperationStatus, OperationType
    from durable_runtime.store.base import ExecutionRecord
    from durable_runtime.store.sqlite import SqliteStore

    store = SqliteStore(path, synchronous=synchronous)
    arn = "arn:bench/durable-execution/e/1"
    store.create_execution(ExecutionRecord(arn, "bench", "e"), [], [])
    store.acquire(arn, "bench:1:x", now=time.time(), ttl=3600)
    ops = [
        Operation(f"{i:064x}", OperationType.STEP, OperationStatus.SUCCEEDED, name=f"s{i}", result="1")
        for i in range(n)
    ]
    started = time.perf_counter()
    for op in ops:
        events = [
            {"EventType": "StepStarted", "EventTimestamp": 1.0, "Id": op.operation_id, "StepStartedDetails": {}},
            {"EventType": "StepSucceeded", "EventTimestamp": 1.0, "Id": op.operation_id, "StepSucceededDetails": {}},
        ]
        store.commit(arn, [op], events, owner="bench:1:x")
    return (time.perf_counter() - started) / n


def main() -> None:
    quick = "--quick" in sys.argv
    logging.disable(logging.CRITICAL)
    ours_repeat, aws_repeat = (3, 1) if quick else (7, 3)
    workloads = [
        ("1,000 sequential steps", sequential(1000), "total", 1000, "step"),
        ("300 steps, then 20 (step, wait) pairs, time skipped", steps_then_waits(300, 20), "total", 340, "operation"),
        ("100 (step, wait) pairs, one resume each", steps_then_waits(0, 100), "total", 100, "resume"),
        ("replay of a 1,000-operation history (the resuming invocation)", replay_history(1000), "replay", 1, "replay"),
        ("map of 500 items, max concurrency 10", big_map(500, 10), "total", 500, "item"),
    ]
    # One workload at a time, ours then AWS's, so both meet about the same machine load; ours goes first
    # because AWS's runner leaves threads and garbage behind that slow down whatever runs next.
    ours_times, aws_times = [], []
    for _, build, measure, _, _ in workloads:
        ours_times.append(timings(OURS, build, ours_repeat, measure))
        aws_times.append(timings(AWS, build, aws_repeat, measure))
    rows = []
    for (label, _, _, units, unit), ours_runs, aws_runs in zip(workloads, ours_times, aws_times, strict=True):
        ours, theirs = statistics.median(ours_runs), statistics.median(aws_runs)
        best, aws_best = min(ours_runs), min(aws_runs)
        rows.append(
            f"| {label} | {theirs * 1000:,.1f} ms | {ours * 1000:,.1f} ms | {theirs / ours:,.0f}x "
            f"| {aws_best / best:,.0f}x | {ours / units * 1000:,.3f} ms | {best / units * 1000:,.3f} ms per {unit} |"
        )
    sqlite_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for sync in ("NORMAL", "FULL"):
            n = 300 if sync == "FULL" or quick else 1000
            floor = sqlite_floor(Path(tmp) / f"floor-{sync}.db", sync, n)
            commit = sqlite_checkpoint(Path(tmp) / f"commit-{sync}.db", sync, n)
            step = sqlite_step(Path(tmp) / f"step-{sync}.db", sync, n)
            sqlite_rows.append(
                f"| `synchronous={sync}` | {floor * 1e6:,.0f} us | {commit * 1e6:,.0f} us | {commit / floor:,.1f}x "
                f"| {step * 1e6:,.0f} us |"
            )
    write(rows, sqlite_rows, quick)


def write(rows: list[str], sqlite_rows: list[str], quick: bool) -> None:
    cpus = os.cpu_count()
    load = f"{os.getloadavg()[0]:.1f}"
    runs = "1 (AWS) and 3 (ours), --quick" if quick else "3 (AWS) and 7 (ours)"
    text = f"""## Runtime: durable_runtime against AWS's local runner

`python bench/bench_runtime.py` (one process, both runners in memory with time skipped; medians of
{runs} runs; {cpus} CPUs; AWS = aws-durable-execution-sdk-python-testing 1.4.0
`DurableFunctionTestRunner`). Times are medians and the first ratio is AWS's median over ours. The
machine is shared with other jobs (load average {load}), so the best runs are compared too: they are
the costs with the least interference.

| workload | AWS runner | durable_runtime | AWS / ours | AWS / ours, best runs | ours per unit | ours, best run |
|---|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

The replay row times one resume: from the moment the first invocation suspends on the wait to the
moment the resuming invocation, having replayed 1,000 completed steps from their checkpoints, returns
(marks taken inside the handler, identical for both runners).

### SQLite store: one durable checkpoint against the floor

One checkpoint is `SqliteStore.commit` of an operation record, two history events and the lease check,
in one transaction. A step on the SQLite store commits twice: its START before the body runs (so a crash
in the body leaves the step STARTED, as AWS records it) and its SUCCEED after. The floor is a bare
`INSERT` + `COMMIT` of a 300-byte row in a WAL database with the same `synchronous` setting, measured in
the same script. The last column is a whole step of a 1,000-step execution on the SQLite store (engine,
serialization, both checkpoints).

| durability | bare insert+commit (floor) | our checkpoint | checkpoint / floor | whole step |
|---|---:|---:|---:|---:|
{chr(10).join(sqlite_rows)}

Default: WAL with `synchronous=NORMAL`, one transaction per blocking checkpoint (a step's START and its
SUCCEED), non-blocking updates (a child context's START and SUCCEED) batched into the next one. In WAL mode a
COMMIT has appended the transaction to the WAL file before it returns, so a killed process (SIGKILL,
OOM, crash) loses no committed checkpoint, and a step's SUCCEED is committed before its value is handed
back to the handler: no completed step is lost or re-run after a process crash
(`tests/runtime/test_durability.py` proves it with SIGKILL). Only an operating-system crash or power
loss can drop the last commits; `DURABLE_SQLITE_SYNC=FULL` adds an fsync per commit for that (the
second row). With FULL both sides are one fsync each, whose latency on this machine's disk varies from
run to run by more than the rest of the work, so that ratio is about 1 either way.
"""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
