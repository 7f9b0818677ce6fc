"""DUR202 aws-sdk-call."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class AwsSdkCall(BannedCallRule):
    """Calling an AWS service in orchestration code.

    A boto3 call (`put_item`, `send_message`, ...) made outside a step is repeated on every replay, so
    its side effect happens again and its answer may differ. Building the client (module-level or local)
    is fine; calling a method on it, or Powertools' parameter helpers, is flagged.
    """

    code = dx.register(dx.Code(
        "DUR202", "aws-sdk-call", dx.Severity.ERROR, "an AWS API is called in orchestration code",
        "call it inside a step (building the client outside is fine)",
    ))
    verb = "calls an AWS API"
    VALID = (
        """
import boto3
DDB = boto3.client("dynamodb")
@durable_execution
def handler(event, context: DurableContext):
    s3 = boto3.client("s3")
    context.step(lambda _: DDB.put_item(TableName="t", Item={}), name="save")
    return context.step(lambda _: s3.list_buckets(), name="buckets")
""",
    )
    INVALID = (
        """
import boto3
DDB = boto3.client("dynamodb")
@durable_execution
def handler(event, context: DurableContext):
    DDB.put_item(TableName="t", Item={})  # expect: DUR202
    boto3.resource("s3").Bucket("b")  # expect: DUR202
    return context.step(lambda _: 1, name="one")
""",
    )
