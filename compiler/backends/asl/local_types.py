"""Static types of handler locals that the JSONata translation can rely on: always a list, always an int.

Takes the lowered handler function and the names of its locals; gives the locals whose every binding in
the handler has that type. A list local is only ever bound to list displays, list comprehensions or
a BatchResult's `get_results()`/`succeeded()`/`failed()`/`started()` (`append`, subscript assignment
and lifted code keep a list a list); an int local only to int literals and `+`, `-`, `*` of
int literals and int locals (`x = 0`, `x += 1`, `x = y * 2`). Parameters, loop targets, operation
results, caught errors and nested defs are never typed. Typed locals translate to plain JSONata
(`$n + 1` instead of a type test on `$n`), and the fold pass knows that arithmetic on int locals
cannot fail.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache

from durable_compile.ir import nodes as n

_INT_OPS = (ast.Add, ast.Sub, ast.Mult)
#: the BatchResult methods that give a list
BATCH_LISTS = frozenset({"get_results", "succeeded", "failed", "started"})


def list_locals(fn: n.Function, candidates: set[str], batches: AbstractSet[str] = frozenset()) -> set[str]:
    """Locals bound only to list displays, list comprehensions and the lists a BatchResult gives."""
    return _typed(fn, candidates, lambda value, typed: _is_list(value, batches), augmented=lambda op, v, t: False)


def _is_list(value: ast.expr | None, batches: AbstractSet[str]) -> bool:
    if isinstance(value, ast.List | ast.ListComp):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and not value.args \
        and not value.keywords and value.func.attr in BATCH_LISTS \
        and isinstance(value.func.value, ast.Name) and value.func.value.id in batches


def int_locals(fn: n.Function, candidates: set[str]) -> set[str]:
    """Locals that always hold an int (a fixpoint: `x = y + 1` is an int while `y` is)."""
    typed = set(candidates)
    while True:
        found = _typed(fn, typed, _is_int,
                       augmented=lambda op, value, t: isinstance(op, _INT_OPS) and _is_int(value, t))
        if found == typed:
            return found
        typed = found


def _is_int(value: ast.expr | None, typed: set[str]) -> bool:
    if isinstance(value, ast.Constant):
        return type(value.value) is int
    if isinstance(value, ast.Name):
        return value.id in typed
    if isinstance(value, ast.BinOp) and isinstance(value.op, _INT_OPS):
        return _is_int(value.left, typed) and _is_int(value.right, typed)
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        return _is_int(value.operand, typed)
    return False


def scalar_locals(fn: n.Function, candidates: set[str]) -> set[str]:
    """Locals that never hold a list or dict (the aliasing check: `x += v` then makes a new object): bound
    only to numbers, strings, booleans, None, f-strings, comparisons, `len`/`str`/`int`/`float`/`bool`/
    `round` calls and operators over such values. `x op= v` keeps a scalar one (a number or string plus
    anything else is an error in Python), except `x *= v` of a value that may be a list (`2 * [0]`)."""
    typed = set(candidates)
    while True:
        found = _typed(fn, typed, _is_scalar,
                       augmented=lambda op, value, t: not isinstance(op, ast.Mult) or _is_scalar(value, t))
        if found == typed:
            return found
        typed = found


#: builtins whose result is never a list or dict
SCALAR_CALLS = frozenset({"len", "str", "int", "float", "bool", "round"})


def _is_scalar(value: ast.expr | None, typed: set[str]) -> bool:
    if isinstance(value, ast.Constant):
        return isinstance(value.value, int | float | str | None)
    if isinstance(value, ast.Name):
        return value.id in typed
    if isinstance(value, ast.JoinedStr | ast.Compare):
        return True
    if isinstance(value, ast.BinOp):
        return _is_scalar(value.left, typed) and _is_scalar(value.right, typed)
    if isinstance(value, ast.UnaryOp):
        return _is_scalar(value.operand, typed)
    if isinstance(value, ast.BoolOp):
        return all(_is_scalar(operand, typed) for operand in value.values)
    if isinstance(value, ast.IfExp):
        return _is_scalar(value.body, typed) and _is_scalar(value.orelse, typed)
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in SCALAR_CALLS


def _typed(fn: n.Function, candidates: set[str], plain: Callable[[ast.expr | None, set[str]], bool],
           augmented: Callable[[ast.operator, ast.expr | None, set[str]], bool]) -> set[str]:
    """The candidates every binding of which `plain` (for `x = v`) or `augmented` (for `x op= v`) accepts,
    and that are bound at least once."""
    good: set[str] = set()
    bad: set[str] = set(fn.params)
    for stmt in n.walk(fn.body):
        if isinstance(stmt, n.Assign):
            simple = all(isinstance(parsed(t.code), ast.Name) for t in stmt.targets)
            names = set().union(*(_bound(parsed(t.code)) for t in stmt.targets))
            (good if simple and plain(parsed(stmt.value.code), candidates) else bad).update(names)
        elif isinstance(stmt, n.AugAssign):
            names = _bound(parsed(stmt.target.code))
            op = _OPERATORS.get(stmt.op)
            ok = op is not None and augmented(op, parsed(stmt.value.code), candidates)
            (good if ok else bad).update(names)
        elif isinstance(stmt, n.For) or (isinstance(stmt, n.Operation | n.HelperCall) and stmt.target is not None):
            bad.update(_bound(parsed(stmt.target.code)))  # type: ignore[union-attr]
        elif isinstance(stmt, n.Try):
            bad.update(h.name for h in stmt.handlers if h.name)
        elif isinstance(stmt, n.LocalDef):
            bad.add(stmt.qualname.rsplit(".", 1)[-1])
    return (good - bad) & candidates


_OPERATORS: dict[str, ast.operator] = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(), "/": ast.Div(),
                                       "//": ast.FloorDiv(), "%": ast.Mod(), "**": ast.Pow(), "|": ast.BitOr(),
                                       "&": ast.BitAnd(), "^": ast.BitXor(), "<<": ast.LShift(),
                                       ">>": ast.RShift()}


@lru_cache(maxsize=1 << 12)
def parsed(code: str) -> ast.expr | None:
    """The expression's syntax tree, None when it is no expression (shared: callers only read it; the same
    few texts recur)."""
    try:
        return ast.parse(code.strip(), mode="eval").body
    except SyntaxError:
        return None


def _bound(target: ast.expr | None) -> set[str]:
    """The names an assignment target rebinds (`x[0] = v` rebinds nothing)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List):
        return set().union(*(_bound(e) for e in target.elts))
    if isinstance(target, ast.Starred):
        return _bound(target.value)
    return set()
