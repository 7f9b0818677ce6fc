"""DUR401 non-deterministic-control-flow."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import taint_of
from durable_compile.analyze.regions import contains_operations
from durable_compile.analyze.rule import FileContext, Rule


class NondeterministicBranch(Rule):
    """A decision about which durable operations run, taken on a non-deterministic value.

    If a condition, a loop's iterable or a `range` bound derives from the clock, randomness, ids, the
    environment or I/O (directly, through assignments, or through helpers), a replay can take another
    branch: the next operation at a position differs from the checkpoint and the SDK fails the execution
    with NonDeterministicExecutionError. Only decisions that govern durable operations are reported.
    """

    code = dx.register(dx.Code(
        "DUR401", "non-deterministic-control-flow", dx.Severity.ERROR,
        "a non-deterministic value decides which durable operations run",
        "make the decision inside a step and branch on the step's result",
    ))
    VALID = (
        """
import random
@durable_execution
def handler(event, context: DurableContext):
    coin = context.step(lambda _: random.random(), name="coin")
    if coin > 0.5:
        context.wait(Duration.from_seconds(1), name="w")
    for item in event["items"]:
        context.step(lambda _: item, name=f"item-{item}")
    return coin
""",
    )
    INVALID = (
        """
import random, time
@durable_execution
def handler(event, context: DurableContext):
    coin = random.random()
    late = time.time() > event["deadline"]
    if coin > 0.5:  # expect: DUR401
        context.wait(Duration.from_seconds(1), name="w")
    while not late:  # expect: DUR401
        context.step(lambda _: 1, name="poll")
    for i in range(int(coin * 10)):  # expect: DUR401
        context.step(lambda _: i, name=f"s{i}")
    return context.step(lambda _: 2, name="x") if coin else None  # expect: DUR401
""",
    )

    def _check(self, test: ast.AST, governed: list[ast.AST], ctx: FileContext, what: str) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or not contains_operations(governed, frame.contexts):
            return
        reason = taint_of(test, ctx)
        if reason is not None:
            ctx.report(test, self.code.code, f"{what} depends on {reason}, so a replay can start other durable "
                                             "operations than the first run")

    def visit_If(self, node: ast.If, ctx: FileContext) -> None:
        self._check(node.test, [*node.body, *node.orelse], ctx, "this branch")

    def visit_While(self, node: ast.While, ctx: FileContext) -> None:
        self._check(node.test, [*node.body, *node.orelse], ctx, "this loop condition")

    def visit_IfExp(self, node: ast.IfExp, ctx: FileContext) -> None:
        self._check(node.test, [node.body, node.orelse], ctx, "this conditional expression")

    def visit_For(self, node: ast.For, ctx: FileContext) -> None:
        self._check(node.iter, [*node.body, *node.orelse], ctx, "this loop's iterable")

    def visit_Match(self, node: ast.Match, ctx: FileContext) -> None:
        self._check(node.subject, [s for case in node.cases for s in case.body], ctx, "this match")

    def visit_comprehension(self, node: ast.comprehension, ctx: FileContext) -> None:
        owner = ctx.parent()
        if owner is None:
            return
        produced = [getattr(owner, f) for f in ("elt", "key", "value") if hasattr(owner, f)]
        self._check(node.iter, produced, ctx, "this comprehension's iterable")
        for condition in node.ifs:
            self._check(condition, produced, ctx, "this comprehension's condition")
