"""Flow checks of a schema-valid definition: targets, reachability, termination and state names.

Takes a definition that already matches grammars/asl.schema.json; gives `AslProblem`s. Targets are
resolved inside their own scope only, so a branch that jumps out of its Parallel is a missing target.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from durable_compile.backends.asl.problems import AslProblem, problem
from durable_compile.backends.asl.walk import Scope, edges, is_terminal, pointer, scopes, transitions

MAX_NAME_LENGTH = 80


def check_flow(definition: Mapping[str, Any]) -> list[AslProblem]:
    found: list[AslProblem] = []
    all_scopes = list(scopes(definition))
    for scope in all_scopes:
        out = {name: [target for target, _ in transitions(state)] for name, state in scope.states.items()}
        found.extend(_targets(scope, out))
        following = {name: [t for t in targets if t in scope.states] for name, targets in out.items()}
        reachable = _reachable(scope, following)
        found.extend(_unreachable(scope, reachable))
        found.extend(_no_terminal(scope, reachable, following))
        found.extend(_choice_defaults(scope))
    found.extend(_names(all_scopes))
    return found


def successors(scope: Scope, name: str) -> list[str]:
    return [e.target for e in edges(scope, name) if e.target in scope.states]


def _targets(scope: Scope, out: Mapping[str, list[str]]) -> Iterator[AslProblem]:
    if scope.start_at not in scope.states:
        yield problem("DUR802", pointer(scope.pointer, "StartAt"), f"StartAt names no state: {scope.start_at!r}")
    for name in scope.states:
        if all(target in scope.states for target in out[name]):
            continue  # the edges' locations are only worth building for a finding
        for edge in edges(scope, name):
            if edge.target not in scope.states:
                yield problem("DUR802", edge.pointer, f"state {name!r} goes to {edge.target!r}, "
                              "which is not a state of this scope")


def _reachable(scope: Scope, following: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [scope.start_at] if scope.start_at in scope.states else []
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(following[name])
    return seen


def _unreachable(scope: Scope, reachable: set[str]) -> Iterator[AslProblem]:
    for name in scope.states:
        if name not in reachable:
            yield problem("DUR803", scope.state_pointer(name), f"state {name!r} cannot be reached from StartAt")


def _no_terminal(scope: Scope, reachable: set[str], following: Mapping[str, list[str]]) -> Iterator[AslProblem]:
    predecessors: dict[str, set[str]] = {name: set() for name in scope.states}
    for name in scope.states:
        for target in following[name]:
            predecessors[target].add(name)
    ends = _closure((n for n, s in scope.states.items() if is_terminal(s)), predecessors)
    for name in scope.states:
        if name in reachable and name not in ends:
            yield problem("DUR804", scope.state_pointer(name), f"no terminal state can be reached from {name!r}")


def _closure(start: Iterable[str], links: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(links[name])
    return seen


def _choice_defaults(scope: Scope) -> Iterator[AslProblem]:
    for name, state in scope.states.items():
        if state.get("Type") == "Choice" and "Default" not in state:
            yield problem("DUR814", scope.state_pointer(name), f"Choice state {name!r} has no Default")


def _names(all_scopes: list[Scope]) -> Iterator[AslProblem]:
    first: dict[str, Scope] = {}  # pointers are only built for findings
    for scope in all_scopes:
        for name in scope.states:
            if not 0 < len(name) <= MAX_NAME_LENGTH:
                yield problem("DUR806", scope.state_pointer(name),
                              f"state name has {len(name)} characters (1 to 80 allowed)")
            if name in first:
                yield problem("DUR805", scope.state_pointer(name),
                              f"state name {name!r} is already used at {first[name].state_pointer(name)}")
            else:
                first[name] = scope
