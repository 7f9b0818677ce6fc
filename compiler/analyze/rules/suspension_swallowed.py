"""DUR701 suspension-swallowed."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import NESTED, contains_operations
from durable_compile.analyze.rule import Edit, FileContext, Fix, Rule


class SuspensionSwallowed(Rule):
    """Catching BaseException (or a bare `except:`) around durable operations.

    A wait, a pending callback or a retry delay suspends the invocation by raising `SuspendExecution`, a
    BaseException. A bare `except:`, `except BaseException` or `contextlib.suppress(BaseException)` that
    does not re-raise swallows it: the handler runs on as if the wait had finished, and `return`,
    `break` or `continue` in a `finally` discard it too. `--fix` narrows the handler to `Exception`.
    """

    code = dx.register(dx.Code(
        "DUR701", "suspension-swallowed", dx.Severity.ERROR,
        "an exception handler around durable operations can swallow the SDK's suspension",
        "catch Exception (suspension is a BaseException), or re-raise",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    try:
        context.wait(Duration.from_minutes(5), name="cool-off")
    except Exception:
        context.logger.exception("wait failed")
    try:
        context.step(lambda _: 1, name="one")
    except BaseException:
        raise
""",
    )
    INVALID = (
        """
import contextlib
@durable_execution
def handler(event, context: DurableContext):
    try:
        context.wait(Duration.from_minutes(5), name="cool-off")
    except:  # expect: DUR701
        pass
    try:
        context.step(lambda _: 1, name="one")
    except (ValueError, BaseException):  # expect: DUR701
        return None
    with contextlib.suppress(BaseException):  # expect: DUR701
        context.step(lambda _: 2, name="two")
    for _ in range(2):
        try:
            context.step(lambda _: 3, name="three")
        finally:
            continue  # expect: DUR701
""",
    )

    def visit_Try(self, node: ast.Try, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration or not contains_operations(node.body, frame.contexts):
            return
        for handler in node.handlers:
            if _catches_base(handler.type, ctx) and not _reraises(handler.body):
                ctx.report(handler, self.code.code, "this handler catches BaseException, so it also swallows the "
                                                    "suspension of a durable wait or callback",
                           fix=_narrow(handler, ctx))
        for exit_node in _finally_exits(node.finalbody):
            ctx.report(exit_node, self.code.code, f"`{type(exit_node).__name__.lower()}` in `finally` discards the "
                                                  "suspension of a durable operation in the `try`")

    visit_TryStar = visit_Try

    def visit_With(self, node: ast.With, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration:
            return
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and ctx.index.qualify(call.func) == "contextlib.suppress" and \
                    any(_catches_base(a, ctx) for a in call.args) and contains_operations(node.body, frame.contexts):
                ctx.report(node, self.code.code, "suppress(BaseException) swallows the suspension of the durable "
                                                 "operations inside")


def _catches_base(kind: ast.expr | None, ctx: FileContext) -> bool:
    if kind is None:
        return True
    items = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(ctx.index.qualify(i) == "builtins.BaseException" for i in items)


def _reraises(body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Raise) for s in body for n in ast.walk(s))


def _finally_exits(body: list[ast.stmt]) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    stack: list[tuple[ast.AST, bool]] = [(s, False) for s in body]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, ast.Return) or isinstance(node, (ast.Break, ast.Continue)) and not in_loop:
            found.append(node)  # type: ignore[arg-type]
        if isinstance(node, NESTED):
            continue
        loop = in_loop or isinstance(node, (ast.For, ast.While, ast.AsyncFor))
        stack.extend((c, loop) for c in ast.iter_child_nodes(node))
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _narrow(handler: ast.ExceptHandler, ctx: FileContext) -> Fix | None:
    if handler.type is None:
        start, _ = ctx.node_range(handler)
        at = start + len("except")
        return Fix("catch Exception instead of everything", (Edit(at, at, " Exception"),))
    items = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    edits = []
    for item in items:
        if ctx.index.qualify(item) == "builtins.BaseException":
            start, end = ctx.node_range(item)
            edits.append(Edit(start, end, "Exception"))
    return Fix("catch Exception instead of BaseException", tuple(edits)) if edits else None
