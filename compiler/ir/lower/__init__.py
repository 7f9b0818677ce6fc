"""Lower: a discovered module -> one IR `Handler` per durable handler.

Takes a `ModuleInfo` (libcst module, imports, functions); gives `Handler`s whose bodies are IR statement
trees with spans, durable calls hoisted into `Operation`s and nested regions lowered. This package is
the only place that knows both libcst and the IR.
"""

from __future__ import annotations

from durable_compile.discover import FunctionInfo, ModuleInfo
from durable_compile.ir.lower.env import Env
from durable_compile.ir.lower.stmts import Lowerer
from durable_compile.ir.nodes import Handler, Operation, walk


def lower_handler(env: Env, fn: FunctionInfo) -> Handler:
    """The IR of one handler function."""
    env.lowering.add(fn.qualname)
    function = Lowerer(env).function(fn, fn.context_param)
    env.lowering.discard(fn.qualname)
    count = sum(1 for s in walk(function.body) if isinstance(s, Operation))
    return Handler(env.path, function, count)


def lower_module(path: str, info: ModuleInfo, text: str | None = None) -> list[Handler]:
    """Every handler of the module, in source order (`text`: the source, when the caller has it)."""
    env = Env.for_module(path, info, text)
    return [lower_handler(env, fn) for fn in info.handlers]
