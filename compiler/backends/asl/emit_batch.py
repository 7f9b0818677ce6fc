"""`context.parallel` and `context.map` -> a Parallel state, or an inline Map (with MaxConcurrency).

Takes a batch `Operation` whose branches (or item function) have lowered regions; gives the states.
Each branch body is emitted by a scoped copy of the emitter (its own States, loops and try frames, the
shared state namer and lifted code) and wrapped in a one-branch Parallel whose Catch turns any failure
into an error outcome, so one failed branch never fails the whole state. The outcomes, in branch order,
are folded by `batch.fold` into the BatchResult the handler reads. Branch locals that an outer scope
also assigns are renamed (ASL inner scopes read outer variables). A `parallel` with `max_concurrency`
becomes a Map over the branch indices whose processor dispatches on the index.
Guarantee: what cannot be expressed is DUR820 naming the construct; results that depend on when
suspended branches resume are DUR824 (warning).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from durable_compile import diagnostics as dx
from durable_compile.backends.asl import batch, emit_try
from durable_compile.backends.asl.emit_retry import retry_for
from durable_compile.backends.asl.emit_support import Unsupported, jsonata_name
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.backends.asl.module_facts import collect_locals, ordered
from durable_compile.backends.asl.variables import check_variables
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
SUSPENDING = {n.OpKind.WAIT: "wait", n.OpKind.WAIT_FOR_CALLBACK: "callback", n.OpKind.CALLBACK_RESULT: "callback",
              n.OpKind.WAIT_FOR_CONDITION: "wait_for_condition", n.OpKind.INVOKE: "invoke"}


@dataclass(frozen=True)
class Branch:
    """One branch to emit: its body and the values its parameters take."""

    region: n.Function  #: the body
    binds: dict[str, str]  #: parameter -> JSONata (evaluated in the enclosing scope)
    label: str  #: what the states are named after


def _unsupported(span: Span, message: str) -> Exception:
    return Unsupported(span, message)


def batch_variables(fn: n.Function) -> set[str]:
    """Locals that only ever hold a BatchResult (assigned from `parallel`/`map`, nothing else)."""
    held: set[str] = set()
    other: set[str] = set()
    for stmt in n.walk(fn.body):
        if isinstance(stmt, n.Operation) and isinstance(stmt.target, ir.Name):
            (held if stmt.kind in (n.OpKind.PARALLEL, n.OpKind.MAP) else other).add(stmt.target.id)
        elif isinstance(stmt, n.Assign | n.AugAssign | n.For):
            for target in (stmt.targets if isinstance(stmt, n.Assign) else (stmt.target,)):
                other.update(x.id for x in _names_in(target))
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
    branches = _map_branch(em, op) if op.kind is n.OpKind.MAP else _parallel_branches(em, op)
    _warn_resume_order(em, op, branches, rules)
    label = op.label.replace('f"', "").replace('"', "")
    scopes = [_wrapped(em, b) for b in branches]
    state: dict[str, Any]
    if op.kind is n.OpKind.MAP:
        state = _map_state(em, op, scopes[0], rules)
    elif rules.max_concurrency:
        state = _dispatch_state(em, scopes, rules.max_concurrency)
    else:
        state = {"Type": "Parallel", "Branches": scopes}
    if op.target is not None:
        if not isinstance(op.target, ir.Name):
            raise _unsupported(op.span, f"the result target {op.target.code!r} must be a plain name")
        state["Assign"] = {jsonata_name(op.target.id): "{% " + batch.fold(rules) + " %}"}
    state["Next"] = nxt
    entry = em.put(em.namer.name(label), state, op.span, op.kind.value)  # the name carries the label
    total = f"$count({state['Items'][3:-3]})" if op.kind is n.OpKind.MAP else str(len(scopes))
    return _check_total(em, op, rules, total, entry)


def _map_state(em: Emitter, op: n.Operation, scope: dict[str, Any], rules: batch.Policy) -> dict[str, Any]:
    inputs = next((k.value for k in op.operands if k.name == "inputs"), None)
    items = em.value(inputs) if inputs is not None else None
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


def _dispatch_state(em: Emitter, scopes: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """A Map over the branch indices (Parallel has no MaxConcurrency): a Choice picks the branch."""
    name = em.namer.name("Pick-branch")
    rules = [{"Condition": f"{{% $states.input = {i} %}}", "Next": s["StartAt"]} for i, s in enumerate(scopes)]
    choice = {"Type": "Choice", "Comment": "run the branch of this index", "Choices": rules[:-1] or rules,
              "Default": scopes[-1]["StartAt"]}
    states = {name: choice}
    shared: str | None = None  # one failure outcome state serves every branch of the processor
    for scope in scopes:
        catch = scope["States"][scope["StartAt"]]["Catch"][0]
        failed, shared = catch["Next"], shared or catch["Next"]
        catch["Next"] = shared
        states.update({k: v for k, v in scope["States"].items() if k != failed or k == shared})
    states[str(shared)]["Comment"] = "a branch failed: its error entry is the outcome"
    return {"Type": "Map", "Items": list(range(len(scopes))), "MaxConcurrency": limit,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": name, "States": states}}


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
    values = ["{% $states.input.item %}", "{% $states.input.index %}", em.value(inputs) if inputs else None]
    binds = {p: v for p, v in zip(params[1:], values, strict=False) if v is not None}
    return [Branch(callee.region, binds, f"{op.label}-item")]


def _parallel_branches(em: Emitter, op: n.Operation) -> list[Branch]:
    found = []
    for index, callee in enumerate(op.branches):
        label = callee.name or f"{op.label}-branch-{index}"
        if callee.region is None:
            raise _unsupported(callee.span, f"the parallel branch {callee.code!r} is not a lambda or function "
                               "of this module")
        region, args = _helper_branch(em, callee.region) or (callee.region, list(callee.args))
        binds: dict[str, str] = {}
        for param, arg in zip(region.params[1:], args, strict=False):
            value = em.value(arg)
            if value is None:
                raise _unsupported(arg.span, f"the branch argument {arg.code!r} has no JSONata translation")
            binds[param] = value
        found.append(Branch(region, binds, label))
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


# --- one branch as its own scope ---------------------------------------------------------------------
def _wrapped(em: Emitter, branch: Branch) -> dict[str, Any]:
    """`{StartAt, States}`: a one-branch Parallel running the body; success and failure become outcomes."""
    body = _body_scope(em, branch)
    failed = em.namer.name(f"{branch.label}-failed")
    span = branch.region.span
    single = _single_task(body, failed)
    em_states: dict[str, dict[str, Any]] = {}
    saved, em.states = em.states, em_states
    try:
        if single is not None:
            run, state = single
            em.states[run] = state
        else:
            run = em.namer.name(branch.label)
            catch = {"ErrorEquals": ["States.ALL"], "Output": batch.failed_entry(emit_try.MESSAGE[3:-3]),
                     "Next": failed}
            em.put(run, {"Type": "Parallel", "Branches": [body], "Output": batch.SUCCEEDED_ENTRY, "Catch": [catch],
                         "End": True}, span, f"branch {branch.label}: its failure becomes an error entry")
        em.put(failed, {"Type": "Succeed", "Output": "{% $states.input %}"}, span, f"branch {branch.label} failed")
    finally:
        em.states = saved
    return {"StartAt": run, "States": em_states}


def _single_task(body: dict[str, Any], failed: str) -> tuple[str, dict[str, Any]] | None:
    """A branch that is one task returning its result (`lambda c: c.step(...)`) needs no wrapper: the task
    itself gives the success outcome, and its catcher the failure outcome the branch would have raised."""
    states = body["States"]
    task = states.get(body["StartAt"], {})
    result = next(iter(task.get("Assign", {})), None)
    end = states.get(task.get("Next", ""))
    error_type = _task_error_type(states, task)
    if task.get("Type") != "Task" or len(task.get("Assign", {})) != 1 or end is None or error_type is None \
            or end.get("Type") != "Succeed" or end.get("Output") != f"{{% ${result} %}}" \
            or task["Assign"][result] != "{% $states.result.Payload %}":
        return None
    single = {k: v for k, v in task.items() if k not in ("Assign", "Next", "Catch")}
    single["Output"] = batch.SUCCEEDED_ENTRY.replace("$states.result[0]", "$states.result.Payload")
    error = batch.failed_entry(emit_try.MESSAGE[3:-3], error_type)
    single["Catch"] = [{"ErrorEquals": ["States.ALL"], "Output": error, "Next": failed}]
    single["End"] = True
    return body["StartAt"], single


def _task_error_type(states: dict[str, Any], task: dict[str, Any]) -> str | None:
    """The JSONata of the error type a single-task branch fails with: the task's own error when it has no
    Catch (it raises the uncaught error itself), the Fail state's error when its one catcher leads there."""
    catch = task.get("Catch", [])
    if not catch:
        return "$states.errorOutput.Error" if len(states) == 2 else None
    fail = states.get(catch[0]["Next"]) if len(catch) == 1 else None
    if len(states) != 3 or fail is None or fail.get("Type") != "Fail" or catch[0]["ErrorEquals"] != ["States.ALL"] \
            or set(catch[0]) - {"ErrorEquals", "Next", "Output"} or not isinstance(fail.get("Error"), str) \
            or fail["Error"].startswith("{%"):
        return None
    return string_literal(fail["Error"])


