"""Steps may do anything: clock, randomness, ids, I/O, environment, logging."""
import os
import random
import time
import uuid
from datetime import datetime

import boto3
import requests
from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step

S3 = boto3.client("s3")


@durable_step
def fetch(step_ctx: StepContext, url: str) -> dict:
    started = time.time()
    body = requests.get(url, timeout=5).json()
    S3.put_object(Bucket=os.environ["BUCKET"], Key=str(uuid.uuid4()), Body=b"x")
    print("fetched", url, time.time() - started)
    with open("/tmp/last", "w") as f:
        f.write(datetime.now().isoformat())
    return {"body": body, "jitter": random.random()}


def audit(step_ctx) -> str:
    return f"{os.getenv('STAGE')}-{datetime.utcnow().isoformat()}"


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    page = context.step(fetch(event["url"]), name="fetch")
    stamp = context.step(lambda _: datetime.now().isoformat(), name="stamp")
    trail = context.step(audit, name="audit")

    def token(step_ctx) -> str:
        return uuid.uuid4().hex

    tok = context.step(token, name="token")
    return {"page": page, "stamp": stamp, "trail": trail, "token": tok}
