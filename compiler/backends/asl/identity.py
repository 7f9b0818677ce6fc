"""`is` between values the state machine copies: an identity that JSON cannot keep.

Takes the handler (lowered), the module's source lines and its top level; gives (span, message) for each
`a is b` or `a is not b` in the code to-asl compiles (the handler's body with its lambdas and nested defs,
and the functions receiving the context that it calls: all of it runs on JSON copies, in the state
machine or in the steps function) whose two operands are both data the code holds: a name it binds (a
local, a parameter, a lambda's or a comprehension's variable) or a subscript of one. In Python two names
of one list are one object; in the machine each variable holds its own copy, so `a is b` is False there
where the handler finds True. A literal (`x is None`), a call (`type(x) is bool`), a module-level name
(`x is MISSING`) or an attribute (`r.status is BatchItemStatus.FAILED`) on either side keeps the test's
meaning. Reads code, never runs it.
"""

from __future__ import annotations

import ast
import builtins
import re
import textwrap

from durable_compile.backends.asl.module_facts import module_top
from durable_compile.ir import nodes as n
from durable_compile.source import Span

_BUILTINS = frozenset(dir(builtins))
_IS = re.compile(r"\bis\b")


def identity_tests(fn: n.Function, source_lines: list[str], top_text: str) -> list[tuple[Span, str]]:
    """(span, message) of each identity test between two values the machine copies."""
    outer = set(module_top(top_text).bound) | _BUILTINS
    found: list[tuple[Span, str]] = []
    read: list[Span] = []
    for function in sorted(_functions(fn), key=lambda f: f.span.line - f.span.end_line):  # outermost first
        span = function.span
        if any(s.line <= span.line and span.end_line <= s.end_line for s in read):
            continue  # its text was read with the function around it
        read.append(span)
        found += _tests(source_lines, span, outer)
    return sorted(found, key=lambda item: (item[0].line, item[0].column))


def _functions(fn: n.Function) -> list[n.Function]:
    """`fn` and every region its statements run (child contexts, branches, map functions, helpers)."""
    found = [fn]
    for stmt in n.walk(fn.body):
        if isinstance(stmt, n.Operation):
            found += n.regions(stmt)
        elif isinstance(stmt, n.HelperCall) and stmt.region is not None:
            found.append(stmt.region)
    return found


def _tests(lines: list[str], span: Span, outer: set[str]) -> list[tuple[Span, str]]:
    written = lines[span.line - 1:span.end_line]
    text = textwrap.dedent("\n".join(written))
    if not _IS.search(text):
        return []  # no `is` to read: the parse is the cost of this pass
    try:
        tree = ast.parse(text)
    except SyntaxError:  # a lambda's region: part of a line, read with the function around it
        return []
    own = _bound(tree)
    data = lambda node: _data(node, own, outer)  # noqa: E731
    found: list[tuple[Span, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if isinstance(op, ast.Is | ast.IsNot) and data(left) and data(right):
                found.append((_where(written, text, span.line, node), _message(node)))
                break
    return found


def _bound(tree: ast.AST) -> set[str]:
    """Every name the code binds: assignment and loop targets, parameters, `as` names."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
    return found


def _data(node: ast.expr, own: set[str], outer: set[str]) -> bool:
    """Whether `node` is a name the code binds (or a subscript of one): a value the machine copies."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return isinstance(node, ast.Name) and (node.id in own or node.id not in outer)


def _where(written: list[str], text: str, first: int, node: ast.expr) -> Span:
    shift = len(written[node.lineno - 1]) - len(text.splitlines()[node.lineno - 1])  # what dedent removed
    line = first + node.lineno - 1
    end_line = first + (node.end_lineno or node.lineno) - 1
    return Span(line, node.col_offset + shift + 1, end_line, (node.end_col_offset or node.col_offset) + shift + 1)


def _message(node: ast.Compare) -> str:
    return (f"{ast.unparse(node)!r} tests identity, which the state machine cannot keep: its variables and the "
            "steps function's values are JSON copies, so two names of one list or dict are not one object "
            "there (False where Python says True); compare the values with == instead")