def _body_scope(em: Emitter, branch: Branch) -> dict[str, Any]:
    fn = branch.region
    sub = _scoped(em, fn)
    done = sub.put(em.namer.name(f"{branch.label}-end"), {"Type": "Succeed", "Output": "{% null %}"}, fn.span,
                   "end of branch")
    entry = sub.block(fn.body, done)
    local = collect_locals(fn)
    renames = _renames(em, local)
    states = _renamed(ordered(sub.states, entry), renames)
    text = json.dumps(states)
    assign: dict[str, str | None] = {renames.get(p, jsonata_name(p)): v for p, v in branch.binds.items()
              if re.search(r"\$" + re.escape(renames.get(p, jsonata_name(p))) + r"(?![A-Za-z0-9_])", text)}
    unassigned = _unassigned(entry, states, {renames.get(x, jsonata_name(x)) for x in local} - set(assign))
    assign.update({var: None for var in unassigned})
    if not assign:
        return {"StartAt": entry, "States": states}
    start = em.namer.name(f"{branch.label}-start")
    em.out.source_map[start] = {"file": em.handler.path, "line": fn.span.line, "end_line": fn.span.line,
                                "what": "branch parameters"}
    bind = {"Type": "Pass", "Comment": f"branch parameters (line {fn.span.line})", "Assign": assign, "Next": entry}
    return {"StartAt": start, "States": {start: bind, **states}}


