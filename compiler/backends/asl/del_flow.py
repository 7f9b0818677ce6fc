"""`del x` of a local: where the state machine may leave the variable as it is.

Takes the module's source and the position of a `del` statement whose targets are plain names; gives,
for each name, why the `del` cannot be compiled, or None. After `del x`, Python raises NameError at any
read of `x` until it is bound again; the state machine has no unbound variables, so the `del` compiles
to nothing exactly when (1) `x` is bound whenever the `del` runs (else the `del` itself raises), and
(2) no read of `x` can follow it before `x` is bound again. Both are decided on the function's syntax,
conservatively: a binding counts only where it is a plain statement of a block that surely runs
(`x = ...`, `x += ...`, `for x in`, `with ... as x`, `except ... as x` around the `del`), and any read that
a path may reach (through loops, `except`/`finally` blocks and nested functions) is refused. Reads code,
never runs it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

LOOPS = (ast.For, ast.AsyncFor, ast.While)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def refusal(tree: ast.Module, line: int, column: int) -> tuple[str, str] | None:
    """(name, why) for the first name of the `del` at (line, 0-based column) that cannot be compiled."""
    found = _find(tree, line, column)
    if found is None:
        return "", "the `del` is not a statement of a function"
    function, stmt, chain = found
    for target in stmt.targets:
        assert isinstance(target, ast.Name)
        name = target.id
        if not _bound_before(function, chain, name):
            return name, f"{name!r} may be unbound where it is deleted (Python raises NameError there)"
        why = _read_after(function, chain, name)
        if why is not None:
            return name, why
    return None


# --- finding the statement and the blocks around it --------------------------------------------------
#: (owner, block, index in block), outermost first; for the `try` around an `except` clause that holds the
#: `del`, (the try, the clause's block, None): the clause is the next entry
Chain = list[tuple[ast.AST, list[ast.stmt], int | None]]


def _find(tree: ast.Module, line: int, column: int) -> tuple[ast.AST, ast.Delete, Chain] | None:
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            chain = _chain(function, function, line, column)
            if chain is not None:
                stmt = chain[-1][1][chain[-1][2] or 0]
                assert isinstance(stmt, ast.Delete)
                return function, stmt, chain
    return None


def _blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for case in getattr(node, "cases", ()):
        yield case.body


def _chain(owner: ast.AST, function: ast.AST, line: int, column: int) -> Chain | None:
    for block in _blocks(owner):
        for index, stmt in enumerate(block):
            if isinstance(stmt, ast.Delete) and (stmt.lineno, stmt.col_offset) == (line, column):
                return [(owner, block, index)]
            if isinstance(stmt, FUNCTIONS[:2]) or not stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno):
                continue
            inner = _chain(stmt, function, line, column)
            if inner is not None:
                return [(owner, block, index), *inner]
    for handler in getattr(owner, "handlers", ()):  # an `except` clause owns its block (it may bind a name)
        inner = _chain(handler, function, line, column)
        if inner is not None:
            return [(owner, handler.body, None), *inner]
    return None


# --- (1) bound where the del runs --------------------------------------------------------------------
def _binds(stmt: ast.stmt, name: str) -> bool:
    """Whether the statement surely binds `name` when it completes."""
    if isinstance(stmt, ast.Assign):
        return any(_target_binds(t, name) for t in stmt.targets)
    if isinstance(stmt, ast.AnnAssign | ast.AugAssign):
        return stmt.value is not None and _target_binds(stmt.target, name)
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name.split(".")[0]) == name for a in stmt.names)
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return any(i.optional_vars is not None and _target_binds(i.optional_vars, name) for i in stmt.items)
    return False


def _target_binds(target: ast.expr, name: str) -> bool:
    if isinstance(target, ast.Name):
        return target.id == name
    if isinstance(target, ast.Tuple | ast.List):
        return any(_target_binds(e, name) for e in target.elts)
    if isinstance(target, ast.Starred):
        return _target_binds(target.value, name)
    return False


def _deletes(node: ast.AST, name: str) -> bool:
    return any(isinstance(d, ast.Delete) and any(isinstance(t, ast.Name) and t.id == name for t in d.targets)
               for d in ast.walk(node))


def _bound_before(function: ast.AST, chain: Chain, name: str) -> bool:
    for owner, block, index in reversed(chain):
        for stmt in reversed(block[:index] if index is not None else []):
            if _binds(stmt, name):
                return True
            if _deletes(stmt, name):
                return False
        if isinstance(owner, LOOPS) and block is owner.body:  # the previous iteration ran this del too
            return isinstance(owner, ast.For | ast.AsyncFor) and _target_binds(owner.target, name)
        if isinstance(owner, ast.ExceptHandler) and owner.name == name:
            return True
        if isinstance(owner, (*LOOPS, ast.Try)) and any(_deletes(b, name) for b in _other_blocks(owner, block)):
            return False  # a loop's body before its else, a try body before its handlers
    args = getattr(function, "args", None)
    return args is not None and name in {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}


def _other_blocks(owner: ast.AST, block: list[ast.stmt]) -> Iterator[ast.Module]:
    for other in [*_blocks(owner), *(h.body for h in getattr(owner, "handlers", ()))]:
        if other is not block:
            yield ast.Module(body=other, type_ignores=[])


# --- (2) no read may follow --------------------------------------------------------------------------
def _reads(node: ast.AST, name: str) -> bool:
    """Whether `node` reads `name` (`x += 1` and `del x` read it too)."""
    return any(isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Store)
               or isinstance(n, ast.AugAssign) and _target_binds(n.target, name) for n in ast.walk(node))


def _read_after(function: ast.AST, chain: Chain, name: str) -> str | None:
    """Why a read of `name` may follow the del (None when none can)."""
    line = chain[-1][1][chain[-1][2] or 0].lineno
    for node in ast.walk(function):  # a nested function may run at any time
        if node is not function and isinstance(node, FUNCTIONS) and _reads(node, name):
            return f"{name!r} is read by a nested function or lambda (line {node.lineno}) after it may be deleted"
    for owner, block, index in reversed(chain):
        read, rebound = _scan(block[index + 1:] if index is not None else [], name)
        if read is not None:
            return f"{name!r} is read at line {read} after `del {name}` (line {line})"
        if rebound:
            return None
        if isinstance(owner, LOOPS) and block is owner.body:
            rebinds = isinstance(owner, ast.For | ast.AsyncFor) and _target_binds(owner.target, name)
            read = owner.test.lineno if isinstance(owner, ast.While) and _reads(owner.test, name) else None
            read = read or (None if rebinds else _scan(owner.body, name)[0])
            if read is not None:
                return f"{name!r} is read at line {read} on the next iteration of the loop around `del {name}` " \
                       f"(line {line})"
            if any(_reads(s, name) for s in owner.orelse):
                return f"{name!r} is read in the loop's else block after `del {name}` (line {line})"
        if isinstance(owner, ast.Try) and block is owner.body:
            rest = [*(h for h in owner.handlers), *owner.orelse, *owner.finalbody]
            if any(_reads(s, name) for s in rest):
                return f"{name!r} is read in an except, else or finally block after `del {name}` (line {line})"
        finally_reads = isinstance(owner, ast.Try) and any(_reads(s, name) for s in owner.finalbody)
        if finally_reads and block is not getattr(owner, "finalbody", None):
            return f"{name!r} is read in the finally block after `del {name}` (line {line})"
    return None


def _scan(stmts: list[ast.stmt], name: str) -> tuple[int | None, bool]:
    """(the line of a read of `name` in `stmts` before a plain rebinding, whether such a rebinding comes)."""
    for stmt in stmts:
        if _safe_rebind(stmt, name):
            return None, True
        if _reads(stmt, name):
            return _first_read(stmt, name), False
    return None, False


def _safe_rebind(stmt: ast.stmt, name: str) -> bool:
    """`name = value` that reads nothing of `name` first: what follows reads the new value."""
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None and not _reads(stmt.value, name):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        named = any(isinstance(t, ast.Name) and t.id == name for t in targets)
        return named and not any(_reads(t, name) for t in targets)
    return False


def _first_read(stmt: ast.stmt, name: str) -> int:
    lines = [n.lineno for n in ast.walk(stmt) if _reads(n, name) and isinstance(n, ast.Name | ast.AugAssign)]
    return min(lines) if lines else stmt.lineno
