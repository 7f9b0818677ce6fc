"""One branch of `parallel`/`map` as its own scope, ending in the outcome entry `batch.fold` counts.

Takes a `Branch` (a body and the values of its parameters); gives `{StartAt, States}` for a Parallel
branch or a Map processor. The body is emitted by a scoped copy of the emitter (its own States, loops
and try frames; the shared state namer and lifted code) as if it were wrapped in `try: ... except
BaseException as e: return error_entry(e)`: an uncaught task failure is caught into the branch's
failed state with the error entry the runtime reports (branch_outcome.py), a `raise` ends the branch
with its error entry, a return with the success entry. Only a branch with a state that can fail where
no Catch can take it keeps a one-branch Parallel whose Catch turns what is left into an error entry.
Branch locals that an outer scope also assigns are renamed (ASL inner scopes read outer variables).

A branch of a batch that fails as soon as one branch fails (emit_batch.direct: `throw_if_error()` right
after a batch that tolerates no failure) instead ends with its result, and fails as a child context
nothing catches: with ChildContextError and the failure's message (steps raise it themselves, other
tasks catch into one Fail state, a `raise` is a Fail with that error), which fails the Parallel or Map
itself as `throw_if_error()` would have raised.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from durable_compile.backends.asl import batch, branch_outcome, emit_items, emit_try
from durable_compile.backends.asl.branch_outcome import MAP_INDEX, MAP_ITEM
from durable_compile.backends.asl.emit_support import current_renames, jsonata_name, renamed
from durable_compile.backends.asl.module_facts import collect_locals, ordered
from durable_compile.backends.asl.variables import check_variables
from durable_compile.ir import nodes as n

if TYPE_CHECKING:
    from durable_compile.backends.asl.emit import Emitter

CHILD_ERROR = "ChildContextError"  #: what a failed branch raises in `throw_if_error()`


@dataclass(frozen=True)
class Branch:
    """One branch to emit: its body and the values its parameters take."""

    region: n.Function  #: the body
    binds: dict[str, str]  #: parameter -> JSONata (evaluated in the enclosing scope)
    label: str  #: what the states are named after
    #: bind values whose failure is no failure of the branch: the map item and its list (defined), a
    #: decorated branch's arguments and a shared body's Map item (evaluated before the branches start)
    trusted: frozenset[str] = frozenset()


@dataclass
class BranchExit:
    """The failed state of one branch scope, named when a catcher first goes there."""

    em: Emitter
    label: str
    name: str | None = None

    def failed(self) -> str:
        if self.name is None:
            self.name = self.em.namer.name(f"{self.label}-failed")
        return self.name

    def catcher(self, kind: str) -> dict[str, Any]:
        """The last Catch of a task of `kind` in the branch: its failure is the branch's error entry."""
        return branch_outcome.catcher(kind, self.failed())


@dataclass
class Scope:
    """An emitted branch: `{StartAt, States}`, and its failed state (shared when branches are merged)."""

    body: dict[str, Any]
    failed: list[str] = field(default_factory=list)


def branch_scope(em: Emitter, branch: Branch, direct: str | None = None, items: n.Operation | None = None) -> Scope:
    """The branch's states ending in outcome entries (with `direct`, the variable that carries a failure's
    message: in its result, failing with ChildContextError), wrapped only when some state can fail uncaught.
    With `items`, the batch whose custom item_serdes each result passes through (emit_items)."""
    fn = branch.region
    exit_ = BranchExit(em, branch.label)
    local = collect_locals(fn)
    renames = _renames(em, local)
    sub = _scoped(em, fn, exit_, renames)
    failed: list[str] = []
    if direct is not None:
        boundary = _boundary(sub, branch, direct, failed)
        sub.branch, sub.tries = None, [emit_try.TryFrame([boundary])]
    done = sub.put(em.namer.name(f"{branch.label}-end"), {"Type": "Succeed", "Output": "{% null %}"}, fn.span,
                   "end of branch")
    with renamed({k: v for k, v in current_renames().items() if k not in local}):  # its own names shadow
        entry = sub.block(fn.body, done)
    if direct is not None:
        branch_outcome.catch_nested(sub.states, lambda: _boundary_catcher(boundary))
    states = _renamed(ordered(sub.states, entry), renames)
    index = [renames.get(p, jsonata_name(p)) for p, v in branch.binds.items() if v == MAP_INDEX]
    risky = branch_outcome.unsafe(states, numbers=index)  # its returns and raises as written
    if direct is None:
        if items is not None:
            emit_items.round_trip_results(items, states, exit_.failed)
        branch_outcome.to_outcomes(states, exit_.failed)
        if exit_.name is not None and branch_outcome.catches_into(states, exit_.name):
            _put(em, states, exit_.name, {"Type": "Succeed", "Output": "{% $states.input %}"}, fn.span,
                 f"branch {branch.label} failed: its error entry is the outcome")
            failed.append(exit_.name)
    body = _with_parameters(em, branch, renames, local, entry, states)
    start = {k: v for k, v in body["States"].items() if k not in states}  # the parameters' Pass
    if not risky and not branch_outcome.unsafe(start, branch.trusted | {MAP_ITEM, MAP_INDEX}, index):
        return Scope(body, failed)
    return _wrapped(em, branch, body, direct is not None)


