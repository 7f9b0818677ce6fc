"""The SQLite store behaves like the memory store, and its leases and conflicts are transactional."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from durable_runtime.lambda_service import Operation, OperationStatus, OperationType
from durable_runtime.store import ConflictError, ExecutionRecord, LeaseLostError, MemoryStore, SqliteStore
from durable_runtime.testing import DurableFunctionTestRunner
from tests.runtime import handlers
from tests.runtime.runners import summarize
from tests.runtime.sdk import OURS, namespace

CASES = ["steps", "waits", "step_retries", "children", "parallel", "map_fail_fast", "condition", "invoke"]


def _run(case: str, store: object) -> dict:
    handler, event, _ = handlers.CASES[case](namespace(OURS))
    with DurableFunctionTestRunner(handler, store=store) as runner:  # type: ignore[arg-type]
        runner.register_function("plain-fn", handlers.plain_function)
        runner.register_durable_function("durable-fn", handlers.child_function(namespace(OURS)))
        arn = runner.run_async(json.dumps(event))
        result = runner.wait_for_result(arn)
        return summarize(result, runner.get_execution_history(arn).events)


@pytest.mark.parametrize("case", CASES)
def test_sqlite_runs_like_memory(case: str, tmp_path: Path) -> None:
    assert _run(case, SqliteStore(tmp_path / "state.db")) == _run(case, MemoryStore())


def _seed(store: SqliteStore) -> str:
    record = ExecutionRecord("arn:x/durable-execution/n/e1", "fn", "n")
    op = Operation("cb", OperationType.CALLBACK, OperationStatus.STARTED)
    store.create_execution(record, [op], [])
    return record.arn


def test_one_lease_at_a_time_across_connections(tmp_path: Path) -> None:
    first, second = SqliteStore(tmp_path / "s.db"), SqliteStore(tmp_path / "s.db")
    arn = _seed(first)
    me = "elsewhere-host:1:a"
    assert first.acquire(arn, me, now=100.0, ttl=60)
    assert not second.acquire(arn, "elsewhere-host:2:b", now=120.0, ttl=60)
    with pytest.raises(LeaseLostError):
        second.commit(arn, [], [{"EventType": "X", "EventTimestamp": 1.0}], owner="elsewhere-host:2:b")
    first.commit(arn, [], [{"EventType": "X", "EventTimestamp": 1.0}], owner=me)
    assert [e["EventId"] for e in second.events(arn)] == [1]
    assert second.acquire(arn, "elsewhere-host:2:b", now=200.0, ttl=60)  # expired


def test_a_dead_local_holder_loses_its_lease(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    arn = _seed(store)
    import socket

    assert store.acquire(arn, f"{socket.gethostname()}:999999999:x", now=100.0, ttl=600)
    assert store.acquire(arn, "other:1:y", now=101.0, ttl=600)


def test_a_callback_cannot_be_answered_twice(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    arn = _seed(store)
    done = Operation("cb", OperationType.CALLBACK, OperationStatus.SUCCEEDED)
    store.commit(arn, [done], [], expected={"cb": "STARTED"})
    with pytest.raises(ConflictError):
        store.commit(arn, [done], [], expected={"cb": "STARTED"})
