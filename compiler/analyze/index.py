"""Index: one stdlib-`ast` module -> imports, functions with their durable roles, module-level state.

The lint works on `ast`, not libcst: it parses about ten times faster and its nodes carry start and end
positions, which is what a pre-commit hook needs (see bench/results/lint.md). Names resolve as in the
front end (`names.py` mirrors `NameMap` and the decorator roles of `discover`, and a test keeps them
equal), so the lint and the compiler agree on what a handler, step or child is. Never imports the
analyzed code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from durable_compile.analyze.names import DECORATOR_ROLES, NameMap, Role
from durable_compile.analyze.walk import fields, walk

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` -> "a.b.c"; anything but a plain name chain -> None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


@dataclass(frozen=True)
class Function:
    """One `def` of the module (methods excluded, nested defs included)."""

    qualname: str  #: "outer.inner" for nested defs
    node: FunctionNode  #: its syntax
    role: Role  #: from its decorators (or `x = durable_execution(fn)`)
    params: tuple[str, ...]  #: positional parameter names
    context_param: str | None  #: the parameter bound to a DurableContext
    parent: str | None  #: qualname of the enclosing def

    @property
    def name(self) -> str:
        return self.node.name


@dataclass
class ModuleIndex:
    """What every rule needs to know about one module."""

    tree: ast.Module
    imports: NameMap
    functions: dict[str, Function] = field(default_factory=dict)
    by_node: dict[int, Function] = field(default_factory=dict)  #: id(def node) -> Function
    globals: set[str] = field(default_factory=set)  #: module-level variables (not defs, classes, imports)
    clients: dict[str, str] = field(default_factory=dict)  #: variable -> client factory qualname
    nodes: list[ast.AST] = field(default_factory=list)  #: every node, pre-order
    owned: dict[int, list[ast.AST]] = field(default_factory=dict)  #: id(scope) -> its own nodes
    kids: dict[int, list[ast.AST]] = field(default_factory=dict)  #: id(node) -> its child nodes, in order

    def own(self, scope: ast.AST) -> list[ast.AST]:
        """The nodes of a def's, lambda's, class's or the module's body, not descending into nested scopes
        (which are included themselves). Decorators, defaults and annotations belong to the enclosing scope."""
        return self.owned.get(id(scope), [])

    def qualify(self, node: ast.AST) -> str | None:
        text = dotted(node)
        return self.imports.qualify(text) if text is not None else None

    def resolve(self, name: str, scope: str | None) -> Function | None:
        """The def that `name` refers to from inside def `scope` (innermost first)."""
        while scope:
            found = self.functions.get(f"{scope}.{name}")
            if found is not None:
                return found
            scope = self.functions[scope].parent if scope in self.functions else None
        return self.functions.get(name)


def positional(args: ast.arguments) -> tuple[str, ...]:
    return tuple(a.arg for a in (*args.posonlyargs, *args.args))


def annotated_contexts(args: ast.arguments, imports: NameMap) -> list[str]:
    """Every parameter annotated `DurableContext` (also as a string annotation), in order."""
    found = []
    for a in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        ann = a.annotation
        if isinstance(ann, ast.Constant) and isinstance(ann.value, str) and "DurableContext" in ann.value:
            found.append(a.arg)
        elif ann is not None and (name := dotted(ann)) is not None and imports.is_sdk(name, "DurableContext"):
            found.append(a.arg)
    return found


def _annotated_context(args: ast.arguments, imports: NameMap) -> str | None:
    found = annotated_contexts(args, imports)
    return found[0] if found else None


def context_param(role: Role, args: ast.arguments, imports: NameMap) -> str | None:
    """Annotation first; else the handler's second or a child/branch function's first parameter."""
    annotated = _annotated_context(args, imports)
    if annotated is not None:
        return annotated
    params = positional(args)
    index = {Role.HANDLER: 1, Role.CHILD: 0, Role.BRANCH: 0}.get(role)
    return params[index] if index is not None and len(params) > index else None


def _role(node: FunctionNode, imports: NameMap) -> Role:
    role = Role.PLAIN
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = dotted(target)
        qual = imports.qualify(name) if name else None
        if qual and qual.startswith("sdk:"):
            role = DECORATOR_ROLES.get(qual.removeprefix("sdk:"), role)
    return role


BODY_FIELDS = {ast.FunctionDef: "body", ast.AsyncFunctionDef: "body", ast.Lambda: "body", ast.ClassDef: "body"}


def _own_lists(tree: ast.Module, index: ModuleIndex) -> None:
    """One pass: every node, each node's children (for the engine) and each scope's own nodes."""
    owned: dict[int, list[ast.AST]] = {id(tree): []}
    kids = index.kids
    kids[id(tree)] = list(tree.body)
    stack: list[tuple[ast.AST, int]] = [(child, id(tree)) for child in reversed(tree.body)]
    nodes = index.nodes
    while stack:
        node, owner = stack.pop()
        nodes.append(node)
        owned[owner].append(node)
        body_field = BODY_FIELDS.get(node.__class__)
        if body_field is not None:
            owned[id(node)] = []
        mine: list[ast.AST] = []
        pairs: list[tuple[ast.AST, int]] = []
        for name in fields(node.__class__):
            value = getattr(node, name, None)
            target = id(node) if name == body_field else owner
            if value.__class__ is list:
                for item in value:  # type: ignore[union-attr]
                    if isinstance(item, ast.AST):
                        mine.append(item)
                        pairs.append((item, target))
            elif isinstance(value, ast.AST):
                mine.append(value)
                pairs.append((value, target))
        if mine:
            kids[id(node)] = mine
            pairs.reverse()
            stack.extend(pairs)
    index.owned = owned


def _collect_imports(nodes: list[ast.AST], imap: NameMap) -> None:
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                imap.aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                    alias.name.split(".")[0]
                imap.imports_sdk |= alias.name.split(".")[0] in ("aws_durable_execution_sdk_python",
                                                                  "durable_runtime")
        elif isinstance(node, ast.ImportFrom):
            prefix = "." * node.level + (node.module or "")
            imap.imports_sdk |= prefix.split(".")[0] in ("aws_durable_execution_sdk_python", "durable_runtime")
            for alias in node.names:
                if alias.name == "*":
                    continue
                sep = "." if prefix and not prefix.endswith(".") else ""
                imap.aliases[alias.asname or alias.name] = f"{prefix}{sep}{alias.name}"


def _module_level(tree: ast.Module, index: ModuleIndex) -> None:
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            index.imports.module_names.add(stmt.name)
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        for target in targets:
            for name in walk(target):
                if isinstance(name, ast.Name):
                    index.globals.add(name.id)
                    index.imports.module_names.add(name.id)
    for name in index.imports.aliases:
        index.imports.module_names.discard(name)
        index.globals.discard(name)


def _functions(scope: ast.AST, index: ModuleIndex, parent: str | None) -> None:
    """Every def in the scope's own nodes (through if/try/with/for blocks, not into classes or lambdas)."""
    for node in index.own(scope):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = f"{parent}.{node.name}" if parent else node.name
            role = _role(node, index.imports)
            fn = Function(qualname, node, role, positional(node.args),
                          context_param(role, node.args, index.imports), parent)
            index.functions[qualname] = fn
            index.by_node[id(node)] = fn
            _functions(node, index, qualname)


