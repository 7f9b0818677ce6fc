"""DUR506 swallowed-error-in-step."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.rule import FileContext, Rule

BROAD = ("builtins.Exception", "builtins.BaseException")


class SwallowedErrorInStep(Rule):
    """A step body that catches every error and carries on as if it succeeded.

    The step's retry strategy only sees errors that leave the body. A broad `except` that neither
    re-raises nor returns an error value turns a failure into a checkpointed success, so the step is
    never retried and the failure is invisible.
    """

    code = dx.register(dx.Code(
        "DUR506", "swallowed-error-in-step", dx.Severity.INFO,
        "a step body swallows every error", "let the error raise and configure the step's retry strategy",
    ))
    VALID = (
        """
@durable_step
def charge(step_ctx: StepContext, order):
    try:
        return {"ok": True, "id": order["id"]}
    except KeyError:
        return {"ok": False}
    except Exception as err:
        return {"ok": False, "error": str(err)}
""",
    )
    INVALID = (
        """
@durable_step
def charge(step_ctx: StepContext, order):
    try:
        order["paid"] = True
    except Exception:  # expect: DUR506
        pass
    return order
""",
    )

    def visit_ExceptHandler(self, node: ast.ExceptHandler, ctx: FileContext) -> None:
        if not ctx.in_step or not _broad(node.type, ctx):
            return
        for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            if isinstance(inner, ast.Raise) or isinstance(inner, ast.Return) and inner.value is not None:
                return
        ctx.report(node, self.code.code, "this handler swallows every error inside a step body: the failure is "
                                         "checkpointed as a success and never retried")


def _broad(kind: ast.expr | None, ctx: FileContext) -> bool:
    if kind is None:
        return True
    items = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(ctx.index.qualify(i) in BROAD for i in items)
