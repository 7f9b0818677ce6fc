"""DUR403 unordered-leak."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import is_unordered
from durable_compile.analyze.regions import operation
from durable_compile.analyze.rule import FileContext, Rule


class UnorderedLeak(Rule):
    """An unordered collection turned into a sequence that reaches an operation or the result.

    `list(s)`, `tuple(s)`, `next(iter(s))` and `"".join(s)` of a set fix an order that depends on the
    hash seed. Passed to an operation, used in a name or returned, the value differs between runs.
    """

    code = dx.register(dx.Code(
        "DUR403", "unordered-leak", dx.Severity.WARNING,
        "a set is turned into a sequence that reaches an operation or the result",
        "use sorted(...) instead of list(...)/tuple(...)/join",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    tags = sorted(set(event["tags"]))
    return context.step(lambda _: ",".join(tags), name="tags")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    tags = set(event["tags"])
    context.step(lambda _: 1, name=",".join(tags))  # expect: DUR403
    return list(tags)  # expect: DUR403
""",
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or len(node.args) != 1:
            return
        arg = node.args[0]
        func = ctx.index.qualify(node.func)
        if func == "builtins.next" and isinstance(arg, ast.Call) and ctx.index.qualify(arg.func) == "builtins.iter":
            arg = arg.args[0] if arg.args else arg
        elif not (func in ("builtins.list", "builtins.tuple") or
                  isinstance(node.func, ast.Attribute) and node.func.attr == "join"):
            return
        if is_unordered(arg, ctx) and any(isinstance(a, ast.Return) or operation(a, frame.contexts)
                                          for a in ctx.ancestors):
            ctx.report(node, self.code.code, "this fixes the arbitrary order of a set and passes it on; "
                                             "the order can differ on replay")