def _aliased_handlers(tree: ast.Module, index: ModuleIndex) -> None:
    for stmt in tree.body:  # handler = durable_execution(fn)
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and stmt.value.args):
            continue
        name = dotted(stmt.value.func)
        arg = stmt.value.args[0]
        if name and index.imports.is_sdk(name, "durable_execution") and isinstance(arg, ast.Name):
            fn = index.functions.get(arg.id)
            if fn is not None and fn.role is Role.PLAIN:
                new = Function(fn.qualname, fn.node, Role.HANDLER, fn.params,
                               context_param(Role.HANDLER, fn.node.args, index.imports), fn.parent)
                index.functions[fn.qualname] = new
                index.by_node[id(fn.node)] = new


def _clients(index: ModuleIndex, factories: dict[str, object]) -> None:
    """Names bound to I/O clients. Names are tracked per module, not per scope: a name that is also bound
    to something else (`logger = context.logger` beside a module-level logging logger) is left out."""
    shadowed: set[str] = set()
    for node in index.nodes:
        if not isinstance(node, ast.Assign):
            continue
        value = node.value
        factory = index.qualify(value.func) if isinstance(value, ast.Call) else None
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if factory is not None and factory in factories:
            index.clients.update(dict.fromkeys(names, factory))
        else:
            shadowed.update(names)
    for name in shadowed:
        index.clients.pop(name, None)


def build_index(tree: ast.Module) -> ModuleIndex:
    """Index a parsed module: imports, defs with roles and context parameters, globals, I/O clients."""
    from durable_compile.analyze.tables import CLIENT_FACTORIES

    index = ModuleIndex(tree, NameMap())
    _own_lists(tree, index)
    _collect_imports(index.nodes, index.imports)
    _module_level(tree, index)
    _functions(tree, index, None)
    _aliased_handlers(tree, index)
    _clients(index, dict(CLIENT_FACTORIES))
    return index
