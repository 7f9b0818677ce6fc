"""DUR303 durable-op-from-thread."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import argument, contains_operations
from durable_compile.analyze.rule import FileContext, Rule
from durable_compile.analyze.tables import THREAD_CALLABLE_ARGS, THREAD_METHODS


class DurableOpFromThread(Rule):
    """A durable operation started from a thread, an executor or a callback.

    Operations take their position from the order in which they start within a context. Started from
    several threads, that order depends on scheduling, so positions and names differ on replay. The
    SDK's `parallel` and `map` give each branch its own child context instead.
    """

    code = dx.register(dx.Code(
        "DUR303", "durable-op-from-thread", dx.Severity.ERROR,
        "a durable operation is started from a thread or executor", "use context.parallel or context.map",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    return context.parallel([lambda c: c.step(lambda _: 1, name="a")], name="p")
""",
    )
    INVALID = (
        """
import threading
from concurrent.futures import ThreadPoolExecutor
@durable_execution
def handler(event, context: DurableContext):
    def work(x):
        return context.step(lambda _: x, name=f"w{x}")
    with ThreadPoolExecutor() as pool:
        pool.submit(work, 1)  # expect: DUR303
    threading.Thread(target=lambda: context.wait(Duration.from_seconds(1), name="w")).start()  # expect: DUR303
""",
    )

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration:
            return
        target = _callable_argument(node, ctx)
        if target is None:
            return
        body: list[ast.AST] = []
        if isinstance(target, ast.Lambda):
            body = [target.body]
        elif isinstance(target, ast.Name) and (fn := ctx.index.resolve(target.id, frame.scope)) is not None:
            body = list(fn.node.body)
        if body and contains_operations(body, frame.contexts):
            ctx.report(node, self.code.code, "this hands a callable that starts durable operations to another "
                                             "thread; their order (and positions) then depends on scheduling")


def _callable_argument(node: ast.Call, ctx: FileContext) -> ast.expr | None:
    name = ctx.index.qualify(node.func)
    if name in THREAD_CALLABLE_ARGS:
        index = THREAD_CALLABLE_ARGS[name]
        return argument(node, index, "target") if index >= 0 else argument(node, 99, "target")
    if isinstance(node.func, ast.Attribute) and node.func.attr in THREAD_METHODS and node.args:
        return node.args[1] if node.func.attr == "run_in_executor" and len(node.args) > 1 else node.args[0]
    return None
