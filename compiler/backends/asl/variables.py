"""Workflow variables: valid names, and no read before an assignment on every path.

Takes a schema-valid definition whose targets exist (flow.py); gives `AslProblem`s. The analysis is
a forward "definitely assigned" data flow over each scope's transitions: a transition adds the names
its Assign sets (a state's own Assign on Next/Default, a rule's on its Next, a catcher's on its Next);
a state may read what every path to it has assigned. All expressions of one state read the values of
state entry. A Parallel branch or inline Map processor starts with what its owning state may read; a
distributed Map processor starts empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from durable_compile.backends.asl.expressions import free_variables
from durable_compile.backends.asl.problems import AslProblem, problem
from durable_compile.backends.asl.walk import Scope, expression_texts, expressions, pointer, scopes, transitions

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}")
RESERVED = frozenset({"states"})


def check_variables(definition: Mapping[str, Any],
                    texts: Callable[[Mapping[str, Any]], list[str]] = expression_texts) -> list[AslProblem]:
    """`texts`: a state's JSONata texts (validate.py shares one computation with the rules check)."""
    found: list[AslProblem] = []
    visible: dict[str, dict[str, frozenset[str]]] = {}  # scope pointer -> state -> assigned on entry
    for scope in scopes(definition):
        entry = _entry(scope, visible)
        assigned = _definitely_assigned(scope, entry)
        visible[scope.pointer] = assigned
        for name, state in scope.states.items():
            if not _names_valid(state):
                found.extend(_names(scope, name))
            if name in assigned and not all(free_variables(text) <= assigned[name] for text in texts(state)):
                found.extend(_reads(scope, name, assigned[name]))
    return found


def _entry(scope: Scope, visible: Mapping[str, Mapping[str, frozenset[str]]]) -> frozenset[str]:
    if scope.parent is None or scope.owner is None or scope.isolated:
        return frozenset()
    return visible[scope.parent.pointer].get(scope.owner, frozenset())


def _definitely_assigned(scope: Scope, entry: frozenset[str]) -> dict[str, frozenset[str]]:
    """For each reachable state, the variables assigned on every path from StartAt to it."""
    result: dict[str, frozenset[str]] = {}
    if scope.start_at not in scope.states:
        return result
    result[scope.start_at] = entry
    todo = [scope.start_at]
    while todo:
        name = todo.pop()
        for target, assign in transitions(scope.states[name]):
            if target not in scope.states:
                continue
            out = result[name].union(assign) if assign else result[name]
            old = result.get(target)
            new = out if old is None else old & out
            if target == scope.start_at:
                new = new & entry
            if new != old:
                result[target] = new
                todo.append(target)
    return result


def _names_valid(state: Mapping[str, Any]) -> bool:
    assigns = [state.get("Assign", {}), *(r.get("Assign", {}) for r in state.get("Choices", ())),
               *(c.get("Assign", {}) for c in state.get("Catch", ()))]
    return all(_valid_name(var) for assign in assigns for var in assign)


def _names(scope: Scope, name: str) -> Iterator[AslProblem]:
    state = scope.states[name]
    base = scope.state_pointer(name)
    holders = [(pointer(base, "Assign"), state.get("Assign", {}))]
    holders += [(pointer(base, "Choices", i, "Assign"), r.get("Assign", {})) for i, r in
                enumerate(state.get("Choices", ()))]
    holders += [(pointer(base, "Catch", i, "Assign"), c.get("Assign", {})) for i, c in
                enumerate(state.get("Catch", ()))]
    for where, assign in holders:
        for var in assign:
            if not _valid_name(var):
                yield problem("DUR810", pointer(where, var), f"invalid variable name {var!r}")


@lru_cache(maxsize=1 << 12)
def _valid_name(var: str) -> bool:
    return NAME.fullmatch(var) is not None and var not in RESERVED


def _reads(scope: Scope, name: str, assigned: frozenset[str]) -> Iterator[AslProblem]:
    for where, text in expressions(scope.states[name], scope.state_pointer(name)):
        for var in sorted(free_variables(text) - assigned):
            yield problem("DUR811", where, f"${var} is read in state {name!r} but not assigned on every "
                          "path to it")
