"""`import m` and `from m import n` inside the handler (or a function inlined into it): module imports.

Takes the module's source and one import statement of a function's body; gives why it cannot be compiled,
or None. An import the emitter accepts compiles to no state: the names it binds mean in the translator
what the same import at module level means (`json.loads`/`json.dumps` translate), and the steps function
runs the statement at its top, so lifted code that reads them finds them. That is the handler's meaning
when the names cannot be read before the import runs or by other functions, the statement surely runs
(a plain statement of the function's body, not in an `if`, a loop or a `try`), the module cannot fail to
import (the standard library, or a module the handler's module imports itself) and the names are the
function's only bindings of them. Reads code, never runs it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator, Mapping

from durable_compile.backends.asl.module_facts import module_top
from durable_compile.backends.asl.translate_json import json_imports
from durable_compile.ir import nodes as n


def bound(stmt: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """Name bound -> what it names (`os.path` for `import os.path as p`, `os` for `import os.path`)."""
    if isinstance(stmt, ast.ImportFrom):
        return {a.asname or a.name: f"{stmt.module}.{a.name}" for a in stmt.names}
    return {a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in stmt.names}


def refusal(source_text: str, code: str, line: int) -> str | None:
    """Why the import `code` written at `line` of the module cannot be compiled, if it cannot."""
    tree = ast.parse(source_text)
    function, stmt = _find(tree, line)
    if function is None or stmt is None:
        return "the import is not a statement of a function's body: import at module level"
    if isinstance(stmt, ast.ImportFrom) and (stmt.level or not stmt.module or any(a.name == "*" for a in stmt.names)):
        return "a relative or star import inside a function has no fixed meaning here: import at module level"
    if stmt not in function.body:
        return ("the import runs only on some paths (it is inside an if, a loop, a try or a with): the state "
                "machine cannot leave its names unbound on the others; import at module level")
    top = module_top(source_text)
    modules = {origin.split(".")[0] for origin in top.origins.values() if origin}
    names = [stmt.module or ""] if isinstance(stmt, ast.ImportFrom) else [a.name for a in stmt.names]
    roots = {name.split(".")[0] for name in names}
    foreign = sorted(r for r in roots if r not in sys.stdlib_module_names and r not in modules)
    if foreign:
        return (f"{foreign[0]} is not in the standard library and the module does not import it: the steps "
                "function would fail to load where the handler fails at this line; import it at module level")
    for name, origin in bound(stmt).items():
        why = _conflict(tree, function, stmt, name, origin, top.bound, top.origins)
        if why is not None:
            return why
    return None


Imported = ast.Import | ast.ImportFrom


def _find(tree: ast.Module, line: int) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, Imported | None]:
    """The import written at `line` and the innermost function whose own code holds it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in _own_nodes(node):
                if isinstance(inner, ast.Import | ast.ImportFrom) and inner.lineno == line:
                    return node, inner
    return None, None


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's own code (nested functions and classes excluded)."""
    for child in ast.iter_child_nodes(function):
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            yield child
            yield from _own_nodes(child)


def _conflict(tree: ast.Module, function: ast.AST, stmt: ast.stmt, name: str, origin: str,
              module_bound: Iterable[str], origins: Mapping[str, str | None]) -> str | None:
    if name in module_bound and origins.get(name) != origin:
        return f"the import binds {name!r}, which the module binds to something else: rename it (`as`)"
    args = getattr(function, "args", None)
    if args is not None and name in {a.arg for a in ast.walk(args) if isinstance(a, ast.arg)}:
        return f"the import binds {name!r}, a parameter of the function: import it under its own name"
    for node in ast.walk(function):
        if node is stmt:
            continue
        if isinstance(node, ast.Import | ast.ImportFrom) and name in bound(node) and bound(node)[name] != origin:
            return f"{name!r} is imported twice with different meanings: import each under its own name"
        if isinstance(node, ast.Name) and node.id == name:
            if not isinstance(node.ctx, ast.Load):
                return f"{name!r} is also assigned or deleted at line {node.lineno}: import it under its own name"
            if node.lineno < stmt.lineno:
                return f"{name!r} is read at line {node.lineno}, before the import runs (Python raises NameError)"
    if name not in module_bound:
        inside = {id(x) for x in ast.walk(function)}  # its nested functions read the import through it
        for other in ast.walk(tree):
            if isinstance(other, ast.FunctionDef | ast.AsyncFunctionDef) and id(other) not in inside \
                    and _reads_global(other, name):
                return (f"{name!r} is also read by {other.name} (line {other.lineno}), which does not see this "
                        "import: import it at module level")
    return None


def _reads_global(function: ast.AST, name: str) -> bool:
    """Whether the function reads `name` without binding it itself (an import, an assignment)."""
    own = list(_own_nodes(function))
    names = [x for x in own if isinstance(x, ast.Name) and x.id == name]
    binds = any(not isinstance(x.ctx, ast.Load) for x in names) or any(
        isinstance(x, ast.Import | ast.ImportFrom) and name in bound(x) for x in own)
    return not binds and bool(names)


def json_calls(source_text: str, function: n.Function) -> Mapping[str, str]:
    """The json functions named by the module's imports and by the imports in the handler's body
    (`source_text`: the module's text, or only its top-level import statements)."""
    codes = [s.code.strip() for s in n.walk(function.body)
             if isinstance(s, n.OpaqueStmt) and s.reason in ("Import", "ImportFrom")]
    return {**json_imports(source_text), **json_imports("\n".join(codes))}
