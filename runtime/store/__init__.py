"""Where executions live: `MemoryStore` for tests, `SqliteStore` (one WAL file) as the durable default."""

from durable_runtime.store.base import ExecutionRecord, LeaseLostError, Store
from durable_runtime.store.memory import MemoryStore

__all__ = ["ExecutionRecord", "LeaseLostError", "MemoryStore", "Store"]
