"""DUR503 global-mutation."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import flow_of, mutation_target
from durable_compile.analyze.rule import FileContext, MutationRule


class GlobalMutation(MutationRule):
    """Orchestration code that changes module-level state.

    A warm Lambda sandbox keeps module globals between invocations (and between executions), so state
    mutated by one replay is seen by the next one and by other executions: counters drift, caches fill
    with another execution's data, and decisions taken from them differ.
    """

    code = dx.register(dx.Code(
        "DUR503", "global-mutation", dx.Severity.ERROR, "orchestration code mutates module-level state",
        "keep state in local variables and rebuild it from step results",
    ))
    VALID = (
        """
LIMITS = {"max": 3}
@durable_execution
def handler(event, context: DurableContext):
    seen = {}
    seen["n"] = LIMITS["max"]
    return context.step(lambda _: seen, name="seen")
""",
    )
    INVALID = (
        """
CACHE = {}
COUNT = 0
@durable_execution
def handler(event, context: DurableContext):
    global COUNT  # expect: DUR503
    COUNT += 1
    CACHE[event["id"]] = context.step(lambda _: 1, name="one")  # expect: DUR503
    CACHE.clear()  # expect: DUR503
""",
    )

    def check(self, node: ast.AST, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration:
            return
        target = mutation_target(node)
        if target is not None and target.id in ctx.index.globals and target.id not in flow_of(frame.node, ctx).locals:
            ctx.report(node, self.code.code, f"orchestration code mutates the module-level `{target.id}`, which "
                                             "outlives the invocation in a warm sandbox")

    def visit_Delete(self, node: ast.Delete, ctx: FileContext) -> None:
        self.check(node, ctx)

    def visit_Global(self, node: ast.Global, ctx: FileContext) -> None:
        if ctx.in_orchestration:
            ctx.report(node, self.code.code, f"orchestration code rebinds the module-level `{', '.join(node.names)}`, "
                                             "which outlives the invocation in a warm sandbox")
