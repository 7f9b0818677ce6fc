"""Name resolution through imports and aliases: `t.time` -> `time.time`, `dt.now` -> `datetime.datetime.now`.

Takes a libcst Module; gives an `ImportMap` that qualifies names and attribute chains. Names from the AWS
Durable Execution SDK (any submodule) and from `durable_runtime` share one canonical spelling,
`sdk:<symbol>`, so every later pass recognises `durable_execution`, `sdk.durable_execution` and
`aws_durable_execution_sdk_python.execution.durable_execution` alike. Never imports the analyzed code.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from durable_compile.analyze.names import BUILTINS, LOCAL, SDK_ROOTS, SDK_SUBMODULES, NameMap, canonical

__all__ = ["BUILTINS", "LOCAL", "SDK_ROOTS", "SDK_SUBMODULES", "ImportMap", "canonical", "collect_imports", "dotted"]


def dotted(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` -> "a.b.c"; anything that is not a plain name chain -> None."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        head = dotted(expr.value)
        return f"{head}.{expr.attr.value}" if head else None
    return None


@dataclass
class ImportMap(NameMap):
    """Local names bound by imports (anywhere in the module) and by module-level definitions; qualifies
    libcst name and attribute chains as well as dotted strings (the string logic is `NameMap`'s, shared
    with the libcst-free lint path)."""

    def qualify(self, expr: cst.BaseExpression | str) -> str | None:
        """The canonical qualified name of a name or attribute chain, or None when it is not resolvable."""
        text = expr if isinstance(expr, str) else dotted(expr)
        return None if text is None else super().qualify(text)

    def is_sdk(self, expr: cst.BaseExpression | str, *symbols: str) -> bool:
        """True when `expr` names one of the SDK `symbols` (e.g. "durable_execution")."""
        name = self.qualify(expr)
        return name is not None and name.startswith("sdk:") and name.removeprefix("sdk:") in symbols


#: nodes that may hold statements: where imports and definitions can be
_HOLDS_STATEMENTS = (cst.BaseSuite, cst.BaseStatement, cst.BaseSmallStatement, cst.Else, cst.Finally,
                     cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)


def statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of a node that may hold statements (bodies, else/except/finally/case blocks, the
    small statements of a line), in source order: a walk over them never enters an expression (most of
    a module), and is several times faster than libcst's visitor, which rebuilds every node it passes."""
    if type(node) in _LINES:
        return list(node.body)  # type: ignore[attr-defined]
    found: list[cst.CSTNode] = []
    for name in node.__dataclass_fields__:
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            found.extend(item for item in value if _holds_statements(type(item)))
        elif _holds_statements(type(value)):
            found.append(value)
    return found


_LINES = frozenset({cst.SimpleStatementLine, cst.SimpleStatementSuite})
_HOLDERS: dict[type, bool] = {}  #: node class -> whether it may hold statements (isinstance on ABCs is slow)


def _holds_statements(kind: type) -> bool:
    found = _HOLDERS.get(kind)
    if found is None:
        found = _HOLDERS[kind] = issubclass(kind, _HOLDS_STATEMENTS)
    return found


class _ImportCollector:
    """Every import binding, and the names defined at module level (defs, classes, assignments)."""

    def __init__(self) -> None:
        self.map = ImportMap()
        self._depth = 0

    def walk(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Import):
            self.visit_Import(node)
        elif isinstance(node, cst.ImportFrom):
            self.visit_ImportFrom(node)
        elif isinstance(node, cst.FunctionDef | cst.ClassDef):
            if self._depth == 0:
                self.map.module_names.add(node.name.value)
            self._depth += 1
            self.walk(node.body)
            self._depth -= 1
        elif isinstance(node, cst.Assign | cst.AnnAssign):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            if self._depth == 0:
                self.map.module_names.update(t.value for t in targets if isinstance(t, cst.Name))
        else:
            for child in statement_children(node):
                self.walk(child)

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

    def _note_sdk(self, module: str) -> None:
        if module.split(".")[0] in SDK_ROOTS:
            self.map.imports_sdk = True


def collect_imports(module: cst.Module) -> ImportMap:
    """One pass over the module: every import binding and every module-level definition."""
    collector = _ImportCollector()
    collector.walk(module)
    for name in collector.map.aliases:
        collector.map.module_names.discard(name)
    return collector.map
