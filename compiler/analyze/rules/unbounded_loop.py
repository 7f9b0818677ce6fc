"""DUR404 unbounded-durable-loop."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import NESTED, contains_operations
from durable_compile.analyze.rule import FileContext, Rule


class UnboundedLoop(Rule):
    """A `while True` (or `itertools.count()`) loop of durable operations with no way out.

    Every iteration adds operations to the execution's history (about 3,000 at most) and a replay walks
    them all again. A loop that polls until something happens is what `wait_for_condition` is for.
    """

    code = dx.register(dx.Code(
        "DUR404", "unbounded-durable-loop", dx.Severity.INFO,
        "an endless loop starts durable operations", "use wait_for_condition, or bound the loop",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    while True:
        done = context.step(lambda _: True, name="poll")
        if done:
            break
        context.wait(Duration.from_seconds(10), name="sleep")
""",
    )
    INVALID = (
        """
import itertools
@durable_execution
def handler(event, context: DurableContext):
    for n in itertools.count():  # expect: DUR404
        context.step(lambda _: n, name=f"tick-{n}")
""",
    )

    def _check(self, loop: ast.While | ast.For, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or not contains_operations(loop.body, frame.contexts):
            return
        if not _has_exit(loop.body):
            ctx.report(loop, self.code.code, "this loop never ends by itself while it keeps starting durable "
                                             "operations")

    def visit_While(self, node: ast.While, ctx: FileContext) -> None:
        if isinstance(node.test, ast.Constant) and node.test.value in (True, 1):
            self._check(node, ctx)

    def visit_For(self, node: ast.For, ctx: FileContext) -> None:
        if isinstance(node.iter, ast.Call) and ctx.index.qualify(node.iter.func) == "itertools.count":
            self._check(node, ctx)


def _has_exit(body: list[ast.stmt]) -> bool:
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Return, ast.Raise)):
            return True
        if isinstance(node, (*NESTED, ast.For, ast.While, ast.AsyncFor)):
            if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):  # a return inside still leaves
                stack.extend(n for n in ast.walk(node) if isinstance(n, (ast.Return, ast.Raise)))
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False
