"""DUR900 unresolved-region."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.rule import FileContext, Rule


class UnresolvedRegion(Rule):
    """A step body or child function the analyzer could not follow (a note, hidden by default).

    The callable handed to `step`, `run_in_child_context`, `parallel` or `map` is a name or expression
    that does not resolve to a def in this file (an attribute, a variable, an imported factory). Its body
    is not checked: this note says so instead of treating it as clean. Show with `--select DUR900`.
    """

    code = dx.register(dx.Code(
        "DUR900", "unresolved-region", dx.Severity.NOTE, "a step or child function could not be resolved",
        "pass a def, a lambda or a @durable_step call defined in this file to have it checked",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    def body(step_ctx):
        return 1
    return context.step(body, name="body")
""",
    )
    INVALID = (
        """
import tasks
@durable_execution
def handler(event, context: DurableContext):
    fn = tasks.pick(event)  # expect: DUR900
    context.step(fn, name="dynamic")
    return context.run_in_child_context(tasks.child, name="c")  # expect: DUR900
""",
    )

    def end(self, ctx: FileContext) -> None:
        for node, what in ctx.regions.unresolved:
            ctx.report(node, self.code.code, f"the {what} could not be resolved; its body is not checked")
