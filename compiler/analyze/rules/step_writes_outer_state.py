"""DUR502 step-writes-outer-state."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.flow import flow_of, mutation_target
from durable_compile.analyze.regions import Kind
from durable_compile.analyze.rule import FileContext, MutationRule
from durable_compile.analyze.walk import walk


class StepWritesOuterState(MutationRule):
    """A step body that writes to variables outside itself.

    On replay the step body does not run (its checkpointed result is returned instead), so the write
    never happens and code after the step sees the old value. Error when the written name is read again
    outside the step; a write-only collector (never read afterwards) is reported as info.
    """

    code = dx.register(dx.Code(
        "DUR502", "step-writes-outer-state", dx.Severity.ERROR,
        "a step body writes to state outside the step", "return the value from the step and use the result",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    def work(step_ctx):
        local = []
        local.append(1)
        return local
    totals = context.step(work, name="work")
    return totals
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    seen = []
    state = {}
    def work(step_ctx):
        seen.append(1)  # expect: DUR502
        state["n"] = 2  # expect: DUR502
        return 0
    context.step(work, name="work")
    return len(seen)
""",
    )

    def check(self, node: ast.AST, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_step:
            return
        target = mutation_target(node)
        if target is None or target.id in flow_of(frame.node, ctx).locals or target.id in ctx.index.imports.aliases:
            return
        read = _read_elsewhere(target.id, frame.node, ctx)
        if not read and target.id not in ctx.index.globals and not _enclosing_binds(target.id, ctx):
            return
        severity = None if read else dx.Severity.INFO
        tail = "code after the step reads it, but on replay" if read else "on replay"
        ctx.report(node, self.code.code, f"the step writes to `{target.id}` outside itself; {tail} the step body "
                                         "does not run and the write is lost", severity=severity)

    def visit_Global(self, node: ast.Global, ctx: FileContext) -> None:
        self._rebind(node, ctx)

    def visit_Nonlocal(self, node: ast.Nonlocal, ctx: FileContext) -> None:
        self._rebind(node, ctx)

    def _rebind(self, node: ast.Global | ast.Nonlocal, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is not None and ctx.in_step:
            names = ", ".join(node.names)
            ctx.report(node, self.code.code, f"the step rebinds `{names}` outside itself; on replay the step body "
                                             "does not run and the new value is lost")


def _enclosing_binds(name: str, ctx: FileContext) -> bool:
    return any(name in flow_of(f.node, ctx).locals for f in ctx.frames[:-1])


def _read_elsewhere(name: str, step: ast.AST, ctx: FileContext) -> bool:
    """Is `name` read by orchestration code outside the step (the enclosing regions, or any for globals)?"""
    inside = {id(n) for n in walk(step)}
    scopes = [f.node for f in ctx.frames[:-1] if f.kind is Kind.ORCHESTRATION]
    if not scopes:
        scopes = [fn.node for fn in ctx.index.functions.values()
                  if (r := ctx.regions.get(fn.node)) is not None and r.kind is Kind.ORCHESTRATION]
    for scope in scopes:
        for node in ctx.index.own(scope) if scope is not step else ():
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) and \
                    id(node) not in inside:
                return True
    return False
