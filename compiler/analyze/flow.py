"""Flow: per-region facts about values, computed once per def or lambda and shared by the rules.

- taint (DUR401, DUR601): which local names hold values derived from non-deterministic sources (the
  DUR1xx/DUR2xx APIs, directly or through helpers, and environment reads). Flow-insensitive: a name is
  tainted if any assignment to it is; the result of a durable operation is always clean (it is
  checkpointed), whatever its arguments.
- unordered (DUR402, DUR403): names bound to sets, set algebra, `os.listdir`/`glob` results.
- locals: names a region binds itself (parameters and assignments), so writes to anything else are
  writes to outer state (DUR502, DUR503).
- mutated globals (DUR504): module-level names that some function rebinds or mutates.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from durable_compile.analyze import apis
from durable_compile.analyze.regions import operation
from durable_compile.analyze.rule import FileContext
from durable_compile.analyze.tables import MUTATORS, TAINT_CODES, UNORDERED_CALLS
from durable_compile.analyze.walk import children

SET_OPS = (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
SET_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference", "copy"})
MAX_ROUNDS = 6
MUTATING = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Call, ast.Global)


@dataclass
class Flow:
    tainted: dict[str, str] = field(default_factory=dict)  #: name -> the source it derives from
    unordered: set[str] = field(default_factory=set)  #: names bound to unordered collections
    locals: set[str] = field(default_factory=set)  #: parameters and assigned names


def root_name(node: ast.AST) -> ast.Name | None:
    """`a.b[c].d` -> the Name `a`."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _bindings(region: ast.AST, own: list[ast.AST]) -> list[tuple[ast.AST, ast.AST | None]]:
    """(target, value) pairs bound in the region; value None when unknown (parameters, imports)."""
    pairs: list[tuple[ast.AST, ast.AST | None]] = []
    args = getattr(region, "args", None)
    if isinstance(args, ast.arguments):
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if a is not None:
                pairs.append((ast.Name(a.arg, ast.Store()), None))
    for node in own:
        if isinstance(node, ast.Assign):
            pairs.extend((t, node.value) for t in node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            pairs.append((node.target, node.value))
        elif isinstance(node, ast.NamedExpr):
            pairs.append((node.target, node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            pairs.append((node.target, ast.Subscript(node.iter, ast.Constant(0), ast.Load())))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            pairs.extend((i.optional_vars, i.context_expr) for i in node.items if i.optional_vars is not None)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pairs.append((ast.Name(node.name, ast.Store()), None))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            pairs.extend((ast.Name((a.asname or a.name).split(".")[0], ast.Store()), None) for a in node.names)
    return pairs


def _names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _names(e)]
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return []


def flow_of(region: ast.AST, ctx: FileContext) -> Flow:
    key = ("flow", id(region))
    cached = ctx.memo.get(key)
    if isinstance(cached, Flow):
        return cached
    flow = Flow()
    ctx.memo[key] = flow
    pairs = [(names, value) for target, value in _bindings(region, ctx.index.own(region)) if (names := _names(target))]
    for names, _ in pairs:
        flow.locals.update(names)
    for _ in range(MAX_ROUNDS):
        changed = False
        for names, value in pairs:
            if value is None:
                continue
            reason = taint_of(value, ctx, flow)
            unordered = is_unordered(value, ctx, flow) and len(names) == 1
            for name in names:
                if reason is not None and name not in flow.tainted:
                    flow.tainted[name] = reason
                    changed = True
                if unordered and name not in flow.unordered:
                    flow.unordered.add(name)
                    changed = True
        if not changed:
            break
    return flow


def taint_of(expr: ast.AST, ctx: FileContext, flow: Flow | None = None) -> str | None:
    """The non-deterministic source `expr` derives from, or None when it is deterministic."""
    frame = ctx.frame
    contexts = frame.contexts if frame is not None else frozenset()
    flow = flow if flow is not None else (flow_of(frame.node, ctx) if frame is not None else Flow())
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)) or operation(node, contexts):
            continue
        reason = _source(node, ctx, flow)
        if reason is not None:
            return reason
        stack.extend(children(node))
    return None


def _source(node: ast.AST, ctx: FileContext, flow: Flow) -> str | None:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return flow.tainted.get(node.id)
    if isinstance(node, ast.Call):
        hit = ctx.classify(node)
        if hit is not None:
            return f"{hit.api}()" if hit.code in TAINT_CODES else None
        for effect in ctx.effects(node) if ctx.frame is not None else ():
            if effect.code in TAINT_CODES:
                return f"{effect.via()}"
        return None
    if isinstance(node, ast.Subscript) and apis.is_environ(node.value, ctx.index):
        key = apis.environ_key(node)
        return None if key in ctx.summaries.settings.allow_env else "os.environ"
    if isinstance(node, ast.Compare) and any(apis.is_environ(c, ctx.index) for c in node.comparators):
        return None if apis.environ_key(node) in ctx.summaries.settings.allow_env else "os.environ"
    return None


def is_unordered(expr: ast.AST, ctx: FileContext, flow: Flow | None = None) -> bool:
    """A set, frozenset, set algebra or directory listing: iteration order is not reproducible."""
    if flow is None:
        flow = flow_of(ctx.frame.node, ctx) if ctx.frame is not None else Flow()
    if isinstance(expr, (ast.Set, ast.SetComp)):
        return True
    if isinstance(expr, ast.Name):
        return expr.id in flow.unordered
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, SET_OPS):
        return is_unordered(expr.left, ctx, flow) or is_unordered(expr.right, ctx, flow)
    if isinstance(expr, ast.Call):
        if ctx.index.qualify(expr.func) in UNORDERED_CALLS:
            return True
        func = expr.func
        return isinstance(func, ast.Attribute) and func.attr in SET_METHODS and is_unordered(func.value, ctx, flow)
    return False


def mutated_globals(ctx: FileContext) -> set[str]:
    """Module-level variables that some def rebinds (`global`) or mutates in place."""
    cached = ctx.memo.get("mutated_globals")
    if isinstance(cached, set):
        return cached
    found: set[str] = set()
    for fn in ctx.index.functions.values():
        declared: set[str] = set()
        for node in ctx.index.own(fn.node):
            if not isinstance(node, MUTATING):
                continue
            target = mutation_target(node)
            if isinstance(node, ast.Global):
                declared.update(node.names)
            elif target is not None and target.id in ctx.index.globals:
                found.add(target.id)
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found.update(n for t in targets for n in _names(t) if n in declared)
    ctx.memo["mutated_globals"] = found
    return found


def mutation_target(node: ast.AST) -> ast.Name | None:
    """The name whose object `node` mutates in place: `x[k] = v`, `x.a = v`, `x += ...` on a subscript,
    `x.append(...)`; None for anything else."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, (ast.Subscript, ast.Attribute)):
                return root_name(target)
        return None
    if isinstance(node, ast.Delete):
        for target in node.targets:
            if isinstance(target, (ast.Subscript, ast.Attribute)):
                return root_name(target)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
        return root_name(node.func.value)
    return None
