"""DUR105 environment-read."""

from __future__ import annotations

import ast

from durable_compile import diagnostics as dx
from durable_compile.analyze import apis
from durable_compile.analyze.banned import REPLAY, BannedCallRule
from durable_compile.analyze.rule import FileContext


class EnvironmentRead(BannedCallRule):
    """Reading environment variables in orchestration code.

    A new function version (or a configuration change) can change the environment between the first run
    and a replay of the same execution, so branches and values taken from it may differ. Flags
    `os.environ[...]`, `.get`, `in os.environ`, `os.getenv` and dotenv loading. Variables listed in
    `allow-env` (configuration) are accepted, e.g. a table name fixed for the life of the stack.
    """

    code = dx.register(dx.Code(
        "DUR105", "environment-read", dx.Severity.WARNING, "an environment variable is read in orchestration code",
        "read it in a step or pass it in the event; or list it in allow-env when it never changes",
    ))
    verb = "reads the environment"
    VALID = (
        """
import os
TABLE = os.environ["TABLE"]
@durable_execution
def handler(event, context: DurableContext):
    region = context.step(lambda _: os.environ.get("REGION"), name="region")
    return context.step(lambda _: (TABLE, region), name="cfg")
""",
    )
    INVALID = (
        """
import os
from os import environ
@durable_execution
def handler(event, context: DurableContext):
    if "DEBUG" in os.environ:  # expect: DUR105
        context.wait(Duration.from_seconds(1), name="w")
    stage = environ["STAGE"]  # expect: DUR105
    region = os.getenv("REGION")  # expect: DUR105
    return context.step(lambda _: (stage, region), name="cfg")
""",
    )

    def accept(self, node: ast.Call, ctx: FileContext) -> bool:
        return apis.environ_key(node) not in ctx.summaries.settings.allow_env

    def visit_Subscript(self, node: ast.Subscript, ctx: FileContext) -> None:
        if ctx.in_orchestration and apis.is_environ(node.value, ctx.index):
            self._report(node, ctx)

    def visit_Compare(self, node: ast.Compare, ctx: FileContext) -> None:
        if ctx.in_orchestration and any(apis.is_environ(c, ctx.index) for c in node.comparators):
            self._report(node, ctx)

    def _report(self, node: ast.AST, ctx: FileContext) -> None:
        key = apis.environ_key(node)
        if key in ctx.summaries.settings.allow_env:
            return
        what = f"os.environ[{key!r}]" if key else "os.environ"
        ctx.report(node, self.code.code, f"`{what}` {self.verb} in {REPLAY}")
