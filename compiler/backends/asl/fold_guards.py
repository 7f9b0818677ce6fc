"""The guards of the fold pass: which assignments may move where without changing what runs.

Takes the assignments of a Pass and the states around it; gives yes/no answers and the facts they rest
on. An assignment that can neither fail nor come out undefined (totality.py) may move anywhere. One
that may fail must fail at the same point of the run, with the same error, and be neither retried
(when the move puts it after a call, a retrier would call again) nor caught: such a failure is a
`States.QueryEvaluationError`, which a retrier or catcher matches when it names `States.ALL`,
`States.TaskFailed` or that error itself. Moved forward into a Task, Parallel or Map, it must also be
evaluated before the call: a field the state evaluates first (a Task's or Parallel's `Arguments`, a
Map's `Items`) must read the variable as its whole value, so that the failure comes there, before any
function runs or any branch starts, as it came in the Pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from durable_compile.backends.asl.fold_graph import (
    Graph,
    Ref,
    handles_evaluation_errors,
    reads,
    reads_states,
    strings,
)
from durable_compile.backends.asl.totality import total_and_defined
from durable_compile.backends.asl.walk import is_jsonata

#: the fields a state evaluates once, before it calls a function or starts a branch
BEFORE_CALL: dict[str, tuple[str, ...]] = {"Task": ("Arguments",), "Parallel": ("Arguments",), "Map": ("Items",)}
#: states with inner scopes (branches, iterations), which read outer variables before the state leaves
NESTING = frozenset({"Map", "Parallel"})
#: the transition that starts a scope
_START = Ref("", "start")
#: a first retrier that keeps the others from retrying the failure of the state's own expressions. Step
#: Functions names it States.QueryEvaluationError; moto names a JSONata error raised in a Task
#: States.Runtime, which Step Functions never retries or catches, so naming it too changes nothing there
SHIELD: dict[str, Any] = {"ErrorEquals": ["States.QueryEvaluationError", "States.Runtime"], "MaxAttempts": 0}


@dataclass(frozen=True)
class Facts:
    """What is known of the values an expression reads, where it is evaluated."""

    numbers: frozenset[str] = frozenset()  #: variables that always hold a number
    inputs: frozenset[str] = frozenset()  #: fields of `$states.input` that are always defined


def safe(assign: dict[str, Any], facts: Facts) -> bool:
    """Every value is total and defined (plain JSON values are)."""
    return all(safe_value(value, facts) for value in assign.values())


def safe_value(value: object, facts: Facts) -> bool:
    return all(total_and_defined(text, facts.numbers, facts.inputs) for text in strings(value))


def checked_before_call(state: dict[str, Any], var: str, assign: dict[str, Any]) -> bool:
    """Whether `state` evaluates `assign[var]` as the whole value of a field it evaluates before its
    call: a field that reads `$var` or a variable the same Pass assigns the same expression."""
    same = {"$" + other for other, value in assign.items() if value == assign[var] and is_jsonata(value)}
    fields = BEFORE_CALL.get(state["Type"], ())
    return any(text in same for field in fields for text in strings(state.get(field)))


def forward_into_call(state: dict[str, Any], assign: dict[str, Any], facts: Facts) -> bool:
    """Whether a Pass's assignments may join a Task, Parallel or Map that it alone enters: each one is
    safe, or fails before the call and is not caught there (a retrier only fails the same way again).
    Where the inner scopes read them, only a Parallel whose branches read them in their first states
    may take them, safe ones only (they are then evaluated in each branch too)."""
    if state["Type"] in NESTING and not _nesting_allows(state, assign):
        return safe(assign, facts) and first_states_only(state, assign)
    unchecked = [var for var, value in assign.items() if not safe_value(value, facts)]
    if not unchecked:
        return True
    return not handles_evaluation_errors(state, retries=False) and all(
        checked_before_call(state, var, assign) for var in unchecked)


def may_fail_leaving(state: dict[str, Any]) -> bool:
    """Whether an expression that may fail may join what `state` evaluates as it leaves (its Assign or
    Output, after its call): no catcher matches the failure. A retrier that does would call again;
    `shield` puts a retrier first that keeps it from doing so."""
    return not handles_evaluation_errors(state, retries=False)


def shield(state: dict[str, Any]) -> None:
    """Where a retrier of `state` matches the failure of an expression, SHIELD goes first in its Retry
    (the first retrier that matches an error decides, and `MaxAttempts: 0` is never retry): the state
    then fails at once, as the Pass or Succeed whose expression it took would have."""
    retry = state.get("Retry", [])
    if retry and retry[0] != SHIELD and handles_evaluation_errors({"Retry": retry}):
        state["Retry"] = [dict(SHIELD, ErrorEquals=list(SHIELD["ErrorEquals"])), *retry]


def _nesting_allows(state: dict[str, Any], assign: dict[str, Any]) -> bool:
    """The branches or iterations of a Parallel or Map would not see the new values (they are assigned
    when the state leaves): none may read or assign those variables; nor may the ItemSelector read them."""
    names = set(assign)
    nested = [*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])]
    if any(names & (reads(scope) | _assigned(scope)) for scope in nested):
        return False
    return not names & reads(state.get("ItemSelector"))


def first_states_only(state: dict[str, Any], assign: dict[str, Any]) -> bool:
    """Whether a Parallel's branches read the variables of `assign` only in their first states, which
    nothing inside the branch enters again, and assign none of them: there the fold binds them to their
    expressions (`fold_graph.bind`), which read the same values as in the Pass. Nothing runs between the
    Pass and a branch's start; a branch's input is the Parallel's input (no `Arguments`), so that
    `$states.input` reads the same there too."""
    names = set(assign)
    if state["Type"] != "Parallel" or ("Arguments" in state and reads_states(assign)):
        return False
    for branch in state["Branches"]:
        first = branch["StartAt"]
        if names & _assigned(branch) or Graph(branch).preds[first] != [_START]:
            return False
        for name, inner in branch["States"].items():
            nested = [*inner.get("Branches", ()), inner.get("ItemProcessor")] if name == first else [inner]
            if names & reads(nested):
                return False
    return True


def _assigned(scope: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for state in scope["States"].values():
        for holder in (state, *state.get("Choices", ()), *state.get("Catch", ())):
            found.update(holder.get("Assign", {}))
        for inner in (*state.get("Branches", ()), *([state["ItemProcessor"]] if "ItemProcessor" in state else [])):
            found.update(_assigned(inner))
    return found


def scope_inputs(state: dict[str, Any], outer: frozenset[str], starts_scope: bool) -> frozenset[str]:
    """The fields always defined in the input of the inner scopes of `state`: a Map's ItemSelector
    fields (an undefined one fails the Map); a Parallel's Arguments fields, or without Arguments its
    own input's, known when it starts its scope (`outer`, `starts_scope`)."""
    if state["Type"] == "Map":
        selector = state.get("ItemSelector")
        return frozenset(selector) if isinstance(selector, dict) else frozenset()
    if state["Type"] == "Parallel":
        arguments = state.get("Arguments")
        if isinstance(arguments, dict):
            return frozenset(arguments)
        return outer if starts_scope and arguments is None else frozenset()
    return frozenset()
