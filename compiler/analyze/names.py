"""Names: the front end's name resolution and decorator roles, for `ast` input and without libcst.

`durable_compile.imports` and `durable_compile.discover` import libcst, which costs more start-up time than
a pre-commit call of the lint has in total. This module holds the string logic both sides share
(`qualify("t.time")` -> "time.time", SDK spellings folded to `sdk:<symbol>`; `imports.ImportMap` extends
`NameMap` to libcst expressions) and the decorator-role table; tests/lint/test_names.py checks that it
agrees with the front end's `discover.Role`.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from enum import StrEnum

SDK_ROOTS = ("aws_durable_execution_sdk_python", "durable_runtime")
SDK_SUBMODULES = frozenset({
    "execution", "context", "config", "retries", "waits", "serdes", "types", "exceptions", "concurrency",
    "models", "lambda_service", "logger", "state", "identifier", "operation", "threading", "plugins", "plugin",
})
LOCAL = "<module>"
BUILTINS = frozenset(dir(builtins))


class Role(StrEnum):
    """The role a durable decorator gives a def (the values of `discover.Role`)."""

    HANDLER = "handler"
    STEP = "step"
    CHILD = "child"
    SUBMITTER = "submitter"
    BRANCH = "branch"
    PLAIN = "plain"


DECORATOR_ROLES = {
    "durable_execution": Role.HANDLER,
    "durable_step": Role.STEP,
    "durable_with_child_context": Role.CHILD,
    "durable_wait_for_callback": Role.SUBMITTER,
    "durable_parallel_branch": Role.BRANCH,
}


def canonical(qualname: str) -> str:
    """Fold every SDK spelling onto `sdk:<symbol>`; other names are returned unchanged."""
    parts = qualname.split(".")
    if parts[0] not in SDK_ROOTS:
        return qualname
    rest = parts[1:]
    while rest and rest[0] in SDK_SUBMODULES:
        rest = rest[1:]
    return "sdk:" + ".".join(rest) if rest else "sdk:"


@dataclass
class NameMap:
    """Local names bound by imports and by module-level definitions (as `ImportMap`, on strings)."""

    aliases: dict[str, str] = field(default_factory=dict)  #: local name -> qualified name
    module_names: set[str] = field(default_factory=set)  #: names defined at module level
    imports_sdk: bool = False  #: the module imports the durable SDK or durable_runtime

    def qualify(self, text: str) -> str | None:
        """The canonical qualified name of a dotted name, or None when it is not resolvable."""
        head, _, tail = text.partition(".")
        if head in self.aliases:
            base = self.aliases[head]
        elif head in self.module_names:
            base = f"{LOCAL}.{head}"
        elif head in BUILTINS:
            base = f"builtins.{head}"
        else:
            return None
        return canonical(f"{base}.{tail}" if tail else base)

    def is_sdk(self, text: str, *symbols: str) -> bool:
        name = self.qualify(text)
        return name is not None and name.startswith("sdk:") and name.removeprefix("sdk:") in symbols
