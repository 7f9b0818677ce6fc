"""`context.parallel` and `context.map` -> a Parallel state, or an inline Map (with MaxConcurrency).

Takes a batch `Operation` whose branches (or item function) have lowered regions; gives the states.
Each branch body is emitted by a scoped copy of the emitter (its own States, loops and try frames, the
shared state namer and lifted code) that ends it in an outcome entry whether it returns or fails
(emit_branch.py), so one failed branch never fails the whole state. The outcomes, in branch order,
are folded by `batch.fold` into the BatchResult the handler reads. A `parallel` with
`max_concurrency` below its number of branches becomes a Map over the branch indices whose processor
dispatches on the index. A batch whose first failure the handler raises at once (`direct`) needs no
outcome entries: its branches end with their results and fail with ChildContextError, which fails the
Parallel or Map itself, and `throw_if_error()` emits nothing.
Guarantee: what cannot be expressed is DUR820 naming the construct; results that depend on when
suspended branches resume are DUR824 (warning).
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Any

from durable_compile import diagnostics as dx
from durable_compile.backends.asl import batch, batch_returns, emit_branch, emit_items, emit_serdes, emit_try, totality
from durable_compile.backends.asl.branch_outcome import MAP_INDEX, MAP_ITEM
from durable_compile.backends.asl.emit_branch import Branch
from durable_compile.backends.asl.emit_retry import retry_for
from durable_compile.backends.asl.emit_support import Unsupported, jsonata_name, parse_expr
from durable_compile.backends.asl.fold_sources import Sources
from durable_compile.backends.asl.translate import NotTranslatable
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

dx.register(dx.Code("DUR824", "asl-batch-resume-order", dx.Severity.WARNING,
                    "a batch whose branches can suspend may end early: which branches count depends on "
                    "when they resume",
                    "use CompletionConfig.all_completed(), or keep waits, callbacks and retries out of "
                    "the branches"))
INLINE_MAP_LIMIT = 40  #: an inline Map runs at most this many iterations at once (a Parallel: every branch)
JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})
SUSPENDING = {n.OpKind.WAIT: "wait", n.OpKind.WAIT_FOR_CALLBACK: "callback", n.OpKind.CALLBACK_RESULT: "callback",
              n.OpKind.WAIT_FOR_CONDITION: "wait_for_condition", n.OpKind.INVOKE: "invoke"}


def _unsupported(span: Span, message: str) -> Exception:
    return Unsupported(span, message)


def batch_variables(fn: n.Function) -> set[str]:
    """Locals that only ever hold a BatchResult (assigned from `parallel`/`map`, or from calls of functions
    that return one on every path: batch_returns.py; nothing else)."""
    held: set[str] = set()
    other: set[str] = set()
    for stmt in n.walk(fn.body):
        if isinstance(stmt, n.Operation) and isinstance(stmt.target, ir.Name) and not batch_returns.is_call(stmt):
            (held if stmt.kind in (n.OpKind.PARALLEL, n.OpKind.MAP) else other).add(stmt.target.id)
        elif isinstance(stmt, n.Assign | n.AugAssign | n.For):
            for target in (stmt.targets if isinstance(stmt, n.Assign) else (stmt.target,)):
                other.update(x.id for x in _names_in(target))
    helpers = [s for s in n.walk(fn.body) if batch_returns.is_call(s) and s.target is not None]  # type: ignore[attr-defined]
    mixed = {x.id for s in helpers if not isinstance(s.target, ir.Name) for x in _names_in(s.target)}  # type: ignore[arg-type]
    from_helpers = batch_returns.helper_batches(fn, held - other - mixed)
    for stmt in helpers:  # a helper's (or child's) result is a BatchResult when it returns one on every path
        assert stmt.target is not None
        (held if isinstance(stmt.target, ir.Name) and stmt.target.id in from_helpers else other).update(
            x.id for x in _names_in(stmt.target))
    return held - other


def _names_in(target: ir.Expr) -> list[ir.Name]:
    if isinstance(target, ir.Name):
        return [target]
    return [x for elt in getattr(target, "elts", ()) for x in _names_in(elt)]


# --- the operation -----------------------------------------------------------------------------------
def batch_operation(em: Emitter, op: n.Operation, nxt: str) -> str:
    try:
        rules = batch.policy(op.kind.value, op.settings or {})
    except batch.PolicyError as err:
        raise _unsupported(op.span, f"context.{op.kind.value}: {err}") from err
    items = op if emit_items.item_serdes(em, op) is not None else None  # each result through the serdes
    branches = _map_branch(em, op) if op.kind is n.OpKind.MAP else _parallel_branches(em, op)
    errvar = em.fresh("batcherr") if direct(em, op) else None
    if errvar is None:  # else it fails when any branch fails, whenever the others resume
        _warn_resume_order(em, op, branches, rules)
    label = op.label.replace('f"', "").replace('"', "")
    shared = _shared_body(op, branches, label) if op.kind is n.OpKind.PARALLEL else None
    scopes = [emit_branch.branch_scope(em, b, errvar, items) for b in ([shared[0]] if shared else branches)]
    state: dict[str, Any]
    lifted = _lifted_inputs(em, op) if op.kind is n.OpKind.MAP else None
    if op.kind is n.OpKind.MAP:
        state = _map_state(em, op, scopes[0].body, rules, lifted and f"{{% ${lifted} %}}")
    elif shared is not None:
        state = {"Type": "Map", "Items": shared[1],
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **scopes[0].body}}
        if rules.max_concurrency:
            state["MaxConcurrency"] = rules.max_concurrency
    elif rules.max_concurrency and rules.max_concurrency < len(scopes):  # else the limit never binds
        state = _dispatch_state(em, scopes, rules.max_concurrency)
    else:
        state = {"Type": "Parallel", "Branches": [s.body for s in scopes]}
    if op.target is not None:
        if not isinstance(op.target, ir.Name):
            raise _unsupported(op.span, f"the result target {op.target.code!r} must be a plain name")
        state["Assign"] = {jsonata_name(op.target.id): "{% " + (batch.ALL_SUCCEEDED if errvar else batch.fold(rules))
                           + " %}"}
    state["Next"] = nxt
    entry = em.put(em.namer.name(label), state, op.span, op.kind.value)  # the name carries the label
    if errvar is not None:
        _add_source(em, entry, _neighbours(em, op)[1])
    total = f"$count({state['Items'][3:-3]})" if op.kind is n.OpKind.MAP else str(len(branches))
    first = _check_total(em, op, rules, total, entry)
    if lifted is None:
        return first
    inputs = next(k.value for k in op.operands if k.name == "inputs")
    return em.lifted_value(inputs, op.span, first, lifted)


def _lifted_inputs(em: Emitter, op: n.Operation) -> str | None:
    """The variable the steps function computes the map's inputs into, before the Map, where their JSONata
    would fail (a missing key, a wrong type) in a way an enclosing `except`, `finally` or branch catches:
    its task's Catch routes Python's error. None where the inputs stay the Map's `Items`."""
    inputs = next((k.value for k in op.operands if k.name == "inputs"), None)
    if inputs is None or em.value(inputs, whole=True) is not None:
        return None
    uncaught = em.translator()
    uncaught.caught = frozenset()
    try:
        uncaught.value(parse_expr(inputs))
    except NotTranslatable:
        return None  # no translation at all: refused (_map_state)
    return em.fresh("items")


