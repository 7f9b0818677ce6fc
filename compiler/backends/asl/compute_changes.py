"""Which variables lifted code may change in place, so that its task must give them back.

Takes the Python lines of a lifted computation; gives the names whose objects the lines may change: a
subscript or attribute assignment (`x[k] = v`, `del x[k]`, `x += ...`), a method call on the name other
than the reading ones (`x.append(...)`, not `x.get(...)`), or the name anywhere inside an argument of a
call that is not a builtin that only reads (`f(x)`, `f(x["k"])`, not `len(x)`). A name the lines only
read (`y = len(event["xs"])`) comes back unchanged, so a batch branch's task need not give back an outer
variable (which a branch cannot assign). Conservative: code it cannot parse may change everything.
"""

from __future__ import annotations

import ast

#: builtins that read their arguments and change none of them
READING_BUILTINS = frozenset({"len", "str", "int", "float", "bool", "repr", "abs", "round", "min", "max", "sum",
                              "any", "all", "sorted", "list", "dict", "tuple", "set", "frozenset", "isinstance",
                              "range", "enumerate", "zip", "reversed", "type", "hash", "divmod", "format", "ord",
                              "chr"})
#: methods of JSON values (dict, list, str) that read only
READING_METHODS = frozenset({"get", "keys", "values", "items", "copy", "count", "index", "startswith", "endswith",
                             "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "join", "format",
                             "replace", "find", "rfind", "title", "capitalize", "casefold", "isdigit", "isalpha"})


def may_change(lines: list[str]) -> frozenset[str] | None:
    """The names whose objects `lines` may change in place; None when the lines cannot be read."""
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return None
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            found |= _names(node.value)
        elif isinstance(node, ast.AugAssign):
            found |= _names(node.target)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr not in READING_METHODS:
                found |= _names(func.value)
            if not (isinstance(func, ast.Name) and func.id in READING_BUILTINS):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    found |= _names(arg)
    return frozenset(found)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
