"""Static types of handler locals that the JSONata translation can rely on: always a list, always an int,
always a float.

Takes the lowered handler function and the names of its locals; gives the locals whose every binding in
the handler has that type. A list local is only ever bound to list displays, list comprehensions or
a BatchResult's `get_results()`/`succeeded()`/`failed()`/`started()` (`append`, subscript assignment
and lifted code keep a list a list); an int local only to int literals and `+`, `-`, `*` of
int literals and int locals (`x = 0`, `x += 1`, `x = y * 2`). Parameters, loop targets, operation
results, caught errors and nested defs are never typed. Typed locals translate to plain JSONata
(`$n + 1` instead of a type test on `$n`), and the fold pass knows that arithmetic on int locals
cannot fail. A float local is only ever bound to expressions that certainly give a float
(float_exprs.py: `x = a / b`, `x = float(v)`, `x += 1`) or to the result of a step whose function
returns such an expression on every path; `str()` and f-strings write it as Python does (`5.0`, which
JSON cannot tell from `5`), and the steps function makes it a float again when it reads it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import lru_cache

from durable_compile.backends.asl.float_exprs import FloatFacts
from durable_compile.ir import exprs as ir
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


def float_locals(fn: n.Function, candidates: set[str], facts: FloatFacts,
                 float_result: Callable[[n.Operation, set[str]], bool] = lambda op, typed: False,
                 given: AbstractSet[str] = frozenset()) -> set[str]:
    """Locals that always hold a float (a fixpoint, as int_locals); `float_result` says which operations
    give a float (a step whose function always returns one) where the typed locals hold floats; `given`
    are floats `fn` reads but does not bind (a closure's enclosing scope's)."""
    typed = (set(candidates) - _rebound(fn)) | set(given)
    while True:
        found = _typed(fn, typed, facts.is_float, augmented=lambda op, value, t: _float_update(op, value, facts),
                       result=float_result) | set(given)
        if found == typed:
            return found
        typed = found


def _float_update(op: ast.operator, value: ast.expr | None, facts: FloatFacts) -> bool:
    """`x op= value` keeps a float `x` a float (float_exprs: the left operand is the float)."""
    if isinstance(op, ast.Pow):
        return value is not None and facts.is_int(value)
    return isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.FloorDiv | ast.Mod)


def _rebound(fn: n.Function) -> set[str]:
    """Names bound other than by an assignment `_typed` reads: `:=`, `with ... as`, `case` patterns (a
    conservative superset: every identifier of the header or pattern)."""
    found: set[str] = set()
    for stmt in n.walk(fn.body):
        if isinstance(stmt, n.With | n.Match):
            text = stmt.code if isinstance(stmt, n.With) else " ".join(c.pattern for c in stmt.cases)
            found |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
        for value in vars(stmt).values():
            for expr in value if isinstance(value, tuple) else (value,):
                code = expr.code if isinstance(expr, ir.Expr) else ""
                node = parsed(f"({code})") if ":=" in code else None
                found |= {w.target.id for w in ast.walk(node) if isinstance(w, ast.NamedExpr)} if node else set()
    return found


def _typed(fn: n.Function, candidates: set[str], plain: Callable[[ast.expr | None, set[str]], bool],
           augmented: Callable[[ast.operator, ast.expr | None, set[str]], bool],
           result: Callable[[n.Operation, set[str]], bool] = lambda op, typed: False) -> set[str]:
    """The candidates every binding of which `plain` (for `x = v`), `augmented` (for `x op= v`) or
    `result` (for `x = <operation>`) accepts, and that are bound at least once."""
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
        elif isinstance(stmt, n.Operation) and isinstance(stmt.target, ir.Name) and result(stmt, candidates):
            good.add(stmt.target.id)
        elif isinstance(stmt, n.For) or (isinstance(stmt, n.Operation | n.HelperCall) and stmt.target is not None):
            bad.update(_bound(parsed(stmt.target.code)))  # type: ignore[union-attr]
        elif isinstance(stmt, n.Try):
            bad.update(h.name for h in stmt.handlers if h.name)
        elif isinstance(stmt, n.LocalDef):
            bad.add(stmt.qualname.rsplit(".", 1)[-1])
    return (good - bad) & candidates


_OPERATORS: dict[str, ast.operator] = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(), "/": ast.Div(),
                                       "//": ast.FloorDiv(), "%": ast.Mod(), "**": ast.Pow()}


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
