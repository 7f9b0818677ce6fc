"""DUR106 hash-or-id."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule
from durable_compile.analyze.rule import FileContext


class HashOrId(BannedCallRule):
    """`hash()` or `id()` in orchestration code.

    String and bytes hashes are salted per process (PYTHONHASHSEED) and `id()` is a memory address, so
    both change between the first run and a replay. Ordering, bucketing or naming by them is not
    reproducible. Hashes of small integers are stable and not flagged.
    """

    code = dx.register(dx.Code(
        "DUR106", "hash-or-id", dx.Severity.WARNING, "hash() or id() is used in orchestration code",
        "use hashlib (e.g. hashlib.sha256) or zlib.crc32 for a stable digest",
    ))
    verb = "is salted per process"
    VALID = (
        """
import hashlib
@durable_execution
def handler(event, context: DurableContext):
    shard = int(hashlib.sha256(event["id"].encode()).hexdigest(), 16) % 8
    return context.step(lambda _: shard, name="shard")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    shard = hash(event["id"]) % 8  # expect: DUR106
    return context.step(lambda _: shard, name="shard")
""",
    )

    def accept(self, node: ast.Call, ctx: FileContext) -> bool:
        arg = node.args[0] if node.args else None
        return not (isinstance(arg, ast.Constant) and isinstance(arg.value, int))
