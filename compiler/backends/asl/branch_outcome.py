"""The outcome of a batch branch: its states end with the entry `batch.fold` counts, not with a failure.

Takes the states of one branch scope (a Parallel branch or a Map processor, nested scopes left as they
are); gives them ending in outcome entries, as if the body were wrapped in `try: ... except
BaseException as e: return error_entry(e)`: every Succeed outputs `{'status': 'SUCCEEDED', 'result': ...}`,
every Fail (a `raise`, a re-raise after `finally`, an unsupported construct) becomes a Succeed whose
Output is the error entry of that exception, and every Task, Map and Parallel ends its Catch with a
catch-all into the branch's failed state (its catcher builds the entry). `unsafe` names the states
that can fail without carrying a Catch (an expression of a Pass, Choice, Succeed or Wait that
totality.py does not show total): a branch that has one keeps a wrapper that catches what is left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from typing import Any

import jsonata

from durable_compile.backends.asl.batch import failed_entry, is_fold
from durable_compile.backends.asl.emit_try import ALL, MESSAGE, UNCAUGHT, recorded, uncaught_class
from durable_compile.backends.asl.jsonata import string_literal
from durable_compile.backends.asl.totality import numeric_variables, total_and_defined
from durable_compile.backends.asl.walk import is_jsonata, jsonata_body

States = dict[str, dict[str, Any]]
#: the values of a map item function's parameters (item, index): defined, and the index a number
MAP_ITEM, MAP_INDEX = "{% $states.input.item %}", "{% $states.input.index %}"
#: the ItemSelector value that gives an iteration its index
INDEX_SOURCE = "{% $states.context.Map.Item.Index %}"
#: expressions of a Map the emitter writes that are always defined (the item and index selectors)
GENERATED = frozenset({"$states.context.Map.Item.Value", "$states.context.Map.Item.Index"})
#: top-level JSONata operators and functions whose value is always a boolean
_BOOLEAN_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">=", "and", "or"})
_BOOLEAN_FUNCTIONS = frozenset({"boolean", "not", "exists"})
#: states whose failures a catcher can take
CATCHING = frozenset({"Task", "Map", "Parallel"})


def catcher(kind: str, failed: str) -> dict[str, Any]:
    """The catch-all of a branch task of `kind`: the error entry with the error class the handler would
    see (a failed step raises StepError, ...; lifted code its own exception type), recorded as the SDK
    records it (`aws_durable_execution_sdk_python.exceptions.StepError`), into `failed`."""
    error = uncaught_class(kind) if kind in UNCAUGHT else "$states.errorOutput.Error"
    return {"ErrorEquals": [ALL], "Output": failed_entry(MESSAGE[3:-3], recorded(error)), "Next": failed}


def to_outcomes(states: States, failed: Callable[[], str]) -> None:
    """Make every way out of `states` an outcome entry (in place); `failed` names the failed state."""
    for state in states.values():
        kind = state["Type"]
        if kind == "Succeed":
            state["Output"] = _succeeded(state.get("Output", "{% $states.input %}"))
        elif kind == "Fail":
            _fail_to_entry(state)
        elif kind in CATCHING:
            catch = state.setdefault("Catch", [])
            if not catch or catch[-1]["ErrorEquals"] != [ALL]:
                catch.append(catcher("batch" if kind != "Task" else "compute", failed()))


def index_reads(state: dict[str, Any]) -> frozenset[str]:
    """The values that read the iteration index from the input of a Map's processor (`$states.input.F` for
    each ItemSelector field F that holds the index): a number in the processor's first state."""
    selector = state.get("ItemSelector") if state["Type"] == "Map" else None
    if not isinstance(selector, dict):
        return frozenset()
    return frozenset(f"{{% $states.input.{field} %}}" for field, value in selector.items()
                     if value == INDEX_SOURCE and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field))


def first_state(scope: dict[str, Any]) -> str | None:
    """The scope's StartAt when no transition goes back to it (its input is the scope's input), else None."""
    start = scope["StartAt"]
    targets: set[object] = set()
    for state in scope["States"].values():
        handlers = (*state.get("Choices", ()), *state.get("Catch", ()))
        targets.update((state.get("Next"), state.get("Default"), *(h["Next"] for h in handlers)))
    return None if start in targets else str(start)


def catch_nested(states: States, catcher: Callable[[], dict[str, Any]]) -> None:
    """In a branch that fails as a whole (emit_batch.direct), a nested Map or Parallel fails with
    ChildContextError by itself (its branches do), unless one of its own expressions fails: one that may
    gets `catcher`, which makes that failure ChildContextError too (in place)."""
    for state in list(states.values()):  # the catcher may add the boundary's Fail state
        if state["Type"] in ("Map", "Parallel") and not _catches_all(state) and not _own_total(state):
            state.setdefault("Catch", []).append(catcher())


