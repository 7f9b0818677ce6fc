"""Seeded generators, name-based uuids and stable digests are deterministic."""
import hashlib
import random
import uuid
import zlib

from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    seed = context.step(lambda _: random.randrange(1 << 30), name="seed")
    rng = random.Random(seed)
    order = list(event["items"])
    rng.shuffle(order)
    key = uuid.uuid5(uuid.NAMESPACE_URL, event["order_id"])
    shard = zlib.crc32(event["order_id"].encode()) % 8
    digest = hashlib.sha256(str(key).encode()).hexdigest()
    if shard > 3:
        context.step(lambda _: digest, name="high-shard")
    for i, item in enumerate(order):
        context.step(lambda _: item, name=f"item-{i}")
    return {"key": str(key), "hash": hash(3)}
