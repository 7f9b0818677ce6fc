"""Discover: handlers, step bodies, child functions and context bindings in one parsed module.

Takes a libcst Module and its `ImportMap`; gives a `ModuleInfo` with every function (nested ones included,
keyed by dotted qualname), the role its decorators give it, and the parameter that binds the durable
context. The context is identified by binding (the handler's second parameter, a child function's first
parameter, any parameter annotated `DurableContext`), never by its spelling.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import StrEnum

import libcst as cst

from durable_compile.imports import ImportMap, collect_imports, statement_children

HANDLER_DECORATORS = ("durable_execution",)


class Role(StrEnum):
    HANDLER = "handler"  #: @durable_execution: orchestration, re-runs on replay
    STEP = "step"  #: @durable_step: a step body (fn(step_ctx, ...))
    CHILD = "child"  #: @durable_with_child_context: orchestration in a child context (fn(ctx, ...))
    SUBMITTER = "submitter"  #: @durable_wait_for_callback: fn(callback_id, ctx, ...)
    BRANCH = "branch"  #: @durable_parallel_branch(name=...): a parallel branch (fn(ctx, ...))
    PLAIN = "plain"  #: no durable decorator


DECORATOR_ROLES = {
    "durable_execution": Role.HANDLER,
    "durable_step": Role.STEP,
    "durable_with_child_context": Role.CHILD,
    "durable_wait_for_callback": Role.SUBMITTER,
    "durable_parallel_branch": Role.BRANCH,
}


@dataclass(frozen=True)
class FunctionInfo:
    """One `def` anywhere in the module."""

    qualname: str  #: "outer.inner" for nested defs
    node: cst.FunctionDef  #: its syntax
    role: Role  #: from its decorators
    decorator: cst.Decorator | None  #: the durable decorator, if any
    params: tuple[str, ...]  #: positional parameter names
    context_param: str | None  #: the parameter bound to a DurableContext, if any
    parent: str | None  #: qualname of the enclosing function

    @property
    def name(self) -> str:
        return self.node.name.value


@dataclass
class ModuleInfo:
    """Everything later passes need to know about one module's durable structure."""

    module: cst.Module
    imports: ImportMap
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  #: `handler = durable_execution(fn)` -> fn

    @property
    def handlers(self) -> list[FunctionInfo]:
        return [f for f in self.functions.values() if f.role is Role.HANDLER]

    def sources_of(self, name: str) -> list[str]:
        """The source text of every def of that simple name (nested ones too; methods are not indexed)."""
        return [self.module.code_for_node(f.node) for f in self.functions.values() if f.name == name]

    def resolve(self, name: str, scope: str | None) -> FunctionInfo | None:
        """The def that `name` refers to from inside function `scope` (innermost scope first)."""
        while scope:
            candidate = self.functions.get(f"{scope}.{name}")
            if candidate is not None:
                return candidate
            scope = self.functions[scope].parent if scope in self.functions else None
        return self.functions.get(name)


def positional_params(node: cst.FunctionDef) -> tuple[str, ...]:
    params = node.params
    return tuple(p.name.value for p in (*params.posonly_params, *params.params))


def _annotated_context(node: cst.FunctionDef, imports: ImportMap) -> str | None:
    for p in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
        ann = p.annotation.annotation if p.annotation is not None else None
        if ann is None:
            continue
        if isinstance(ann, cst.SimpleString) and "DurableContext" in ann.value:
            return p.name.value
        if imports.is_sdk(ann, "DurableContext"):
            return p.name.value
    return None


def decorator_role(deco: cst.Decorator, imports: ImportMap) -> Role | None:
    target = deco.decorator.func if isinstance(deco.decorator, cst.Call) else deco.decorator
    name = imports.qualify(target)
    if name is None or not name.startswith("sdk:"):
        return None
    return DECORATOR_ROLES.get(name.removeprefix("sdk:"))


