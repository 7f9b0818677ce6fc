"""DUR504 mutable-global-read."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import flow_of, mutated_globals
from durable_compile.analyze.regions import contains_operations
from durable_compile.analyze.rule import FileContext, Rule


class MutableGlobalRead(Rule):
    """A decision about durable operations that reads a module-level name mutated somewhere.

    Module state survives between invocations in a warm sandbox and starts empty in a cold one: the same
    replay can see different values depending on where it runs, and take another branch.
    """

    code = dx.register(dx.Code(
        "DUR504", "mutable-global-read", dx.Severity.WARNING,
        "orchestration decides on a module-level name that is mutated somewhere",
        "pass the value in the event, or read it in a step",
    ))
    VALID = (
        """
RETRIES = 3
@durable_execution
def handler(event, context: DurableContext):
    if RETRIES > 2:
        context.wait(Duration.from_seconds(1), name="w")
""",
    )
    INVALID = (
        """
SEEN = set()
def remember(x):
    SEEN.add(x)
@durable_execution
def handler(event, context: DurableContext):
    if event["id"] not in SEEN:  # expect: DUR504
        context.step(lambda _: remember(event["id"]), name="mark")
""",
    )

    def _check(self, test: ast.AST, governed: list[ast.AST], ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or not contains_operations(governed, frame.contexts):
            return
        mutated = mutated_globals(ctx)
        if not mutated:
            return
        local = flow_of(frame.node, ctx).locals
        for node in ast.walk(test):
            if isinstance(node, ast.Name) and node.id in mutated and node.id not in local:
                ctx.report(node, self.code.code, f"this decision reads the module-level `{node.id}`, which is "
                                                 "mutated elsewhere and differs between sandboxes")
                return

    def visit_If(self, node: ast.If, ctx: FileContext) -> None:
        self._check(node.test, [*node.body, *node.orelse], ctx)

    def visit_While(self, node: ast.While, ctx: FileContext) -> None:
        self._check(node.test, [*node.body, *node.orelse], ctx)

    def visit_For(self, node: ast.For, ctx: FileContext) -> None:
        self._check(node.iter, list(node.body), ctx)

    def visit_IfExp(self, node: ast.IfExp, ctx: FileContext) -> None:
        self._check(node.test, [node.body, node.orelse], ctx)
