"""The mutable transition graph of one ASL scope, for the fold pass.

Takes one `{StartAt, States}` object (edited in place); gives, for every state, the transitions that
enter it (`Ref`s: a Next, a Choice rule, a Choice Default, a catcher, or StartAt itself), kept up to
date as transitions are retargeted and states removed, so each rewrite costs only its own degree.
Also the JSONata helpers the rules share: which variables an expression may read (an
over-approximation: a regular expression finds every `$name`, which only makes the rules more
cautious), and rewriting an expression so that some variables read given values instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from durable_compile.backends.asl.totality import outer_reads
from durable_compile.backends.asl.walk import is_jsonata, jsonata_body

#: states whose own `Assign` applies on their `Next` transition
ASSIGN_ON_NEXT = frozenset({"Pass", "Task", "Wait", "Map", "Parallel"})
#: states whose failures `Retry`/`Catch` handle (their Assign and Arguments are evaluated under them)
HANDLED = frozenset({"Task", "Map", "Parallel"})
#: error names that match the failure of a state's own expression (a `States.QueryEvaluationError`)
EVALUATION_ERRORS = frozenset({"States.ALL", "States.TaskFailed", "States.QueryEvaluationError"})
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(?!\s*\()")
_STATES = re.compile(r"\$states(?![A-Za-z0-9_])")
_STATES_NOT_INPUT = re.compile(r"\$states(?![A-Za-z0-9_])(?!\.input(?![A-Za-z0-9_]))")
#: functions whose value changes between two evaluations
_VOLATILE = re.compile(r"\$(random|uuid|now|millis)\s*\(")
#: longest expression copied into a binding, and longest expression a fold may produce (readability,
#: and no blow-up when folds nest)
MAX_BOUND = 340  #: room for two checked subscript reads (translate.py), one type-checked, in a bound comprehension
MAX_EXPRESSION = 600
_SIMPLE = re.compile(r"[$A-Za-z0-9_.]+|'[^'\\]*'")
#: expressions written in place of a variable bound to them: another variable, or a `$states` field
_INLINE = re.compile(r"\$(?!states(?![A-Za-z0-9_]))[A-Za-z_][A-Za-z0-9_]*|\$states\.(input|result|result\.Payload)")
#: JSONata string literals and backquoted names
_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")


@dataclass(frozen=True)
class Ref:
    """One transition into a state."""

    source: str  #: the state it leaves ("" for the scope's StartAt)
    kind: str  #: "next", "default", "rule", "catch" or "start"
    index: int = 0  #: position in Choices / Catch


class Graph:
    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.states: dict[str, dict[str, Any]] = scope["States"]
        self.preds: dict[str, list[Ref]] = {name: [] for name in self.states}
        for name, state in self.states.items():
            for ref in outgoing(name, state):
                self.preds.setdefault(self.target(ref), []).append(ref)
        self.preds.setdefault(scope["StartAt"], []).append(Ref("", "start"))

    def holder(self, ref: Ref) -> dict[str, Any]:
        """The object whose `Next` (or `Default`/`StartAt`) field names the target."""
        if ref.kind == "start":
            return self.scope
        state = self.states[ref.source]
        if ref.kind == "rule":
            return state["Choices"][ref.index]  # type: ignore[no-any-return]
        if ref.kind == "catch":
            return state["Catch"][ref.index]  # type: ignore[no-any-return]
        return state

    def target(self, ref: Ref) -> str:
        field = {"start": "StartAt", "default": "Default"}.get(ref.kind, "Next")
        return str(self.holder(ref)[field])

    def retarget(self, ref: Ref, new: str) -> None:
        old = self.target(ref)
        field = {"start": "StartAt", "default": "Default"}.get(ref.kind, "Next")
        self.holder(ref)[field] = new
        self.preds[old].remove(ref)
        self.preds.setdefault(new, []).append(ref)

    def remove(self, name: str) -> None:
        """Drop a state nothing enters any more."""
        state = self.states.pop(name)
        for ref in outgoing(name, state):
            self.preds[self.target_of(state, ref)].remove(ref)
        del self.preds[name]

    @staticmethod
    def target_of(state: dict[str, Any], ref: Ref) -> str:
        if ref.kind == "rule":
            return str(state["Choices"][ref.index]["Next"])
        if ref.kind == "catch":
            return str(state["Catch"][ref.index]["Next"])
        return str(state["Default" if ref.kind == "default" else "Next"])

    def assign_holder(self, ref: Ref) -> dict[str, Any] | None:
        """The object whose `Assign` takes effect on this transition, or None when it cannot carry one."""
        if ref.kind in ("rule", "catch", "default"):
            return self.holder(ref)
        if ref.kind == "next" and self.states[ref.source]["Type"] in ASSIGN_ON_NEXT:
            return self.states[ref.source]
        return None

    def handled(self, ref: Ref) -> bool:
        """Whether expressions put on this transition would run under a retrier or catcher that matches
        their failure (a retrier would call the state's function again, a catcher go elsewhere)."""
        state = self.states.get(ref.source, {})
        return ref.kind == "next" and state.get("Type") in HANDLED and handles_evaluation_errors(state)

    def choice_conflict(self, ref: Ref, folded: str, new_target: str, assigns: bool) -> bool:
        """Moto applies a Choice's state-level Assign whenever the chosen rule goes where Default goes;
        never let a rule and Default share a target while the state has its own Assign. `folded` is the
        state being removed: every transition into it moves to `new_target`; `assigns` tells whether
        that brings an Assign along."""
        if ref.kind not in ("rule", "default"):
            return False
        state = self.states[ref.source]
        goes = {folded, new_target}
        default_assigns = bool(state.get("Assign")) or (assigns and state.get("Default") == folded)
        return default_assigns and state.get("Default") in goes and any(r["Next"] in goes for r in state["Choices"])


def handles_evaluation_errors(state: dict[str, Any], retries: bool = True) -> bool:
    """Whether a catcher (and, with `retries`, a retrier) of `state` matches the failure of an
    expression the state evaluates."""
    handlers = [*state.get("Catch", ()), *(state.get("Retry", ()) if retries else ())]
    return any(name in EVALUATION_ERRORS for handler in handlers for name in handler["ErrorEquals"])


def outgoing(name: str, state: dict[str, Any]) -> Iterator[Ref]:
    if "Next" in state:
        yield Ref(name, "next")
    for i, _ in enumerate(state.get("Choices", ())):
        yield Ref(name, "rule", i)
    if "Default" in state:
        yield Ref(name, "default")
    for i, _ in enumerate(state.get("Catch", ())):
        yield Ref(name, "catch", i)


# --- expressions -------------------------------------------------------------------------------------
def strings(value: object) -> Iterator[str]:
    """The bodies of every JSONata string in a JSON value."""
    if is_jsonata(value):
        yield jsonata_body(str(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def too_long(value: object, before: object = None) -> bool:
    """Whether `value` holds an expression longer than a fold may produce (one not already in `before`,
    the value it replaces: what was long already stays as it was)."""
    old = set(strings(before))
    return any(len(text) > MAX_EXPRESSION and text not in old for text in strings(value))


def reads(value: object) -> set[str]:
    return {m.group(1) for text in strings(value) for m in _VARIABLE.finditer(text)} - {"states"}


def reads_states(value: object, allow_input: bool = False) -> bool:
    pattern = _STATES_NOT_INPUT if allow_input else _STATES
    return any(pattern.search(text) for text in strings(value))


def as_jsonata(value: object) -> str | None:
    """A JSONata expression with the value an Assign entry gives, or None when there is none that
    evaluates the same way twice, or it is too long to repeat readably."""
    if is_jsonata(value):
        body = jsonata_body(str(value))
        return None if _VOLATILE.search(body) or len(body) > MAX_BOUND else body
    if any(True for _ in strings(value)):
        return None
    return json.dumps(value, ensure_ascii=False)


def bind(value: object, bindings: dict[str, str]) -> object:
    """`value` with every JSONata string that reads a bound variable evaluated under the bindings."""
    if is_jsonata(value):
        body = jsonata_body(str(value))
        used = [v for v in bindings if v in {m.group(1) for m in _VARIABLE.finditer(body)}]
        return "{% " + bound(body, {v: bindings[v] for v in used}) + " %}" if used else value
    if isinstance(value, dict):
        return {k: bind(v, bindings) for k, v in value.items()}
    if isinstance(value, list):
        return [bind(v, bindings) for v in value]
    return value


def bound(body: str, bindings: dict[str, str]) -> str:
    """The expression `body` evaluated with the variables of `bindings` bound to their expressions. A
    variable bound to another variable or to `$states.input`/`.result`/`.result.Payload` is written in
    place where that reads the same (`$event.lines` -> `$states.input.lines`); the others are bound in a
    block."""
    if len(bindings) == 1 and body == "$" + next(iter(bindings)):
        return next(iter(bindings.values()))
    inline = {name: expr for name, expr in bindings.items() if _inlinable(body, name, expr, bindings)}
    for name, expr in inline.items():
        body = _occurrences(name).sub(expr, body)  # `expr` has no backslash (_INLINE)
    rest = {name: expr for name, expr in bindings.items() if name not in inline}
    if not rest:
        return body
    lets = "; ".join(f"${name} := {expr if _SIMPLE.fullmatch(expr) else f'({expr})'}" for name, expr in rest.items())
    return f"({lets}; {body})"


def _occurrences(name: str) -> re.Pattern[str]:
    return re.compile(r"\$" + re.escape(name) + r"(?![A-Za-z0-9_])")


def _inlinable(body: str, name: str, expr: str, bindings: dict[str, str]) -> bool:
    """Whether `$name` may be replaced by `expr` in `body`: `expr` is a variable or a `$states` field
    (atoms of a path) that reads no other bound variable (it would read the new value) and that `body`
    never rebinds; every `$name` in `body` is a plain read: not in a string, not rebound or a function
    parameter, not followed by a predicate or a call."""
    head = expr[1:].split(".")[0]
    if not _INLINE.fullmatch(expr) or head in bindings:
        return False
    occurrences = _occurrences(name)
    outside_strings = _LITERAL.sub("''", body)
    if len(occurrences.findall(outside_strings)) != len(occurrences.findall(body)):
        return False
    after = [outside_strings[m.end():].lstrip()[:2] for m in occurrences.finditer(outside_strings)]
    return not any(text.startswith(("[", "(", ":=", "{")) for text in after) and not any(
        _binds(outside_strings, var) for var in (name, head))


def _binds(text: str, var: str) -> bool:
    """Whether `text` binds `$var` (a block assignment or a function parameter)."""
    name = re.escape(var) + r"(?![A-Za-z0-9_])"
    return re.search(r"\$" + name + r"\s*:=|function\s*\([^)]*\$" + name, text) is not None


def binding_order(bindings: dict[str, str]) -> dict[str, str] | None:
    """The bindings in an order where no value reads a variable bound before it (a block binds one
    after the other, while the Assign it replaces saw only the old values), or None when a cycle
    makes that impossible."""
    remaining = dict(bindings)
    placed: dict[str, str] = {}
    while remaining:
        # a binding may go next when no value still to be bound needs the old value of its name
        ready = [name for name in remaining
                 if not any(name in _names(expr) for other, expr in remaining.items() if other != name)]
        if not ready:
            return None
        for name in ready:
            placed[name] = remaining.pop(name)
    return placed


def _names(expr: str) -> set[str]:
    return {m.group(1) for m in _VARIABLE.finditer(expr)}


def rebased(assign: dict[str, Any], earlier: dict[str, Any], output: bool = False) -> dict[str, Any] | None:
    """`assign` as it must read when evaluated together with `earlier` (the same state's other
    assignments, which it would otherwise see the new values of): bound to their expressions.
    For an `output`, the bound expressions may not read what `earlier` assigns either: interpreters
    differ on whether a state's Output sees the values its own Assign sets (moto: new, AWS: old)."""
    needed = sorted(reads(assign) & set(earlier))
    if not needed:
        return dict(assign)
    bindings = {var: as_jsonata(earlier[var]) for var in needed}
    if any(expr is None for expr in bindings.values()):
        return None
    if output and any(_reads_any(str(expr), set(earlier)) for expr in bindings.values()):
        return None
    order = binding_order({v: e for v, e in bindings.items() if e is not None})
    if order is None:
        return None
    rebased = {var: bind(value, order) for var, value in assign.items()}
    return None if too_long(rebased) else rebased


def _reads_any(expr: str, names: set[str]) -> bool:
    """Whether `expr` may read one of `names` from outside itself (yes when it cannot be analysed)."""
    found = outer_reads(expr)
    return found is None or bool(found & names)
