"""Module-level set-up runs once per sandbox: clients, configuration, loggers are fine there."""
import logging
import os

import boto3
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

TABLE = os.environ.get("TABLE", "orders")
DDB = boto3.resource("dynamodb").Table(TABLE)
LOG = logging.getLogger(__name__)
LOG.setLevel(logging.INFO)
STARTED_AT = None


@durable_execution
def handler(event: dict, context: DurableContext) -> dict:
    context.logger.info("processing", extra={"order": event["order_id"]})
    saved = context.step(lambda _: DDB.put_item(Item={"id": event["order_id"]}), name="save")
    context.wait(Duration.from_minutes(1), name="settle")
    return {"saved": saved, "table": TABLE}


@durable_execution
def second(event: dict, context: DurableContext) -> dict:
    LOG = context.logger
    LOG.info("replay-safe logger bound to a local name")
    return context.step(lambda _: 1, name="one")
