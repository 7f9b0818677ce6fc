"""The durable store: one SQLite file in WAL mode; every change is one `BEGIN IMMEDIATE` transaction.

Durability: `synchronous=NORMAL` by default. In WAL mode a COMMIT has written the transaction to the WAL
file before it returns, so a killed process (SIGKILL, crash, OOM) loses no committed checkpoint; only an
operating-system crash or power loss can drop the last commits. `DURABLE_SQLITE_SYNC=FULL` adds an fsync
per commit for that case. A step's result is committed before the step's value is returned to the
handler, so no completed step is ever re-run after a process crash.

Leases: an execution is run by one process at a time. A lease is taken in a transaction and is free when
it is unset, expired, or held by a process of this host that no longer exists.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sqlite3
import threading
from pathlib import Path
from typing import Any

from durable_runtime.lambda_service import Operation
from durable_runtime.store.base import ConflictError, ExecutionRecord, LeaseLostError, RecordUpdate

SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, status TEXT NOT NULL, start REAL NOT NULL, next_wake REAL,
    needs_invocation INTEGER NOT NULL, owner TEXT, lease_until REAL, record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
    arn TEXT NOT NULL, id TEXT NOT NULL, active INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (arn, id)
);
CREATE INDEX IF NOT EXISTS active_operations ON operations (arn) WHERE active = 1;
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, arn TEXT NOT NULL, batch TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_of ON events (arn, seq);
"""


def _dump(record: ExecutionRecord) -> str:
    return json.dumps(dataclasses.asdict(record), separators=(",", ":"))


def _op_json(op: Operation) -> str:
    return json.dumps(op.to_dict(), separators=(",", ":"))


def _load(text: str) -> ExecutionRecord:
    return ExecutionRecord(**json.loads(text))


class SqliteStore:
    durable = True

    def __init__(self, path: str | Path, synchronous: str | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.synchronous = (synchronous or os.environ.get("DURABLE_SQLITE_SYNC") or "NORMAL").upper()
        self._local = threading.local()
        self._conn().executescript(SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            self._local.conn = conn
        return conn

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn())

    # -- writes ---------------------------------------------------------------------------------------

    def create_execution(
        self, record: ExecutionRecord, operations: list[Operation], events: list[dict[str, Any]]
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO executions VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
                (
                    record.arn,
                    record.status,
                    record.start_timestamp,
                    record.next_wake,
                    int(record.needs_invocation),
                    _dump(record),
                ),
            )
            self._write(db, record.arn, operations, events)

    def commit(
        self,
        arn: str,
        operations: list[Operation],
        events: list[dict[str, Any]],
        update: RecordUpdate | None = None,
        owner: str | None = None,
        expected: dict[str, str] | None = None,
    ) -> ExecutionRecord | None:
        with self._transaction() as db:
            if owner is not None:
                held = db.execute("SELECT 1 FROM executions WHERE arn = ? AND owner = ?", (arn, owner)).fetchone()
                if held is None:
                    raise LeaseLostError(f"lease on {arn} lost")
            for op_id, status in (expected or {}).items():
                row = db.execute("SELECT body FROM operations WHERE arn = ? AND id = ?", (arn, op_id)).fetchone()
                if row is None or json.loads(row[0])["Status"] != status:
                    raise ConflictError(f"operation {op_id} is no longer {status}")
            self._write(db, arn, operations, events)
            if update is None:
                return None
            record = _load(db.execute("SELECT record FROM executions WHERE arn = ?", (arn,)).fetchone()[0])
            update(record)
            db.execute(
                "UPDATE executions SET status = ?, next_wake = ?, needs_invocation = ?, record = ? WHERE arn = ?",
                (record.status, record.next_wake, int(record.needs_invocation), _dump(record), arn),
            )
            return record

    @staticmethod
    def _write(db: sqlite3.Connection, arn: str, operations: list[Operation], events: list[dict[str, Any]]) -> None:
        if operations:
            latest = {op.operation_id: op for op in operations}  # several updates of one op: keep the last
            db.executemany(
                "INSERT INTO operations VALUES (?, ?, ?, ?) "
                "ON CONFLICT(arn, id) DO UPDATE SET active = excluded.active, body = excluded.body",
                [(arn, op.operation_id, int(not op.is_terminal), _op_json(op)) for op in latest.values()],
            )
        if events:
            db.execute("INSERT INTO events (arn, batch) VALUES (?, ?)", (arn, json.dumps(events)))

    # -- reads ----------------------------------------------------------------------------------------

    def load_execution(self, arn: str) -> ExecutionRecord:
        row = self._conn().execute("SELECT record FROM executions WHERE arn = ?", (arn,)).fetchone()
        if row is None:
            raise KeyError(f"no execution {arn!r}")
        return _load(row[0])

    def load_operations(self, arn: str) -> dict[str, Operation]:
        rows = self._conn().execute("SELECT id, body FROM operations WHERE arn = ? ORDER BY rowid", (arn,))
        return {op_id: Operation.from_dict(json.loads(body)) for op_id, body in rows}

    def active_operations(self, arn: str) -> list[Operation]:
        rows = self._conn().execute("SELECT body FROM operations WHERE arn = ? AND active = 1 ORDER BY rowid", (arn,))
        return [Operation.from_dict(json.loads(body)) for (body,) in rows]

    def events(self, arn: str) -> list[dict[str, Any]]:
        rows = self._conn().execute("SELECT batch FROM events WHERE arn = ? ORDER BY seq", (arn,))
        flat = [event for (batch,) in rows for event in json.loads(batch)]
        return [{**event, "EventId": number} for number, event in enumerate(flat, 1)]

    def list_executions(self, status: str | None = None) -> list[ExecutionRecord]:
        query = "SELECT record FROM executions" + (" WHERE status = ?" if status else "") + " ORDER BY start, arn"
        return [_load(text) for (text,) in self._conn().execute(query, (status,) if status else ())]

    def resolve(self, execution_id: str) -> str:
        row = (
            self._conn()
            .execute("SELECT arn FROM executions WHERE arn = ? OR arn LIKE ?", (execution_id, f"%/{execution_id}"))
            .fetchone()
        )
        if row is None:
            raise KeyError(f"no execution {execution_id!r}")
        return str(row[0])

    # -- leases ---------------------------------------------------------------------------------------

    def acquire(self, arn: str, owner: str, now: float, ttl: float) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT owner, lease_until FROM executions WHERE arn = ?", (arn,)).fetchone()
            if row is None:
                raise KeyError(f"no execution {arn!r}")
            holder, until = row
            if holder and holder != owner and until is not None and until > now and _alive(holder):
                return False
            db.execute("UPDATE executions SET owner = ?, lease_until = ? WHERE arn = ?", (owner, now + ttl, arn))
            return True

    def release(self, arn: str, owner: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE executions SET owner = NULL, lease_until = NULL WHERE arn = ? AND owner = ?", (arn, owner)
            )

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _alive(owner: str) -> bool:
    """Whether the lease holder (`host:pid:nonce`) may still be running."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