def _scoped(em: Emitter, fn: n.Function) -> Emitter:
    """A copy of the emitter for a nested scope: own states, loops and try frames; shared names and output."""
    sub = copy.copy(em)
    sub.handler = n.Handler(em.handler.path, fn, 0)
    sub.states = {}
    sub.loops, sub.tries = [], []
    sub.returns = []  # a `return` in a branch ends the branch, even inside an inlined child context
    sub.locals = set(em.locals) | collect_locals(fn)
    sub.errors = set(em.errors) | {h.name for s in n.walk(fn.body) if isinstance(s, n.Try)
                                   for h in s.handlers if h.name}
    return sub


def _renames(em: Emitter, local: set[str]) -> dict[str, str]:
    """Branch locals that an enclosing scope also assigns get a prefix (inner scopes read outer variables)."""
    outer = _own_locals(em.handler.function)
    return {name: f"{name}_{em.handler.function.name.strip('<>')}" for name in sorted(local & outer)}


def _own_locals(fn: n.Function) -> set[str]:
    """The locals of a function without those of its nested regions."""
    flat = n.Function(fn.name, fn.qualname, fn.params, fn.context, _strip(fn.body), fn.span)
    return collect_locals(flat)


def _strip(body: tuple[n.Stmt, ...]) -> tuple[n.Stmt, ...]:
    out: list[n.Stmt] = []
    for stmt in body:
        if isinstance(stmt, n.Operation):
            stmt = dataclasses.replace(stmt, callee=None, branches=())
        elif isinstance(stmt, n.HelperCall):
            stmt = dataclasses.replace(stmt, region=None)
        out.append(stmt)
    return tuple(out)


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if not renames:
        return value
    pattern = re.compile(r"\$(" + "|".join(map(re.escape, renames)) + r")(?![A-Za-z0-9_])")

    def visit(item: Any, key: str | None = None) -> Any:
        if isinstance(item, str):
            return pattern.sub(lambda m: "$" + renames[m.group(1)], item)
        if isinstance(item, list):
            return [visit(x) for x in item]
        if isinstance(item, dict):
            return {(renames.get(k, k) if key == "Assign" else k): visit(v, k) for k, v in item.items()}
        return item
    return visit(value)