def _shared_body(op: n.Operation, branches: list[Branch], label: str) -> tuple[Branch, str] | None:
    """Branches that run one function with different arguments (`lambda c: fetch(c, "a")`, `lambda c:
    fetch(c, "b")`): one Map over their arguments, in branch order, instead of a Parallel (or a Choice
    picking the branch). Only when every argument can be evaluated before the branches start (it cannot
    fail: a decorated branch's arguments the handler evaluates anyway) and no more run than a Map runs."""
    first = branches[0]
    if len(branches) < 2 or len(branches) > INLINE_MAP_LIMIT or any(
            (b.region.qualname, b.region.span) != (first.region.qualname, first.region.span)
            or set(b.binds) != set(first.binds) for b in branches):
        return None
    if not all(v in b.trusted or totality.total_and_defined(v[3:-3]) for b in branches for v in b.binds.values()):
        return None
    keys = list(first.binds)  # in parameter order
    if any(not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) or k in JSONATA_WORDS for k in keys):
        return None
    items = ", ".join("{" + ", ".join(f"'{k}': {b.binds[k][3:-3]}" for k in keys) + "}" for b in branches)
    binds = {k: f"{{% $states.input.{k} %}}" for k in keys}
    return Branch(first.region, binds, f"{label}-branch", frozenset(binds.values())), f"{{% [{items}] %}}"


