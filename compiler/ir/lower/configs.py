"""Evaluate durable configuration expressions statically into plain JSON data.

`StepConfig(retry_strategy=RetryPresets.default())` -> `{"type": "StepConfig", "retry_strategy":
{"type": "RetryPresets.default"}}`. Durations become `{"seconds": n}`; module-level constants are
followed; anything else is kept as `{"expr": "<source>"}`, never guessed. Nothing is executed.
"""

from __future__ import annotations

from typing import Any

from durable_compile.ir import exprs as ir
from durable_compile.ir.lower.env import Env

DURATION_UNITS = {"from_seconds": 1, "from_minutes": 60, "from_hours": 3600, "from_days": 86400}
DURATION_FIELDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def evaluate(expr: ir.Expr, env: Env, depth: int = 0) -> Any:
    """A JSON value for a config expression; unknown parts are kept as source text."""
    if depth > 8:
        return {"expr": expr.code}
    if isinstance(expr, ir.Const) and not isinstance(expr.value, bytes):
        return expr.value
    if isinstance(expr, ir.Call) and expr.qualname and expr.qualname.startswith("sdk:"):
        return _sdk_call(expr, expr.qualname.removeprefix("sdk:"), env, depth)
    if isinstance(expr, ir.Attr):
        name = env.info.imports.qualify(expr.code)
        if name and name.startswith("sdk:"):
            return name.removeprefix("sdk:")
    if isinstance(expr, ir.Name) and expr.id in env.constants:
        from durable_compile.ir.lower.exprs import lower_expr

        return evaluate(lower_expr(env.constants[expr.id], env), env, depth + 1)
    if isinstance(expr, ir.ListExpr | ir.TupleExpr):
        return [evaluate(e, env, depth + 1) for e in expr.elts]
    if isinstance(expr, ir.UnaryOp) and expr.op == "-" and isinstance(expr.operand, ir.Const):
        value = evaluate(expr.operand, env, depth + 1)
        return -value if isinstance(value, int | float) else {"expr": expr.code}
    return {"expr": expr.code}


def _sdk_call(call: ir.Call, symbol: str, env: Env, depth: int) -> Any:
    cls, _, method = symbol.partition(".")
    if cls == "Duration":
        return _duration(call, method, env, depth)
    data: dict[str, Any] = {"type": symbol}
    if call.args:
        data["args"] = [evaluate(a, env, depth + 1) for a in call.args]
    for kw in call.kwargs:
        data[kw.name] = evaluate(kw.value, env, depth + 1)
    return data


def _duration(call: ir.Call, method: str, env: Env, depth: int) -> Any:
    values = [evaluate(a, env, depth + 1) for a in call.args]
    if method in DURATION_UNITS and len(values) == 1 and isinstance(values[0], int | float):
        return {"seconds": values[0] * DURATION_UNITS[method]}
    if not method:
        total: float = 0
        for value, unit in zip(values, DURATION_FIELDS.values(), strict=False):
            if not isinstance(value, int | float):
                return {"expr": call.code}
            total += value * unit
        for kw in call.kwargs:
            value = evaluate(kw.value, env, depth + 1)
            if kw.name not in DURATION_FIELDS or not isinstance(value, int | float):
                return {"expr": call.code}
            total += value * DURATION_FIELDS[kw.name]
        return {"seconds": total}
    return {"expr": call.code}
