"""DUR501 durable-op-in-step."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import operation, passes_context
from durable_compile.analyze.rule import FileContext, Rule


class DurableOpInStep(Rule):
    """A durable operation started inside a step body, on a context captured from outside.

    The step's body runs once and only its result is checkpointed. An operation started inside it is
    accepted on the first run but is not at its position when the execution replays (the step is
    skipped), so the replay fails. Helpers that receive the captured context inside a step count too.
    """

    code = dx.register(dx.Code(
        "DUR501", "durable-op-in-step", dx.Severity.ERROR, "a durable operation is started inside a step",
        "use run_in_child_context to group operations, or make them sibling steps",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    def both(child: DurableContext):
        a = child.step(lambda _: 1, name="a")
        return a + child.step(lambda _: 2, name="b")
    return context.run_in_child_context(both, name="both")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    def body(step_ctx):
        context.wait(Duration.from_seconds(1), name="inner")  # expect: DUR501
        return 1
    context.step(body, name="outer")
    context.step(lambda _: context.step(lambda _: 2, name="x"), name="y")  # expect: DUR501
""",
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_step or not frame.outer:
            return
        op = operation(node, frame.outer)
        if op is not None:
            ctx.report(node, self.code.code, f"`{op}` on the captured context runs inside a step body; the replay "
                                             "skips the step and fails at this operation")
        elif passes_context(node, frame.outer):
            ctx.report(node, self.code.code, "the captured durable context is handed to a helper inside a step body")