def _boundary(sub: Emitter, branch: Branch, errvar: str, failed: list[str]) -> emit_try.Handler:
    """What every failure the branch does not catch itself meets: ChildContextError (a Fail state, made
    on first use, for the tasks that cannot raise it themselves)."""
    def fail() -> str:
        cause = f"{{% ($m := ${errvar}.message; $type($m) = 'string' ? $m : '') %}}"
        name = sub.put(sub.namer.name(f"{branch.label}-failed"), {"Type": "Fail", "Error": CHILD_ERROR,
                                                                  "Cause": cause}, branch.region.span,
                       f"branch {branch.label} failed: the batch fails with {CHILD_ERROR}")
        failed.append(name)
        return name
    return emit_try.Handler([None], fail, errvar, raises=CHILD_ERROR)


def _boundary_catcher(boundary: emit_try.Handler) -> dict[str, Any]:
    """The catch-all of a state whose failures are not ChildContextError already: into the boundary."""
    return {"ErrorEquals": [emit_try.ALL], "Next": boundary.entry,
            "Assign": {str(boundary.name): emit_try.ERROR_OUTPUT}}


def _wrapped(em: Emitter, branch: Branch, body: dict[str, Any], direct: bool) -> Scope:
    """A one-branch Parallel around a body that has a state which can fail without a Catch."""
    run, failed = em.namer.name(branch.label), em.namer.name(f"{branch.label}-failed")
    catch: dict[str, Any] = {"ErrorEquals": [emit_try.ALL], "Next": failed}
    end: dict[str, Any] = {"Type": "Fail", "Error": CHILD_ERROR,
                           "Cause": emit_try.MESSAGE.replace("$states.errorOutput", "$states.input")}
    if not direct:
        catch["Output"] = batch.failed_entry(emit_try.MESSAGE[3:-3])
        end = {"Type": "Succeed", "Output": "{% $states.input %}"}
    states: dict[str, dict[str, Any]] = {}
    _put(em, states, run, {"Type": "Parallel", "Branches": [body], "Output": "{% $states.result[0] %}",
                           "Catch": [catch], "End": True}, branch.region.span,
         f"branch {branch.label}: a failure of its expressions becomes " + ("ChildContextError" if direct else
                                                                             "an error entry"))
    _put(em, states, failed, end, branch.region.span, f"branch {branch.label} failed")
    return Scope({"StartAt": run, "States": states}, [failed])


def _put(em: Emitter, states: dict[str, dict[str, Any]], name: str, state: dict[str, Any], span: Any,
         what: str) -> None:
    saved, em.states = em.states, states
    try:
        em.put(name, state, span, what)
    finally:
        em.states = saved


def _with_parameters(em: Emitter, branch: Branch, renames: dict[str, str], local: set[str], entry: str,
                     states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The body, first assigning the parameters it reads (and null to locals not every path assigns)."""
    fn = branch.region
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


def _scoped(em: Emitter, fn: n.Function, exit_: BranchExit, renames: dict[str, str]) -> Emitter:
    """A copy of the emitter for a nested scope: own states, loops and try frames; shared names and output."""
    sub = copy.copy(em)
    sub.scope = frozenset(renames.get(name, _plain(name)) for name in _own_locals(fn))
    sub.handler = n.Handler(em.handler.path, fn, 0)
    sub.states = {}
    sub.loops, sub.tries = [], []
    sub.returns = []  # a `return` in a branch ends the branch, even inside an inlined child context
    sub.branch = exit_
    sub.locals = set(em.locals) | collect_locals(fn)
    sub.errors = set(em.errors) | {h.name for s in n.walk(fn.body) if isinstance(s, n.Try)
                                   for h in s.handlers if h.name}
    return sub


def _renames(em: Emitter, local: set[str]) -> dict[str, str]:
    """Branch locals whose variable an enclosing scope also assigns get a suffix (inner scopes read outer
    variables, and may not assign them): the scope's own variables, those of the child contexts inlined
    into it, and those of the function being emitted (a closure child's parent)."""
    outer = em.scope | set(current_renames().values()) | {jsonata_name(x) for x in _own_locals(em.handler.function)}
    return {name: f"{name}_{em.handler.function.name.strip('<>')}" for name in sorted(local)
            if _plain(name) in outer}


def own_names(fn: n.Function) -> frozenset[str]:
    """The variables of a function's own code (not of its nested regions), as the outermost scope names them."""
    return frozenset(_plain(name) for name in _own_locals(fn))


def _plain(name: str) -> str:
    """The variable of a branch local: a branch's own names are never a child context's renamed ones."""
    with renamed({}):
        return jsonata_name(name)


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