def _context_param(role: Role, params: tuple[str, ...], annotated: str | None) -> str | None:
    if annotated is not None:
        return annotated
    index = {Role.HANDLER: 1, Role.CHILD: 0, Role.BRANCH: 0, Role.SUBMITTER: None}.get(role)
    if index is None or len(params) <= index:
        return None
    return params[index]


class _FunctionCollector:
    """Finds every def (nested ones too) and module-level `name = durable_execution(fn)`. It walks
    statements only, never into expressions (defs live in statements; decorators are read from the def
    itself): a plain walk, several times faster than libcst's visitor, which rebuilds every node."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.stack: list[str] = []

    def walk(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.FunctionDef):
            self.visit_FunctionDef(node)
            self.walk(node.body)
            self.leave_FunctionDef(node)
            return
        if isinstance(node, cst.ClassDef):
            return  # methods are not durable handlers in the SDK's model
        if isinstance(node, cst.Assign):
            self.visit_Assign(node)
            return
        for child in statement_children(node):
            self.walk(child)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        qualname = ".".join([*self.stack, node.name.value])
        role, deco = Role.PLAIN, None
        for candidate in node.decorators:
            found = decorator_role(candidate, self.info.imports)
            if found is not None:
                role, deco = found, candidate
        params = positional_params(node)
        ctx = _context_param(role, params, _annotated_context(node, self.info.imports))
        parent = ".".join(self.stack) or None
        self.info.functions[qualname] = FunctionInfo(qualname, node, role, deco, params, ctx, parent)
        self.stack.append(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        # handler = durable_execution(fn)
        value = node.value
        if self.stack or not isinstance(value, cst.Call) or len(node.targets) != 1:
            return
        if not self.info.imports.is_sdk(value.func, *HANDLER_DECORATORS) or not value.args:
            return
        target, arg = node.targets[0].target, value.args[0].value
        if isinstance(target, cst.Name) and isinstance(arg, cst.Name):
            self.info.aliases[target.value] = arg.value


def discover(module: cst.Module, imports: ImportMap | None = None) -> ModuleInfo:
    """Index every function of the module with its durable role and context binding."""
    info = ModuleInfo(module, imports or collect_imports(module))
    _FunctionCollector(info).walk(module)
    for target in info.aliases.values():
        fn = info.functions.get(target)
        if fn is not None and fn.role is Role.PLAIN:
            ctx = _context_param(Role.HANDLER, fn.params, _annotated_context(fn.node, info.imports))
            info.functions[target] = FunctionInfo(fn.qualname, fn.node, Role.HANDLER, None, fn.params, ctx,
                                                  fn.parent)
    return info


def module_literals(module: cst.Module) -> dict[str, bool | int | float | str | None]:
    """Module-level `NAME = <literal>` whose value JSON can hold (a number, a string, True, False, None),
    read without running anything; a later such assignment of the same name wins. A literal is what
    Python's `ast` calls a Constant (implicit string concatenation included, f-strings and `-1` not)."""
    found: dict[str, bool | int | float | str | None] = {}
    for line in module.body:
        for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name) and _is_literal(small.value)):
                continue
            try:
                value = _literal(small.value)
            except (ValueError, TypeError, SyntaxError):  # e.g. "a" b"b", which Python rejects
                continue
            if isinstance(value, bool | int | float | str) or value is None:
                found[small.targets[0].target.value] = value
    return found



def module_imports(module: cst.Module) -> str:
    """The text of the module's top-level import statements, one per line (what the back end reads of
    them, without parsing the whole module again)."""
    lines = [module.code_for_node(small) for line in module.body if isinstance(line, cst.SimpleStatementLine)
             for small in line.body if isinstance(small, cst.Import | cst.ImportFrom)]
    return "\n".join(lines)

def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.ConcatenatedString):
        return _is_literal(node.left) and _is_literal(node.right)
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    return isinstance(node, cst.Integer | cst.Float | cst.SimpleString)


def _literal(node: cst.BaseExpression) -> object:
    if isinstance(node, cst.ConcatenatedString):
        return _literal(node.left) + _literal(node.right)  # type: ignore[operator]
    return ast.literal_eval(node.value)  # type: ignore[attr-defined]
