"""DUR601 non-deterministic-name."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import taint_of
from durable_compile.analyze.regions import argument, operation
from durable_compile.analyze.rule import FileContext, Rule
from durable_compile.analyze.tables import NAME_INDEX


class NondeterministicName(Rule):
    """An operation name built from a non-deterministic value.

    SDK 3 compares each operation's name with its checkpoint on replay; a name that contains a
    timestamp, a random number or a fresh uuid differs on the next invocation and the execution fails
    with NonDeterministicExecutionError. Names from the input, loop indexes over input and step results
    are fine.
    """

    code = dx.register(dx.Code(
        "DUR601", "non-deterministic-name", dx.Severity.ERROR,
        "an operation name is built from a non-deterministic value",
        "use a literal name, or build it from the input or from step results",
    ))
    VALID = (
        """
import uuid
@durable_execution
def handler(event, context: DurableContext):
    ident = context.step(lambda _: str(uuid.uuid4()), name="id")
    context.step(lambda _: 1, name=f"charge-{ident}")
    for i, item in enumerate(event["items"]):
        context.step(lambda _: item, name=f"item-{i}")
""",
    )
    INVALID = (
        """
import time, uuid
@durable_execution
def handler(event, context: DurableContext):
    stamp = int(time.time())
    context.step(lambda _: 1, name=f"charge-{stamp}")  # expect: DUR601
    context.wait(Duration.from_seconds(5), f"wait-{uuid.uuid4()}")  # expect: DUR601
""",
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration:
            return
        op = operation(node, frame.contexts)
        if op is None:
            return
        name = argument(node, NAME_INDEX[op], "name")
        reason = taint_of(name, ctx) if name is not None else None
        if name is not None and reason is not None:
            ctx.report(name, self.code.code, f"the name of this {op} depends on {reason}; the SDK checks names "
                                             "on replay, so the next invocation fails")
