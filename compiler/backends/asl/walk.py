"""Traversal of a (schema-valid) ASL definition: scopes, states, transitions and expressions.

A scope is one `{StartAt, States}` object: the machine itself, each Parallel branch, each Map
processor. Transitions carry the `Assign` that takes effect on them, which the variable analysis needs.
Every location is a JSON pointer (RFC 6901) so findings can point at the exact value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

JSONATA_PREFIX = "{%"
JSONATA_SUFFIX = "%}"
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})
#: fields holding nested scopes; their values are not expressions of the owning state
NESTED_FIELDS = frozenset({"Branches", "ItemProcessor"})


def pointer(base: str, *parts: str | int) -> str:
    """Extend a JSON pointer with escaped reference tokens."""
    return "/".join([base, *[_escape(str(p)) for p in parts]])


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1") if "~" in token or "/" in token else token


@dataclass(frozen=True)
class Scope:
    """One `{StartAt, States}` object."""

    pointer: str  #: pointer to the object that holds StartAt and States
    start_at: str  #: the StartAt name
    states: Mapping[str, Mapping[str, Any]]  #: the States object
    parent: Scope | None  #: the scope of the owning Parallel/Map state
    owner: str | None  #: name of the owning Parallel/Map state, None for the machine
    isolated: bool = False  #: a distributed Map processor cannot read outer variables

    def state_pointer(self, name: str) -> str:
        return pointer(self.pointer, "States", name)


class Edge(NamedTuple):
    """A transition from a state to a target in the same scope (a tuple: thousands are built per check)."""

    target: str  #: the state name written in Next/Default/Catch
    assign: Mapping[str, Any]  #: the Assign that takes effect on this transition
    scope: str  #: pointer of the scope of the state it leaves
    state: str  #: name of the state it leaves
    at: tuple[str | int, ...]  #: where the target is written, inside that state

    @property
    def pointer(self) -> str:
        """Where the target is written (built on demand: most edges are never reported)."""
        return pointer(self.scope, "States", self.state, *self.at)


def scopes(definition: Mapping[str, Any]) -> Iterator[Scope]:
    """All scopes, the machine first, parents before children."""
    root = Scope("", str(definition["StartAt"]), definition["States"], None, None)
    pending = [root]
    while pending:
        scope = pending.pop(0)
        yield scope
        for name, state in scope.states.items():
            if "Branches" in state or "ItemProcessor" in state:
                pending.extend(_children(scope, name, state))


def _children(scope: Scope, name: str, state: Mapping[str, Any]) -> Iterator[Scope]:
    base = scope.state_pointer(name)
    for i, branch in enumerate(state.get("Branches", ())):
        yield Scope(pointer(base, "Branches", i), branch["StartAt"], branch["States"], scope, name)
    processor = state.get("ItemProcessor")
    if processor is not None:
        mode = processor.get("ProcessorConfig", {}).get("Mode", "INLINE")
        yield Scope(pointer(base, "ItemProcessor"), processor["StartAt"], processor["States"], scope, name,
                    isolated=mode == "DISTRIBUTED")


def transitions(state: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(target, the Assign that takes effect) of each transition out of a state, in the order of `edges`:
    the fast path of checks that only need an edge's location once they have found a problem."""
    own = state.get("Assign", _NO_ASSIGN)
    found = [(state["Next"], own)] if "Next" in state else []
    if "Choices" in state:
        found += [(rule["Next"], rule.get("Assign", _NO_ASSIGN)) for rule in state["Choices"]]
    if "Default" in state:
        found.append((state["Default"], own))
    if "Catch" in state:
        found += [(catcher["Next"], catcher.get("Assign", _NO_ASSIGN)) for catcher in state["Catch"]]
    return found


_NO_ASSIGN: Mapping[str, Any] = MappingProxyType({})


def edges(scope: Scope, name: str) -> list[Edge]:
    """The transitions out of one state, with the Assign each one applies."""
    state = scope.states[name]
    own_assign = state.get("Assign", {})
    where = scope.pointer
    found: list[Edge] = []
    if "Next" in state:
        found.append(Edge(state["Next"], own_assign, where, name, ("Next",)))
    for i, rule in enumerate(state.get("Choices", ())):
        found.append(Edge(rule["Next"], rule.get("Assign", {}), where, name, ("Choices", i, "Next")))
    if "Default" in state:
        found.append(Edge(state["Default"], own_assign, where, name, ("Default",)))
    for i, catcher in enumerate(state.get("Catch", ())):
        found.append(Edge(catcher["Next"], catcher.get("Assign", {}), where, name, ("Catch", i, "Next")))
    return found


def is_terminal(state: Mapping[str, Any]) -> bool:
    return state.get("Type") in TERMINAL_TYPES or state.get("End") is True


def is_jsonata(value: object) -> bool:
    return isinstance(value, str) and value.startswith(JSONATA_PREFIX) and value.endswith(JSONATA_SUFFIX)


def jsonata_body(value: str) -> str:
    return value[len(JSONATA_PREFIX):-len(JSONATA_SUFFIX)].strip()


def expressions(state: Mapping[str, Any], base: str) -> Iterator[tuple[str, str]]:
    """(pointer, expression text) of every JSONata string in a state's own fields."""
    for key, value in state.items():
        if key not in NESTED_FIELDS:
            yield from _strings(value, pointer(base, key))


def expression_texts(state: Mapping[str, Any]) -> list[str]:
    """The texts `expressions` gives, without their pointers: the fast path of checks that only need a
    pointer once they have found a problem."""
    found: list[str] = []
    pending: list[Any] = [v for k, v in state.items() if k not in NESTED_FIELDS]
    while pending:
        value = pending.pop()
        kind = type(value)  # exact types first: isinstance on the Mapping ABC is slow
        if kind is str or (kind is not dict and kind is not list and isinstance(value, str)):
            if value.startswith(JSONATA_PREFIX) and value.endswith(JSONATA_SUFFIX):
                found.append(value[len(JSONATA_PREFIX):-len(JSONATA_SUFFIX)].strip())
        elif kind is dict:
            pending.extend(value.values())
        elif kind is list:
            pending.extend(value)
        elif isinstance(value, Mapping):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found


def _strings(value: object, where: str) -> Iterator[tuple[str, str]]:
    if is_jsonata(value):
        yield where, jsonata_body(str(value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, pointer(where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, pointer(where, i))


def object_keys(value: object, where: str) -> Iterator[tuple[str, str]]:
    """(pointer, key) of every object key nested in a JSON value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield pointer(where, key), key
            yield from object_keys(item, pointer(where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from object_keys(item, pointer(where, i))


def has_key(value: object, test: Callable[[str], bool]) -> bool:
    """Whether any object key nested in a JSON value passes `test` (the fast path of `object_keys`)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            if any(test(k) for k in item):
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
