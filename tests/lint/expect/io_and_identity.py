"""I/O, process identity, hashes, unordered leaks and mutable globals in orchestration code."""
import os
import socket
import subprocess

import httpx
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

FLAGS = {"fast": False}


def enable_fast() -> None:
    FLAGS["fast"] = True


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    host = socket.gethostname()  # expect: DUR104
    bucket = hash(event["id"]) % 4  # expect: DUR106
    page = httpx.get(event["url"]).text  # expect: DUR201
    listing = os.listdir("/tmp")  # expect: DUR203
    rev = subprocess.check_output(["git", "rev-parse", "HEAD"])  # expect: DUR204
    if FLAGS["fast"]:  # expect: DUR504
        context.wait(Duration.from_seconds(1), name="fast")
    seen = set(event["tags"])
    context.step(lambda _: 1, name="-".join(seen))  # expect: DUR403
    return {"host": host, "bucket": bucket, "page": page, "listing": listing, "rev": str(rev)}
