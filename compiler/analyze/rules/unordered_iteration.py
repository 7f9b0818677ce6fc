"""DUR402 unordered-iteration."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import is_unordered
from durable_compile.analyze.regions import contains_operations, operation
from durable_compile.analyze.rule import Edit, FileContext, Fix, Rule


class UnorderedIteration(Rule):
    """Iterating an unordered collection to start durable operations or build their names.

    Sets of strings iterate in an order that depends on the per-process hash seed, and directory
    listings in file-system order: the n-th operation started by the loop can be a different one on
    replay. `--fix` wraps the iterable in `sorted(...)`.
    """

    code = dx.register(dx.Code(
        "DUR402", "unordered-iteration", dx.Severity.ERROR,
        "iteration over an unordered collection starts durable operations",
        "iterate over sorted(...) of the collection",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    for tag in sorted(set(event["tags"])):
        context.step(lambda _: tag, name=f"tag-{tag}")
    return len({t for t in event["tags"]})
""",
    )
    INVALID = (
        """
import os
@durable_execution
def handler(event, context: DurableContext):
    tags = set(event["tags"]) | {"default"}
    for tag in tags:  # expect: DUR402
        context.step(lambda _: tag, name=f"tag-{tag}")
    results = [context.step(lambda _: f, name=f) for f in os.listdir("/tmp")]  # expect: DUR402
    return results
""",
    )

    def _check(self, iterable: ast.expr, governed: list[ast.AST], ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or not contains_operations(governed, frame.contexts):
            return
        if is_unordered(iterable, ctx):
            start, end = ctx.node_range(iterable)
            fix = Fix("iterate in sorted order", (Edit(start, start, "sorted("), Edit(end, end, ")")))
            ctx.report(iterable, self.code.code, "this loop starts durable operations in the iteration order of an "
                                                 "unordered collection, which can differ on replay", fix=fix)

    def visit_For(self, node: ast.For, ctx: FileContext) -> None:
        self._check(node.iter, [*node.body], ctx)

    def visit_comprehension(self, node: ast.comprehension, ctx: FileContext) -> None:
        owner = ctx.parent()
        produced = [getattr(owner, f) for f in ("elt", "key", "value") if hasattr(owner, f)]
        self._check(node.iter, produced, ctx)

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        func = node.func
        if frame is None or not ctx.in_orchestration or not isinstance(func, ast.Attribute) or func.attr != "pop":
            return
        if not node.args and is_unordered(func.value, ctx) and _feeds_operation(ctx, frame.contexts):
            ctx.report(node, self.code.code, "`set.pop()` takes an arbitrary element, which can differ on replay")


def _feeds_operation(ctx: FileContext, contexts: frozenset[str]) -> bool:
    return any(operation(a, contexts) for a in ctx.ancestors) or contains_operations(
        [a for a in ctx.ancestors if isinstance(a, (ast.For, ast.While))], contexts)
