"""The built-in ASL validator: size, schema, flow, per-state rules and variables.

Takes a definition (parsed JSON or its text); gives a sorted list of `AslProblem`s, errors and
warnings. Structural checks only run on a schema-valid document, so they can trust its shape.
A definition is valid when no problem has severity "error".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from durable_compile.backends.asl.flow import check_flow
from durable_compile.backends.asl.problems import AslProblem, problem
from durable_compile.backends.asl.rules import check_rules
from durable_compile.backends.asl.schema import check_schema
from durable_compile.backends.asl.variables import check_variables
from durable_compile.backends.asl.walk import expression_texts
from durable_compile.diagnostics import Severity

MAX_DEFINITION_BYTES = 1024 * 1024


def validate_text(text: str) -> list[AslProblem]:
    """Validate a definition given as JSON text."""
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as err:
        return [problem("DUR801", "", f"not JSON: {err.msg} at line {err.lineno} column {err.colno}")]
    return validate_definition(definition, text=text)


def validate_definition(definition: Any, *, text: str | None = None) -> list[AslProblem]:
    """Validate a parsed definition; `text` is its serialized form when known (for the size limit)."""
    found = _size(definition, text)
    shape = check_schema(definition)
    if shape:
        return sorted(found + shape, key=_order)
    texts = _Texts()
    found += check_flow(definition) + check_rules(definition, texts) + check_variables(definition, texts)
    return sorted(found, key=_order)


class _Texts:
    """`expression_texts` of each state, computed once for the rules and the variables checks (keyed by
    the state's id: the definition is not changed while it is validated)."""

    def __init__(self) -> None:
        self.found: dict[int, tuple[Mapping[str, Any], list[str]]] = {}

    def __call__(self, state: Mapping[str, Any]) -> list[str]:
        known = self.found.get(id(state))
        if known is None:
            known = self.found[id(state)] = (state, expression_texts(state))  # the state kept: ids stay unique
        return known[1]


def is_valid(problems: Sequence[AslProblem]) -> bool:
    return not any(p.severity is Severity.ERROR for p in problems)


def _size(definition: Any, text: str | None) -> list[AslProblem]:
    body = text if text is not None else json.dumps(definition, separators=(",", ":"), ensure_ascii=False)
    size = len(body.encode("utf-8"))
    if size > MAX_DEFINITION_BYTES:
        return [problem("DUR812", "", f"the definition has {size} bytes (at most {MAX_DEFINITION_BYTES})")]
    return []


def _order(p: AslProblem) -> tuple[str, str, str]:
    return (p.pointer, p.code, p.message)
