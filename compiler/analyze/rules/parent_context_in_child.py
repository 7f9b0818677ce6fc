"""DUR505 parent-context-in-child."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import operation
from durable_compile.analyze.rule import FileContext, Rule


class ParentContextInChild(Rule):
    """An operation started on an outer context from inside a child context, branch or map item.

    Each child has its own operation namespace and positions. Calling the parent's context from a branch
    interleaves the branches' operations in the parent in whatever order they run, which differs between
    runs. Use the child's own context parameter.
    """

    code = dx.register(dx.Code(
        "DUR505", "parent-context-in-child", dx.Severity.ERROR,
        "a child scope starts operations on its parent's context", "use the child's own context parameter",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    return context.parallel([lambda c: c.step(lambda _: 1, name="a"),
                             lambda c: c.step(lambda _: 2, name="b")], name="both")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    return context.map(event["items"],
                       lambda c, item, i, items: context.step(lambda _: item, name=f"i{i}"),  # expect: DUR505
                       name="items")
""",
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or frame.context is None:
            return
        op = operation(node, frame.outer - {frame.context})
        if op is not None:
            outer = node.func.value.id  # type: ignore[attr-defined]
            ctx.report(node, self.code.code, f"`{outer}.{op}` uses the parent's context inside a child scope whose "
                                             f"context is `{frame.context}`")
