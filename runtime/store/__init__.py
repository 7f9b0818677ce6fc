"""Where executions live: `MemoryStore` for tests, `SqliteStore` (one WAL file) as the durable default."""

from durable_runtime.store.base import ConflictError, ExecutionRecord, LeaseLostError, Store
from durable_runtime.store.memory import MemoryStore
from durable_runtime.store.sqlite import SqliteStore

__all__ = ["ConflictError", "ExecutionRecord", "LeaseLostError", "MemoryStore", "SqliteStore", "Store"]
