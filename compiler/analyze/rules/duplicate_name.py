"""DUR602 duplicate-name."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze.regions import argument, operation
from durable_compile.analyze.rule import FileContext, Rule
from durable_compile.analyze.tables import NAME_INDEX

LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.comprehension, ast.ListComp, ast.SetComp, ast.DictComp,
         ast.GeneratorExp)


class DuplicateName(Rule):
    """Two operations with the same literal name in one context.

    Names identify operations in the history, the console and the test runner (`get_step("charge")`).
    Two steps called the same make results ambiguous to look up. Operations in different branches of an
    `if` (only one runs) and in parametrised loops are not reported.
    """

    code = dx.register(dx.Code(
        "DUR602", "duplicate-name", dx.Severity.INFO, "two operations share one literal name in a context",
        "give each operation a unique name",
    ))
    VALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    if event["vip"]:
        context.step(lambda _: 1, name="charge")
    else:
        context.step(lambda _: 2, name="charge")
""",
    )
    INVALID = (
        """
@durable_execution
def handler(event, context: DurableContext):
    context.step(lambda _: 1, name="charge")
    context.step(lambda _: 2, name="charge")  # expect: DUR602
""",
    )

    def __init__(self) -> None:
        self.seen: dict[tuple[int, str, str], list[tuple[tuple[tuple[int, str], ...], int]]] = {}

    def visit_Call(self, node: ast.Call, ctx: FileContext) -> None:
        frame = ctx.frame
        if frame is None or not ctx.in_orchestration:
            return
        op = operation(node, frame.contexts)
        name = argument(node, NAME_INDEX[op], "name") if op is not None else None
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            return
        if any(isinstance(a, LOOPS) for a in _inside_frame(ctx)):
            return
        path = _branch_path(ctx)
        key = (id(frame.node), node.func.value.id, name.value)  # type: ignore[attr-defined]
        earlier = self.seen.setdefault(key, [])
        clash = next((line for p, line in earlier if _compatible(p, path)), None)
        earlier.append((path, name.lineno))
        if clash is not None:
            ctx.report(name, self.code.code, f"the name {name.value!r} is already used on line {clash} in this context")


def _inside_frame(ctx: FileContext) -> list[ast.AST]:
    frame = ctx.frame
    nodes = ctx.ancestors
    for i in range(len(nodes) - 1, -1, -1):
        if frame is not None and nodes[i] is frame.node:
            return nodes[i + 1:]
    return nodes


def _branch_path(ctx: FileContext) -> tuple[tuple[int, str], ...]:
    inside = _inside_frame(ctx)
    path = []
    for parent, child in zip(inside, inside[1:], strict=False):
        if isinstance(parent, (ast.If, ast.Try, ast.Match, ast.match_case)):
            field = next((f for f, v in ast.iter_fields(parent) if v is child or isinstance(v, list) and child in v),
                         "")
            path.append((id(parent), field))
    return tuple(path)


def _compatible(a: tuple[tuple[int, str], ...], b: tuple[tuple[int, str], ...]) -> bool:
    """Both can run in one execution: they agree on every branch they both sit in."""
    branches = dict(a)
    return all(branches.get(k, f) == f for k, f in b)
