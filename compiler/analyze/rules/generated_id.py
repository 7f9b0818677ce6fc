"""DUR103 generated-id."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class GeneratedId(BannedCallRule):
    """Fresh identifiers generated in orchestration code.

    `uuid4()` (and `uuid1/6/7`, ulid, nanoid, shortuuid, bson `ObjectId()`) returns a new value on every
    replay, so an id used as an idempotency key, a record key or an operation name is not the one the
    first run used. Name-based UUIDs (`uuid3`, `uuid5`) are deterministic and fine.
    """

    code = dx.register(dx.Code(
        "DUR103", "generated-id", dx.Severity.ERROR, "a fresh id is generated in orchestration code",
        "generate the id in a step, or derive it with uuid5 from the execution ARN and a counter",
    ))
    verb = "generates a new id"
    fixable = True
    VALID = (
        """
import uuid
@durable_execution
def handler(event, context: DurableContext):
    key = uuid.uuid5(uuid.NAMESPACE_URL, event["order_id"])
    ident = context.step(lambda _: str(uuid.uuid4()), name="id")
    return context.step(lambda _: (str(key), ident), name="keys")
""",
    )
    INVALID = (
        """
from uuid import uuid4
import uuid as u
@durable_execution
def handler(event, context: DurableContext):
    a = uuid4()  # expect: DUR103
    b = u.uuid1()  # expect: DUR103
    return context.step(lambda _: 1, name="one")
""",
    )
