"""Helpers shared by the requirement handlers: serdes, crash simulation, unconditional logging."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.retries import RetryStrategyConfig, create_retry_strategy
from aws_durable_execution_sdk_python.serdes import SerDes
from tests.conformance.logsink import emit_json

__all__ = ["emit_json"]

_LOG = logging.getLogger("conformance.handler")


def fixed_retry(max_attempts: int, delay: int = 1, backoff: float = 1.0):
    """A retry strategy with a deterministic (jitter-free) delay."""
    return create_retry_strategy(
        RetryStrategyConfig(
            max_attempts=max_attempts,
            initial_delay=Duration.from_seconds(delay),
            backoff_rate=backoff,
            jitter_strategy=JitterStrategy.NONE,
        )
    )


def log_always(context: Any, message: str) -> None:
    """Log through the execution's log stream even while replaying ("replay logging enabled")."""
    arn = context.execution_context.durable_execution_arn
    _LOG.info(message, extra={"executionArn": arn})


def crash_once(key: str) -> None:
    """Kill the process (like a Lambda runtime crash) the first time `key` is seen."""
    folder = Path(os.environ.get("CONFORMANCE_CRASH_DIR", Path(tempfile.gettempdir()) / "conformance-crash"))
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / hashlib.sha256(key.encode()).hexdigest()[:32]
    if marker.exists():
        return
    marker.write_text(key)
    logging.shutdown()
    os._exit(17)


def _upper_all(value: Any) -> Any:
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, list):
        return [_upper_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _upper_all(v) for k, v in value.items()}
    return value


class UpperJsonSerDes(SerDes):
    """JSON, with every string value uppercased on the way out."""

    def serialize(self, value, serdes_context):
        return json.dumps(_upper_all(value))

    def deserialize(self, data, serdes_context):
        return json.loads(data)


class UpperRawSerDes(SerDes):
    """A string stored as its uppercase text (not JSON); read back unchanged."""

    def serialize(self, value, serdes_context):
        return str(value).upper()

    def deserialize(self, data, serdes_context):
        return data.upper()


class JsonSerDes(SerDes):
    """Plain JSON both ways."""

    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return None if data is None else json.loads(data)


class WrappedSerDes(SerDes):
    """Stores v as {"wrapped": v}; reads it back as v."""

    def serialize(self, value, serdes_context):
        return json.dumps({"wrapped": value})

    def deserialize(self, data, serdes_context):
        return json.loads(data)["wrapped"]


class PrefixSerDes(SerDes):
    """Stores a string v as "wrapped:v"; reads it back as v."""

    def serialize(self, value, serdes_context):
        return f"wrapped:{value}"

    def deserialize(self, data, serdes_context):
        return data.removeprefix("wrapped:")


class TypedPayloadSerDes(SerDes):
    """Reads a callback payload into a dict whose ISO `timestamp` becomes a datetime."""

    def serialize(self, value, serdes_context):
        return json.dumps(value, default=str)

    def deserialize(self, data, serdes_context):
        obj = json.loads(data)
        obj["timestamp"] = datetime.fromisoformat(obj["timestamp"].replace("Z", "+00:00"))
        return obj


class NumberSerDes(SerDes):
    """Reads a callback payload as a number."""

    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return int(json.loads(data))


class EncodedStateSerDes(SerDes):
    """Stores a string state as "enc:" + its reversed text; decodes it back."""

    def serialize(self, value, serdes_context):
        return "enc:" + value[::-1]

    def deserialize(self, data, serdes_context):
        return data.removeprefix("enc:")[::-1]


class OpSerDes(SerDes):
    """A whole-map-result serdes: "OPSERDE:" + the comma-joined results, read back as the list."""

    def serialize(self, value, serdes_context):
        results = value.get_results() if hasattr(value, "get_results") else value
        return "OPSERDE:" + ",".join(results)

    def deserialize(self, data, serdes_context):
        body = data.removeprefix("OPSERDE:")
        return body.split(",") if body else []


def results_of(batch: Any) -> list:
    """A batch's ordered results, whether the SDK returns a BatchResult or a deserialized list."""
    return batch.get_results() if hasattr(batch, "get_results") else list(batch)


def projection(batch: Any, *fields: str) -> dict:
    """The summary object the parallel/map requirements return, restricted to `fields`."""
    every = {
        "completionReason": getattr(batch.completion_reason, "value", batch.completion_reason),
        "status": getattr(batch.status, "value", batch.status),
        "successCount": batch.success_count,
        "failureCount": batch.failure_count,
        "totalCount": batch.total_count,
    }
    return {f: every[f] for f in fields}
