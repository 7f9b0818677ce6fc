"""Lower libcst expressions to the expression IR (`durable_compile.ir.exprs`).

Takes a libcst expression and the `Env`; gives an `Expr` tree with spans and source text. Constructs with
no structured form become `Opaque` with the reason; nothing is dropped.
"""

from __future__ import annotations

import ast
from collections.abc import Callable as Fn

import libcst as cst

from durable_compile.ir import exprs as ir
from durable_compile.ir.lower.env import Env

BIN_OPS = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**", cst.MatrixMultiply: "@", cst.BitAnd: "&", cst.BitOr: "|",
    cst.BitXor: "^", cst.LeftShift: "<<", cst.RightShift: ">>",
}
UNARY_OPS = {cst.Not: "not", cst.Minus: "-", cst.Plus: "+", cst.BitInvert: "~"}
COMPARE_OPS = {
    cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not",
}
OPAQUE_REASONS = {
    cst.ListComp: "list comprehension", cst.DictComp: "dict comprehension", cst.SetComp: "set comprehension",
    cst.GeneratorExp: "generator expression", cst.Set: "set display", cst.NamedExpr: "assignment expression",
    cst.Await: "await", cst.Yield: "yield", cst.StarredElement: "starred expression",
}


def lower_expr(node: cst.BaseExpression, env: Env) -> ir.Expr:
    """The IR of one expression; a hoisted durable call is replaced by the temporary holding its result."""
    hoisted = env.hoisted.get(node)
    if hoisted is not None:
        return hoisted
    handler = _HANDLERS.get(type(node))
    if handler is None:
        reason = OPAQUE_REASONS.get(type(node), type(node).__name__)
        return ir.Opaque(env.code(node), env.span(node), reason)
    return handler(node, env)


def _name(node: cst.Name, env: Env) -> ir.Expr:
    if node.value in ("True", "False", "None"):
        return ir.Const(node.value, env.span(node), {"True": True, "False": False, "None": None}[node.value])
    return ir.Name(node.value, env.span(node), node.value)


def _literal(node: cst.BaseExpression, env: Env) -> ir.Expr:
    code = env.code(node)
    value = _plain_literal(code)
    if value is None:
        try:
            value = ast.literal_eval(code)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return ir.Opaque(code, env.span(node), "literal")
    return ir.Const(code, env.span(node), value)


def _plain_literal(code: str) -> int | str | None:
    """The value of a decimal integer or a one-line string without escapes or prefix, read directly (the
    usual literals; `ast.literal_eval` compiles each one); None for anything else."""
    if code.isdigit() and code.isascii() and (code[0] != "0" or code == "0"):
        return int(code)
    quote = code[:1]
    if quote in ("'", '"') and len(code) >= 2 and code[-1] == quote:
        inner = code[1:-1]
        if quote not in inner and "\\" not in inner and inner.isprintable():
            return inner
    return None


def _attribute(node: cst.Attribute, env: Env) -> ir.Expr:
    return ir.Attr(env.code(node), env.span(node), lower_expr(node.value, env), node.attr.value)


def _subscript(node: cst.Subscript, env: Env) -> ir.Expr:
    if len(node.slice) != 1:
        index: ir.Expr = ir.TupleExpr(
            ", ".join(env.code(s) for s in node.slice), env.span(node),
            tuple(_slice_part(s.slice, env) for s in node.slice))
    else:
        index = _slice_part(node.slice[0].slice, env)
    return ir.Subscript(env.code(node), env.span(node), lower_expr(node.value, env), index)


def _slice_part(part: cst.BaseSlice, env: Env) -> ir.Expr:
    if isinstance(part, cst.Index):
        return lower_expr(part.value, env)
    assert isinstance(part, cst.Slice)
    bounds = [lower_expr(b, env) if b is not None else None for b in (part.lower, part.upper, part.step)]
    return ir.Slice(env.code(part), env.span(part), bounds[0], bounds[1], bounds[2])


def lower_call(node: cst.Call, env: Env) -> ir.Expr:
    """The IR of the call itself, even where its result was hoisted (a helper call keeps its arguments)."""
    return _call(node, env)


def _call(node: cst.Call, env: Env) -> ir.Expr:
    if any(a.star for a in node.args):
        return ir.Opaque(env.code(node), env.span(node), "starred arguments")
    args = tuple(lower_expr(a.value, env) for a in node.args if a.keyword is None)
    kwargs = tuple(ir.Keyword(a.keyword.value, lower_expr(a.value, env)) for a in node.args if a.keyword)
    qualname = env.info.imports.qualify(node.func)
    return ir.Call(env.code(node), env.span(node), lower_expr(node.func, env), args, kwargs, qualname)


