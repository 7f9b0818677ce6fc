"""One `verify` run in a perturbed world: a fresh process that drives a generated module on the runtime.

Run as `python -m durable_compile.backends.python.world REQUEST.json` by `verify.py`, with its own
`PYTHONHASHSEED`. The request names the generated module, the handler, the input, the clock shift in
seconds, the SQLite store to use and, for a replay, the snapshot to start from. The clock the handler
sees (`time.time`, `datetime.now/utcnow/today`) is shifted before the module is imported. The run
drives the execution suspension by suspension (timers skipped), snapshots the store at every suspension
(record mode), and prints one JSON trace: status, result, error, operations in order with their
checkpointed values, the source line of each, and the snapshots taken.
"""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

MAX_INVOCATIONS = 500


def shift_clock(seconds: float) -> None:
    """Make every clock read of code imported from now on run `seconds` ahead."""
    if not seconds:
        return
    real_time, real_time_ns = time.time, time.time_ns
    time.time = lambda: real_time() + seconds  # type: ignore[assignment]
    time.time_ns = lambda: real_time_ns() + int(seconds * 1e9)  # type: ignore[assignment]
    delta = datetime.timedelta(seconds=seconds)
    real = datetime.datetime

    class ShiftedDatetime(real):  # type: ignore[valid-type,misc]
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return real.now(tz) + delta

        @classmethod
        def utcnow(cls) -> Any:
            return real.utcnow() + delta

        @classmethod
        def today(cls) -> Any:
            return real.today() + delta

    class ShiftedDate(datetime.date):
        @classmethod
        def today(cls) -> Any:
            return datetime.date.fromordinal((real.today() + delta).toordinal())

    datetime.datetime = ShiftedDatetime  # type: ignore[misc]
    datetime.date = ShiftedDate  # type: ignore[misc]


def snapshot(store: Path, target: Path) -> None:
    """A consistent copy of the SQLite store (WAL included)."""
    with sqlite3.connect(store) as source, sqlite3.connect(target) as copy:
        source.backup(copy)


def run(request: dict[str, Any]) -> dict[str, Any]:
    shift_clock(float(request["shift"]))
    from durable_runtime.local import LocalRuntime

    store = Path(request["store"])
    if request.get("snapshot"):
        shutil.copyfile(request["snapshot"], store)
    runtime = LocalRuntime(store, skip_time=False)  # timers are skipped by hand, one suspension at a time
    if request.get("snapshot"):
        arn = runtime.executions()[0].arn
    else:
        arn = runtime.start(request["module"], request["handler"], request["input"])
    snapshots: list[str] = []
    for _ in range(MAX_INVOCATIONS):
        runtime.drive(arn, detach=True)
        record = runtime.store.load_execution(arn)
        if record.is_terminal:
            break
        if request.get("snapshots_dir"):
            target = Path(request["snapshots_dir"]) / f"suspension-{len(snapshots) + 1}.db"
            snapshot(store, target)
            snapshots.append(str(target))
        due = runtime.backend.next_due(arn)
        if due is None:
            break  # waiting for a callback nobody will answer
        runtime.backend.clock.advance_to(due)
    trace = _trace(runtime, arn, runtime.locations(arn))  # kept in the store: replays in fresh processes too
    trace["snapshots"] = snapshots
    runtime.close()
    return trace


def _trace(runtime: Any, arn: str, lines: dict[str, tuple[str, int]]) -> dict[str, Any]:
    record = runtime.store.load_execution(arn)
    operations = runtime.store.load_operations(arn)
    order: list[str] = []
    for event in runtime.store.events(arn):
        op_id = event.get("Id")
        if op_id in operations and op_id not in order:
            order.append(op_id)
    return {
        "status": record.status,
        "result": record.result,
        "error": record.error,
        "operations": [_operation(operations[i], lines.get(i)) for i in order],
    }


def _operation(op: Any, line: tuple[str, int] | None) -> dict[str, Any]:
    error = f"{op.error.type}: {op.error.message}" if op.error is not None else None
    return {
        "id": op.operation_id, "type": op.operation_type.value, "sub_type": op.sub_type, "name": op.name,
        "parent": op.parent_id, "status": op.status.value, "value": op.result if error is None else error,
        "line": line[1] if line else None,
    }


def main() -> None:
    request = json.loads(Path(sys.argv[1]).read_text())
    sys.path.insert(0, str(Path(request["module"]).parent))
    json.dump(run(request), sys.stdout)


if __name__ == "__main__":
    main()
