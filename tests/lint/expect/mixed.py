"""One handler with many mistakes: every marked line, and only those, must be reported."""
import os
import random
import threading
import time
import uuid
from datetime import datetime as dt

import boto3
from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
from aws_durable_execution_sdk_python.config import Duration

SQS = boto3.client("sqs")
COUNTERS: dict = {}


def today() -> str:
    return dt.today().isoformat()


def label() -> str:
    return f"run-{today()}"


def only_in_steps() -> float:
    return time.time()


@durable_step
def charge(step_ctx, order: dict) -> dict:
    order["charged_at"] = only_in_steps()
    return order


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    name = label()  # expect: DUR101
    charged = context.step(charge(event), name="charge")
    SQS.send_message(QueueUrl="q", MessageBody="x")  # expect: DUR202
    if random.random() > 0.5:  # expect: DUR102, DUR401
        context.wait(Duration.from_seconds(10), name="maybe-wait")
    token = uuid.uuid4().hex  # expect: DUR103
    context.step(lambda _: token, name=f"use-{token}")  # expect: DUR601
    time.sleep(1)  # expect: DUR301
    stage = os.getenv("STAGE")  # expect: DUR105
    print("stage", stage)  # expect: DUR205
    COUNTERS[event["id"]] = charged  # expect: DUR503
    for tag in {"a", "b"}:  # expect: DUR402
        context.step(lambda _: tag, name=f"tag-{tag}")
    threading.Thread(target=lambda: context.step(lambda _: 1, name="t")).start()  # expect: DUR302, DUR303
    try:
        context.wait(Duration.from_seconds(5), name="w")
    except:  # expect: DUR701
        pass
    try:
        context.wait(Duration.from_seconds(5), name="w2")
    finally:
        context.step(lambda _: "cleanup", name="cleanup")  # expect: DUR702
    return {"name": name, "charged": charged}