def _binop(node: cst.BinaryOperation, env: Env) -> ir.Expr:
    op = BIN_OPS[type(node.operator)]
    return ir.BinOp(env.code(node), env.span(node), lower_expr(node.left, env), op, lower_expr(node.right, env))


def _unary(node: cst.UnaryOperation, env: Env) -> ir.Expr:
    op = UNARY_OPS[type(node.operator)]
    return ir.UnaryOp(env.code(node), env.span(node), op, lower_expr(node.expression, env))


def _boolop(node: cst.BooleanOperation, env: Env) -> ir.Expr:
    op = "and" if isinstance(node.operator, cst.And) else "or"
    values: list[ir.Expr] = []
    for side in (node.left, node.right):  # flatten `a and b and c` into one operator
        lowered = lower_expr(side, env)
        same = isinstance(lowered, ir.BoolOp) and lowered.op == op and not side.lpar
        values.extend(lowered.values if same and isinstance(lowered, ir.BoolOp) else [lowered])
    return ir.BoolOp(env.code(node), env.span(node), op, tuple(values))


def _compare(node: cst.Comparison, env: Env) -> ir.Expr:
    ops = tuple(COMPARE_OPS[type(c.operator)] for c in node.comparisons)
    comps = tuple(lower_expr(c.comparator, env) for c in node.comparisons)
    return ir.Compare(env.code(node), env.span(node), lower_expr(node.left, env), ops, comps)


def _ifexp(node: cst.IfExp, env: Env) -> ir.Expr:
    parts = (lower_expr(node.test, env), lower_expr(node.body, env), lower_expr(node.orelse, env))
    return ir.IfExp(env.code(node), env.span(node), *parts)


def _sequence(node: cst.List | cst.Tuple, env: Env) -> ir.Expr:
    if any(isinstance(e, cst.StarredElement) for e in node.elements):
        return ir.Opaque(env.code(node), env.span(node), "starred element")
    elts = tuple(lower_expr(e.value, env) for e in node.elements)
    cls = ir.ListExpr if isinstance(node, cst.List) else ir.TupleExpr
    return cls(env.code(node), env.span(node), elts)


def _dict(node: cst.Dict, env: Env) -> ir.Expr:
    items: list[ir.DictItem] = []
    for element in node.elements:
        if isinstance(element, cst.DictElement):
            items.append(ir.DictItem(lower_expr(element.key, env), lower_expr(element.value, env)))
        else:
            items.append(ir.DictItem(None, lower_expr(element.value, env)))
    return ir.DictExpr(env.code(node), env.span(node), tuple(items))


def _fstring(node: cst.FormattedString, env: Env) -> ir.Expr:
    parts: list[str | ir.FormattedValue] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value)
            continue
        assert isinstance(part, cst.FormattedStringExpression)
        spec = part.format_spec
        if spec and any(not isinstance(s, cst.FormattedStringText) for s in spec):
            return ir.Opaque(env.code(node), env.span(node), "nested format spec")
        text = "".join(s.value for s in spec if isinstance(s, cst.FormattedStringText)) if spec else None
        parts.append(ir.FormattedValue(lower_expr(part.expression, env), part.conversion, text))
    return ir.FString(env.code(node), env.span(node), tuple(parts))


def _lambda(node: cst.Lambda, env: Env) -> ir.Expr:
    params = tuple(p.name.value for p in (*node.params.posonly_params, *node.params.params))
    return ir.Lambda(env.code(node), env.span(node), params, lower_expr(node.body, env))


_HANDLERS: dict[type, Fn[..., ir.Expr]] = {
    cst.Name: _name, cst.Integer: _literal, cst.Float: _literal, cst.Imaginary: _literal,
    cst.SimpleString: _literal, cst.Attribute: _attribute, cst.Subscript: _subscript, cst.Call: _call,
    cst.BinaryOperation: _binop, cst.UnaryOperation: _unary, cst.BooleanOperation: _boolop,
    cst.Comparison: _compare, cst.IfExp: _ifexp, cst.List: _sequence, cst.Tuple: _sequence, cst.Dict: _dict,
    cst.FormattedString: _fstring, cst.Lambda: _lambda, cst.Ellipsis: _literal, cst.ConcatenatedString: _literal,
}
