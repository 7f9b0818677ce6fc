"""DUR603 unnamed-operation."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import argument, operation
from durable_compile.analyze.rule import FileContext, Rule
from durable_compile.analyze.tables import NAME_INDEX

NAMED_KINDS = ("step", "wait", "create_callback", "wait_for_callback")


class UnnamedOperation(Rule):
    """A step from a lambda or plain def, a wait or a callback without `name=` (off by default).

    Such operations get no name (only `@durable_step` functions carry one), which makes the history,
    the console and test lookups by name harder to read. Enable with `--select DUR603`.
    """

    code = dx.register(dx.Code(
        "DUR603", "unnamed-operation", dx.Severity.INFO, "an operation has no name",
        "pass name=... (or use a @durable_step function)",
    ))
    VALID = (
        """
@durable_step
def charge(step_ctx: StepContext, n: int) -> int:
    return n
@durable_execution
def handler(event, context: DurableContext):
    context.step(charge(1))
    context.wait(Duration.from_seconds(1), name="pause")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    context.step(lambda _: 1)  # expect: DUR603
    context.wait(Duration.from_seconds(1))  # expect: DUR603
""",
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration:
            return
        op = operation(node, frame.contexts)
        if op not in NAMED_KINDS or argument(node, NAME_INDEX[op], "name") is not None:
            return
        if op == "step" and isinstance(argument(node, 0, "func"), ast.Call):
            return  # a @durable_step factory call carries its function's name
        ctx.report(node, self.code.code, f"this {op} has no name")
