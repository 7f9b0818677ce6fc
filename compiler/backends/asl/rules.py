"""Per-state rules no generic ASL tool checks: error names, JSONPath keys, JSONata syntax.

Takes a schema-valid definition; gives `AslProblem`s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from durable_compile.backends.asl.expressions import syntax_error
from durable_compile.backends.asl.problems import AslProblem, problem
from durable_compile.backends.asl.walk import (
    NESTED_FIELDS,
    expression_texts,
    expressions,
    has_key,
    is_jsonata,
    object_keys,
    pointer,
    scopes,
)

ALL = "States.ALL"
#: the errors Step Functions predefines; any other name starting with "States." is reserved
PREDEFINED_ERRORS = frozenset({
    "States.ALL", "States.HeartbeatTimeout", "States.Timeout", "States.TaskFailed", "States.Permissions",
    "States.ResultPathMatchFailure", "States.ParameterPathFailure", "States.BranchFailed",
    "States.NoChoiceMatched", "States.IntrinsicFailure", "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed", "States.ResultWriterFailed", "States.DataLimitExceeded", "States.Runtime",
    "States.QueryEvaluationError",
})

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  #: built once, not per call


def check_rules(definition: Mapping[str, Any],
                texts: Callable[[Mapping[str, Any]], list[str]] = expression_texts) -> list[AslProblem]:
    """`texts`: a state's JSONata texts (validate.py shares one computation with the variables check)."""
    found: list[AslProblem] = []
    for scope in scopes(definition):
        for name, state in scope.states.items():
            if not _state_valid(state, texts):  # pointers are only worth building for a finding
                found.extend(_state_problems(state, scope.state_pointer(name)))
    return found


def _state_valid(state: Mapping[str, Any], texts: Callable[[Mapping[str, Any]], list[str]]) -> bool:
    """Whether `_state_problems` finds nothing (the fast path: no generators, no pointers)."""
    for field in ("Retry", "Catch"):
        entries = state.get(field, ())
        for i, entry in enumerate(entries):
            names = entry["ErrorEquals"]
            if ALL in names and (len(names) > 1 or i != len(entries) - 1):
                return False
            if any(error.startswith("States.") and error not in PREDEFINED_ERRORS for error in names):
                return False
    error = state.get("Error")
    if state.get("Type") == "Fail" and isinstance(error, str) and not is_jsonata(error) \
            and error.startswith("States."):
        return False
    if _may_have_jsonpath_key(state) and any(
            field not in NESTED_FIELDS and has_key(value, _is_jsonpath_key) for field, value in state.items()):
        return False
    return all(syntax_error(text) is None for text in texts(state))


def _state_problems(state: Mapping[str, Any], base: str) -> Iterator[AslProblem]:
    for field in ("Retry", "Catch"):
        yield from _error_lists(state.get(field, ()), pointer(base, field))
    yield from _fail_error(state, base)
    yield from _jsonpath_keys(state, base)
    yield from _syntax(state, base)


def _error_lists(entries: Sequence[Mapping[str, Any]], base: str) -> Iterator[AslProblem]:
    for i, entry in enumerate(entries):
        names = entry["ErrorEquals"]
        where = pointer(base, i, "ErrorEquals")
        if ALL in names and (len(names) > 1 or i != len(entries) - 1):
            yield problem("DUR807", where, "States.ALL must be the only error of the last entry")
        for j, error in enumerate(names):
            if error.startswith("States.") and error not in PREDEFINED_ERRORS:
                yield problem("DUR808", pointer(where, j), f"{error!r} is not a predefined States error")


def _fail_error(state: Mapping[str, Any], base: str) -> Iterator[AslProblem]:
    error = state.get("Error")
    if state.get("Type") == "Fail" and isinstance(error, str) and not is_jsonata(error):
        if error.startswith("States."):
            yield problem("DUR808", pointer(base, "Error"), f"a Fail state raises the reserved name {error!r}")


def _jsonpath_keys(state: Mapping[str, Any], base: str) -> Iterator[AslProblem]:
    if not _may_have_jsonpath_key(state):
        return
    for field, value in state.items():
        if field in NESTED_FIELDS or not has_key(value, _is_jsonpath_key):
            continue
        for where, key in object_keys(value, pointer(base, field)):
            if _is_jsonpath_key(key):
                yield problem("DUR809", where, f"JSONPath key {key!r} in a JSONata state")


def _may_have_jsonpath_key(state: Mapping[str, Any]) -> bool:
    """False only when no key of the state's own fields ends with `.$`: in compact JSON such a key is the
    one place `.$":` can appear (a quote inside a string is escaped). One C-speed dump instead of a walk."""
    own = {k: v for k, v in state.items() if k not in NESTED_FIELDS}
    try:
        return '.$":' in _COMPACT(own)
    except (TypeError, ValueError):  # not JSON data: look field by field
        return True


def _is_jsonpath_key(key: str) -> bool:
    return key.endswith(".$")


def _syntax(state: Mapping[str, Any], base: str) -> Iterator[AslProblem]:
    if all(syntax_error(text) is None for text in expression_texts(state)):
        return
    for where, text in expressions(state, base):
        message = syntax_error(text)
        if message is not None:
            yield problem("DUR813", where, f"JSONata does not parse: {message}")