def _catches_all(state: dict[str, Any]) -> bool:
    return any(c["ErrorEquals"] == [ALL] for c in state.get("Catch", ()))


def _own_total(state: dict[str, Any]) -> bool:
    """Whether the expressions a Map or Parallel evaluates itself cannot fail."""
    values = [*(state[k] for k in ("Items", "ItemSelector", "Arguments", "Output") if k in state),
              *state.get("Assign", {}).values()]
    return all(text in GENERATED or is_fold(text) or total_and_defined(text)
               for value in values for text in _texts(value))


def _texts(value: object) -> list[str]:
    if is_jsonata(value):
        return [jsonata_body(str(value))]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def catches_into(states: States, name: str | None) -> bool:
    return any(c["Next"] == name for state in states.values() for c in state.get("Catch", ()))


def _succeeded(output: object) -> str:
    value = jsonata_body(output) if is_jsonata(output) else json.dumps(output)
    return "{% {'status': 'SUCCEEDED', 'result': " + value + ", 'error': null} %}"


def _fail_to_entry(state: dict[str, Any]) -> None:
    """A Fail -> a Succeed with the entry of the error it raised (the wrapper read it back from the Cause)."""
    error, cause = state.pop("Error", "States.Runtime"), state.pop("Cause", None)
    error_text = jsonata_body(error) if is_jsonata(error) else string_literal(error)
    cause_text = "''" if cause is None else jsonata_body(cause) if is_jsonata(cause) else string_literal(cause)
    state["Type"] = "Succeed"
    state["Output"] = failed_entry(cause_text, recorded(error_text))


def unsafe(states: States, trusted: Collection[str] = (), numbers: Collection[str] = ()) -> list[str]:
    """The states that can fail where no Catch can take the failure (Pass, Choice, Succeed, Wait, and a
    Fail whose error or cause cannot be evaluated), checked before `to_outcomes`; `trusted` values are
    defined by construction, `numbers` variables always numbers."""
    known = numeric_variables(_assignments(states, set(numbers)))
    return [name for name, state in states.items() if not _safe(state, set(trusted), known)]


def _assignments(states: States, numbers: set[str]) -> dict[str, list[object]]:
    """Every value each variable of this scope is assigned; `numbers` start as a number (a Map index)."""
    found: dict[str, list[object]] = {var: [0] for var in numbers}
    for state in states.values():
        for holder in (state, *state.get("Choices", ()), *state.get("Catch", ())):
            for var, value in holder.get("Assign", {}).items():
                if not (var in numbers and value == MAP_INDEX):
                    found.setdefault(var, []).append(value)
    return found


def _safe(state: dict[str, Any], trusted: set[str], numbers: frozenset[str]) -> bool:
    kind = state["Type"]
    if kind in CATCHING:
        return True
    values = [*state.get("Assign", {}).values(), *(v for rule in state.get("Choices", ())
                                                   for v in rule.get("Assign", {}).values())]
    if kind in ("Succeed", "Pass") and "Output" in state:
        values.append(state["Output"])
    if kind == "Fail":  # its error and cause become members of the error entry, where undefined is dropped
        values += ["{% {'v': " + jsonata_body(v) + "} %}" for v in (state.get("Error"), state.get("Cause"))
                   if is_jsonata(v)]
    if kind == "Wait":
        values += [state[k] for k in ("Seconds", "Timestamp") if k in state]
        if any(is_jsonata(v) for v in values[-1:]):
            return False
    conditions = [rule["Condition"] for rule in state.get("Choices", ())]
    return all(v in trusted or _total(v, numbers) for v in values) and all(_condition(c, numbers) for c in conditions)


def _total(value: object, numbers: frozenset[str]) -> bool:
    return not is_jsonata(value) or total_and_defined(jsonata_body(str(value)), numbers)


def _condition(value: object, numbers: frozenset[str]) -> bool:
    """A Choice rule's Condition that always gives a boolean (anything else fails the state)."""
    if not is_jsonata(value):
        return isinstance(value, bool)
    text = jsonata_body(str(value))
    if not total_and_defined(text, numbers):
        return False
    try:
        return _boolean(jsonata.Jsonata(text).ast)
    except Exception:  # the parser raises JException, RuntimeError or RecursionError on odd input
        return False


def _boolean(node: Any) -> bool:
    if node.type == "value":
        return isinstance(node.value, bool)
    if node.type == "binary":
        return node.value in _BOOLEAN_OPERATORS
    if node.type == "condition":
        return node._else is not None and _boolean(node.then) and _boolean(node._else)
    if node.type == "function":
        return getattr(node.procedure, "type", None) == "variable" and node.procedure.value in _BOOLEAN_FUNCTIONS
    return node.type == "block" and _boolean(node.expressions[-1])
