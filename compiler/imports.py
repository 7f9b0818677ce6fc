"""Name resolution through imports and aliases: `t.time` -> `time.time`, `dt.now` -> `datetime.datetime.now`.

Takes a libcst Module; gives an `ImportMap` that qualifies names and attribute chains. Names from the AWS
Durable Execution SDK (any submodule) and from `durable_runtime` share one canonical spelling,
`sdk:<symbol>`, so every later pass recognises `durable_execution`, `sdk.durable_execution` and
`aws_durable_execution_sdk_python.execution.durable_execution` alike. Never imports the analyzed code.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import libcst as cst

SDK_ROOTS = ("aws_durable_execution_sdk_python", "durable_runtime")
SDK_SUBMODULES = frozenset({
    "execution", "context", "config", "retries", "waits", "serdes", "types", "exceptions", "concurrency",
    "models", "lambda_service", "logger", "state", "identifier", "operation", "threading", "plugins", "plugin",
})
LOCAL = "<module>"
BUILTINS = frozenset(dir(builtins))


def dotted(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` -> "a.b.c"; anything that is not a plain name chain -> None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted(expr.value)
        return f"{head}.{expr.attr.value}" if head else None
    return None


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
class ImportMap:
    """Local names bound by imports (anywhere in the module) and by module-level definitions."""

    aliases: dict[str, str] = field(default_factory=dict)  #: local name -> qualified name
    module_names: set[str] = field(default_factory=set)  #: names defined at module level
    imports_sdk: bool = False  #: the module imports the durable SDK or durable_runtime

    def qualify(self, expr: cst.BaseExpression | str) -> str | None:
        """The canonical qualified name of a name or attribute chain, or None when it is not resolvable."""
        text = expr if isinstance(expr, str) else dotted(expr)
        if text is None:
            return None
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

    def is_sdk(self, expr: cst.BaseExpression | str, *symbols: str) -> bool:
        """True when `expr` names one of the SDK `symbols` (e.g. "durable_execution")."""
        name = self.qualify(expr)
        return name is not None and name.removeprefix("sdk:") in symbols and name.startswith("sdk:")


class _ImportCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.map = ImportMap()
        self._depth = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        # imports and definitions are statements: never descend into expressions (most of a module)
        if isinstance(node, cst.BaseExpression) and not isinstance(node, cst.Name):
            return False
        return super().on_visit(node)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.map.aliases[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.map.aliases[head] = head
            self._note_sdk(full)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted(node.module) if node.module is not None else ""
        prefix = "." * len(node.relative) + (module or "")
        self._note_sdk(prefix)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.map.aliases[local] = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self.map.module_names.add(node.name.value)
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._depth == 0:
            self.map.module_names.add(node.name.value)
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._depth -= 1

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if self._depth == 0 and isinstance(node.target, cst.Name):
            self.map.module_names.add(node.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._depth == 0 and isinstance(node.target, cst.Name):
            self.map.module_names.add(node.target.value)

    def _note_sdk(self, module: str) -> None:
        if module.split(".")[0] in SDK_ROOTS:
            self.map.imports_sdk = True


def collect_imports(module: cst.Module) -> ImportMap:
    """One pass over the module: every import binding and every module-level definition."""
    collector = _ImportCollector()
    module.visit(collector)
    for name in collector.map.aliases:
        collector.map.module_names.discard(name)
    return collector.map
