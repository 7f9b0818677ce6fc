"""A handler that starts no durable operation never replays: clocks and ids are at most info there."""
import uuid
from datetime import datetime, timezone

from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    return {"received": datetime.now(timezone.utc).isoformat(), "id": str(uuid.uuid4())}