def _map_state(em: Emitter, op: n.Operation, scope: dict[str, Any], rules: batch.Policy,
               lifted: str | None) -> dict[str, Any]:
    inputs = next((k.value for k in op.operands if k.name == "inputs"), None)
    items = lifted or (em.value(inputs, whole=True) if inputs is not None else None)  # undefined Items fail
    if items is None:
        raise _unsupported(op.span, "the map inputs have no JSONata translation")
    state: dict[str, Any] = {
        "Type": "Map", "Items": items,
        "ItemSelector": {"item": "{% $states.context.Map.Item.Value %}",
                         "index": "{% $states.context.Map.Item.Index %}"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **scope}}
    if rules.max_concurrency:
        state["MaxConcurrency"] = rules.max_concurrency
    return state


def _dispatch_state(em: Emitter, scopes: list[emit_branch.Scope], limit: int) -> dict[str, Any]:
    """A Map over the branch indices (Parallel has no MaxConcurrency): a Choice picks the branch."""
    name = em.namer.name("Pick-branch")
    bodies = [scope.body for scope in scopes]
    rules = [{"Condition": f"{{% $states.input = {i} %}}", "Next": b["StartAt"]} for i, b in enumerate(bodies)]
    choice = {"Type": "Choice", "Comment": "run the branch of this index", "Choices": rules[:-1] or rules,
              "Default": bodies[-1]["StartAt"]}
    states = {name: choice}
    failed = [f for scope in scopes for f in scope.failed]
    for body in bodies:  # one failed state serves every branch of the processor
        states.update({k: _retarget(v, failed) for k, v in body["States"].items() if k not in failed[1:]})
    if failed:
        states[failed[0]]["Comment"] = "a branch failed: " + (
            "its error entry is the outcome" if states[failed[0]]["Type"] == "Succeed" else
            f"the batch fails with {emit_branch.CHILD_ERROR}")
    return {"Type": "Map", "Items": list(range(len(scopes))), "MaxConcurrency": limit,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": name, "States": states}}


def _retarget(state: dict[str, Any], failed: list[str]) -> dict[str, Any]:
    for catch in state.get("Catch", ()):
        if catch["Next"] in failed:
            catch["Next"] = failed[0]
    return state


def _warn_resume_order(em: Emitter, op: n.Operation, branches: list[Branch], rules: batch.Policy) -> None:
    if not rules.can_end_early:
        return
    for branch in branches:
        for stmt in n.walk(branch.region.body):
            if not isinstance(stmt, n.Operation):
                continue
            what = SUSPENDING.get(stmt.kind)
            if what is None and stmt.kind is n.OpKind.STEP and retry_for(stmt.settings or {})[0]:
                what = f"retried step {stmt.label!r}"
            if what is not None:
                em.report("DUR824", op.span, f"context.{op.kind.value} {op.label!r}: a branch can suspend ({what} "
                          f"at line {stmt.span.line}) and the completion config can end the batch early; the "
                          "state machine counts branches in index order, the durable runtime as they resume")
                return


# --- branches ----------------------------------------------------------------------------------------
def _map_branch(em: Emitter, op: n.Operation) -> list[Branch]:
    callee = op.callee
    if callee is None or callee.region is None:
        code = callee.code if callee else "?"
        raise _unsupported(op.span, f"the map function {code!r} is not a function of this module")
    params = callee.region.params
    inputs = next((k.value for k in op.operands if k.name == "inputs"), None)
    values = [MAP_ITEM, MAP_INDEX, em.value(inputs) if inputs else None]
    binds = {p: v for p, v in zip(params[1:], values, strict=False) if v is not None}
    return [Branch(callee.region, binds, f"{op.label}-item", frozenset(binds.values()))]


def _parallel_branches(em: Emitter, op: n.Operation) -> list[Branch]:
    found = []
    for index, callee in enumerate(op.branches):
        label = callee.name or f"{op.label}-branch-{index}"
        if callee.region is None:
            raise _unsupported(callee.span, f"the parallel branch {callee.code!r} is not a lambda or function "
                               "of this module")
        helper = _helper_branch(em, callee.region)
        region, args = helper or (callee.region, list(callee.args))
        binds: dict[str, str] = {}
        for param, arg in zip(region.params[1:], args, strict=False):
            value = em.value(arg)
            if value is None:
                raise _unsupported(arg.span, f"the branch argument {arg.code!r} has no JSONata translation")
            binds[param] = value
        # a decorated branch's arguments are evaluated in the handler, where their failure is no branch's
        found.append(Branch(region, binds, label, frozenset(binds.values()) if helper is None else frozenset()))
    return found


def _helper_branch(em: Emitter, region: n.Function) -> tuple[n.Function, list[ir.Expr]] | None:
    """`lambda ctx: helper(ctx, ...)`: the branch is the helper's body, its arguments read from the source."""
    body = region.body
    if len(body) != 2 or not isinstance(body[0], n.HelperCall) or not isinstance(body[1], n.Return):
        return None
    call, ret = body[0], body[1]
    if call.region is None or not isinstance(ret.value, ir.Name) or ret.value != call.target:
        return None
    parsed = _source_call(em, call.span)
    if parsed is None or parsed.keywords or len(parsed.args) != len(call.region.params):
        raise _unsupported(call.span, "the branch's helper call must pass its arguments by position")
    args = [ir.Expr(ast.unparse(a), call.span) for a in parsed.args]
    return call.region, args[1:]


def _source_call(em: Emitter, span: Span) -> ast.Call | None:
    lines = em.source_lines[span.line - 1:span.end_line]
    if not lines:
        return None
    lines[-1] = lines[-1][:span.end_column - 1]
    lines[0] = lines[0][span.column - 1:]
    try:
        node = ast.parse("\n".join(lines).strip(), mode="eval").body
    except SyntaxError:
        return None
    return node if isinstance(node, ast.Call) else None


# --- a batch that fails at its first failure -----------------------------------------------------------
def direct(em: Emitter, op: n.Operation) -> bool:
    """Whether the batch `op` may fail as a state, with ChildContextError, when a branch fails: the
    statement right after it is `throw_if_error()` on its result, its completion config tolerates no
    failure and ends only when every branch has run (so its result has a failed item exactly when a
    branch failed, the runtime's `throw_if_error()` raises ChildContextError with that item's message,
    and nothing reads the result before), nothing here catches ChildContextError (an `except` would read
    the result), and no branch has a try/finally (a branch's boundary is a try frame)."""
    after = _neighbours(em, op)[1]
    if not (isinstance(op.target, ir.Name) and after is not None and _thrown(em, after) == op.target.id):
        return False
    try:
        rules = batch.policy(op.kind.value, op.settings or {})
    except batch.PolicyError:
        return False
    none_tolerated = not rules.has_criteria or 0 in (rules.tolerated_count, rules.tolerated_percentage)
    return rules.min_successful is None and none_tolerated and not _caught(em) \
        and not emit_items.custom(op) and not emit_items.serdes_inside(op) \
        and not any(isinstance(s, n.Try) and s.finalbody for r in n.regions(op) for s in n.walk(r.body))


def _caught(em: Emitter) -> bool:
    """Whether an `except` or `finally` here takes ChildContextError (a child context's or a failing
    branch's boundary does not: the error leaves through it as it is)."""
    if emit_try.finally_frame(em) is not None:
        return True
    handler = next((h for frame in reversed(em.tries) for h in frame.handlers
                    if emit_try.matches(h.types, "child") is not None), None)
    return handler is not None and handler.raises is None


def _add_source(em: Emitter, name: str, thrown: n.Stmt | None) -> None:
    """The state of a batch that fails by itself stands for the `throw_if_error()` after it too."""
    if not isinstance(thrown, n.ExprStmt):
        return
    part = {"line": thrown.span.line, "end_line": thrown.span.end_line, "what": thrown.value.code}
    Sources(em.out.source_map).add(name, [part], after=True)
    em.states[name]["Comment"] += f"; {part['what']} (line {part['line']})"


def _thrown(em: Emitter, stmt: n.Stmt) -> str | None:
    """The batch variable `stmt` calls `throw_if_error()` on, if it is that call."""
    call = stmt.value if isinstance(stmt, n.ExprStmt) else None
    if (isinstance(call, ir.Call) and isinstance(call.func, ir.Attr) and call.func.attr == "throw_if_error"
            and isinstance(call.func.value, ir.Name) and call.func.value.id in em.batches and not call.args):
        return call.func.value.id
    return None


def _neighbours(em: Emitter, stmt: n.Stmt) -> tuple[n.Stmt | None, n.Stmt | None]:
    """The statements right before and after `stmt` in its block of the function being emitted."""
    todo = [em.handler.function.body]
    while todo:
        body = todo.pop()
        for i, found in enumerate(body):
            if found is stmt:
                return (body[i - 1] if i else None), (body[i + 1] if i + 1 < len(body) else None)
            todo.extend(n.blocks(found))
            if isinstance(found, n.Operation):
                todo.extend(r.body for r in n.regions(found))
            elif isinstance(found, n.HelperCall) and found.region is not None:
                todo.append(found.region.body)
    return None, None


def throw_if_error(em: Emitter, stmt: n.ExprStmt, nxt: str) -> str | None:
    """`batch.throw_if_error()`: a Choice on a failed item, then the raise of ChildContextError with the
    first failed item's message (caught by a matching `except`, as the runtime raises it). Right after a
    batch that fails by itself (`direct`), nothing."""
    name = _thrown(em, stmt)
    if name is None:
        return None
    before = _neighbours(em, stmt)[0]
    if isinstance(before, n.Operation) and before.kind in (n.OpKind.PARALLEL, n.OpKind.MAP) and direct(em, before):
        return nxt
    call = stmt.value
    assert isinstance(call, ir.Call) and isinstance(call.func, ir.Attr)
    failed = f"$filter(${jsonata_name(name)}.all, function($__v) {{ $__v.status = 'FAILED' }})"
    error = f"{failed}[0].error"  # the ChildContextError names the failed branch's error type
    raised = _raise_if(em, stmt.span, f"$count({failed}) > 0", "ChildContextError",
                       f"{error}.ErrorMessage", nxt, f"If-{name}-failed", call.code, f"{error}.ErrorType")
    if not emit_items.throw_class(em):
        return raised
    serdes = f"{error}.ErrorType = {emit_serdes.RECORDED}"  # the runtime raises a branch's SerDesError as it is
    return _raise_if(em, stmt.span, f"$count({failed}) > 0 and {serdes}", "SerDesError",
                     f"{error}.ErrorMessage", raised, f"If-{name}-serdes-failed", call.code)


def _raise_if(em: Emitter, span: Span, condition: str, cls: str, message: str, nxt: str, name: str,
              what: str, error_type: str | None = None) -> str:
    """A Choice that raises `cls(message)` in the handler (jumping to a matching `except`) when `condition`.
    Uncaught in a batch branch, the raise is the branch's error entry, its message read where it is.
    `error_type` (JSONata) is the raised error's `error_type` when it is not the class's name."""
    if em.branch is not None and not emit_try.caught(em, cls):
        raised = em.put(em.namer.name(f"Raise-{cls}"),
                        {"Type": "Fail", "Error": cls, "Cause": f"{{% {message} %}}"}, span, f"raise {cls}")
        rule = {"Condition": f"{{% {condition} %}}", "Next": raised}
        return em.put(em.namer.name(name), {"Type": "Choice", "Choices": [rule], "Default": nxt}, span, what)
    var = em.fresh("message")
    em.locals.add(var)
    exc = ir.Call(f"{cls}({var})", span, ir.Name(cls, span, cls), (ir.Name(var, span, var),), (), None)
    assign = {var: f"{{% {message} %}}"}
    typed = None
    if error_type is not None:
        typed = jsonata_name(em.fresh("error_type"))
        assign[typed] = f"{{% {error_type} %}}"
    raised = emit_try.raise_(em, n.Raise(span, exc, None), None if typed is None else f"${typed}")
    rule = {"Condition": f"{{% {condition} %}}", "Assign": assign, "Next": raised}
    return em.put(em.namer.name(name), {"Type": "Choice", "Choices": [rule], "Default": nxt}, span, what)


def _check_total(em: Emitter, op: n.Operation, rules: batch.Policy, total: str, nxt: str) -> str:
    """The runtime refuses a `min_successful` above the number of branches (ValidationError) before running."""
    if rules.min_successful is None:
        return nxt
    least = batch.num(rules.min_successful)
    message = f"'min_successful cannot be greater than total items: {least} > ' & $string({total})"
    return _raise_if(em, op.span, f"{total} < {least}", "ValidationError", message, nxt,
                     f"Check-min-successful-line-{op.span.line}", f"{op.kind.value} min_successful")

