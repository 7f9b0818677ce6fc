"""DUR702 operation-in-finally."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import first_operation, operation, walk
from durable_compile.analyze.rule import FileContext, Rule

#: operations that suspend the invocation every time they first run (a step suspends only on a retry delay)
SUSPENDING = frozenset({"wait", "wait_for_callback", "wait_for_condition", "invoke"})


class OperationInFinally(Rule):
    """A durable operation in a `finally` block whose `try` runs an operation that suspends.

    When an operation in the `try` suspends (a wait, a pending callback, an invoke), the SDK raises
    its suspension through the `finally`, which then starts another operation while the invocation is
    being suspended. On the next replay that operation is found at a position where the handler now
    calls something else, and the execution fails with `NonDeterministicExecutionError` (seen on AWS's
    local runner and on durable_runtime alike). Run clean-up operations after the `try` statement, or
    in an `except Exception` handler that re-raises: suspension is a BaseException and passes by it.
    Steps suspend only while a retry delay runs; a `try` of steps alone is not reported (a known gap).
    """

    code = dx.register(dx.Code(
        "DUR702", "operation-in-finally", dx.Severity.ERROR,
        "a durable operation in `finally` runs while the `try`'s operations are suspending",
        "move the operation after the try statement, or into `except Exception:` followed by `raise`",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    try:
        context.wait(Duration.from_minutes(5), name="cool-off")
    except Exception:
        context.step(lambda _: "undo", name="undo")
        raise
    finally:
        context.logger.info("done waiting")
    context.step(lambda _: "cleanup", name="cleanup")
    try:
        context.step(lambda _: 1, name="one")
    finally:
        context.step(lambda _: "release", name="release")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    try:
        context.wait(Duration.from_minutes(5), name="cool-off")
    finally:
        context.step(lambda _: "cleanup", name="cleanup")  # expect: DUR702
    try:
        answer = context.wait_for_callback(lambda cid, c: None, name="approval")
    finally:
        context.invoke("audit", {"answered": True})  # expect: DUR702
""",
    )

    def visit_Try(self, node: ast.Try, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or not node.finalbody:
            return
        guarded = [*node.body, *node.orelse, *(h for h in node.handlers)]
        if not _suspends(guarded, frame.contexts):
            return
        found = first_operation(list(node.finalbody), frame.contexts)
        if found is not None:
            ctx.report(found, self.code.code, "this durable operation in `finally` starts while an operation of the "
                                              "`try` may be suspending; the replay then fails as non-deterministic")

    visit_TryStar = visit_Try


def _suspends(nodes: list[ast.stmt] | list[ast.AST], contexts: frozenset[str] | set[str]) -> bool:
    return any(node.__class__ is ast.Call and operation(node, contexts) in SUSPENDING for node in walk(list(nodes)))