def _unassigned(start: str, states: dict[str, Any], local: set[str]) -> list[str]:
    """Branch locals read where not every path has assigned them (Python allows it when unread)."""
    problems = check_variables({"StartAt": start, "States": states})
    names = {p.message.split()[0][1:] for p in problems if p.code == "DUR811"}
    return sorted(names & local)


def throw_if_error(em: Emitter, stmt: n.ExprStmt, nxt: str) -> str | None:
    """`batch.throw_if_error()`: a Choice on a failed item, then the raise of ChildContextError with the
    first failed item's message (caught by a matching `except`, as the runtime raises it)."""
    call = stmt.value
    if not (isinstance(call, ir.Call) and isinstance(call.func, ir.Attr) and call.func.attr == "throw_if_error"
            and isinstance(call.func.value, ir.Name) and call.func.value.id in em.batches and not call.args):
        return None
    failed = f"$filter(${jsonata_name(call.func.value.id)}.all, function($__v) {{ $__v.status = 'FAILED' }})"
    return _raise_if(em, stmt.span, f"$count({failed}) > 0", "ChildContextError",
                     f"{failed}[0].error.ErrorMessage", nxt, f"Throw-if-error-line-{stmt.span.line}", call.code)


def _raise_if(em: Emitter, span: Span, condition: str, cls: str, message: str, nxt: str, name: str,
              what: str) -> str:
    """A Choice that raises `cls(message)` in the handler (jumping to a matching `except`) when `condition`."""
    var = em.fresh("message")
    em.locals.add(var)
    exc = ir.Call(f"{cls}({var})", span, ir.Name(cls, span, cls), (ir.Name(var, span, var),), (), None)
    raised = emit_try.raise_(em, n.Raise(span, exc, None))
    rule = {"Condition": f"{{% {condition} %}}", "Assign": {var: f"{{% {message} %}}"}, "Next": raised}
    return em.put(em.namer.name(name), {"Type": "Choice", "Choices": [rule], "Default": nxt}, span, what)


def _check_total(em: Emitter, op: n.Operation, rules: batch.Policy, total: str, nxt: str) -> str:
    """The runtime refuses a `min_successful` above the number of branches (ValidationError) before running."""
    if rules.min_successful is None:
        return nxt
    least = batch.num(rules.min_successful)
    message = f"'min_successful cannot be greater than total items: {least} > ' & $string({total})"
    return _raise_if(em, op.span, f"{total} < {least}", "ValidationError", message, nxt,
                     f"Check-min-successful-line-{op.span.line}", f"{op.kind.value} min_successful")

