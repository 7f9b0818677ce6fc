"""Validation against our JSON Schema of JSONata ASL (grammars/asl.schema.json).

Takes any JSON value; gives one DUR801 problem per schema violation, pointing at the offending value.
A document first goes through the compiled predicate of the schema (schema_check.py); `jsonschema` only
runs, to find and word the errors, on a document the predicate rejects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from durable_compile.backends.asl.problems import AslProblem, problem
from durable_compile.backends.asl.schema_check import Check, UnsupportedSchema, compile_schema
from durable_compile.backends.asl.walk import pointer

SCHEMA_FILE = "asl.schema.json"


def schema_path() -> Path:
    """The schema ships in grammars/ of a checkout; an installed wheel carries a copy in this package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "grammars" / SCHEMA_FILE, here.parent / SCHEMA_FILE):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(SCHEMA_FILE)


TYPE_DEFS = {"Task": "task", "Pass": "pass", "Wait": "wait", "Choice": "choice", "Succeed": "succeed",
             "Fail": "fail", "Parallel": "parallel", "Map": "map"}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return dict(json.loads(schema_path().read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def fast_check() -> Check | None:
    """The compiled predicate of the schema, or None when the schema needs `jsonschema` itself."""
    try:
        return compile_schema(_schema())
    except UnsupportedSchema:
        return None


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    """The whole schema (used for documents whose states are not all objects of a known Type)."""
    return jsonschema.Draft202012Validator(_schema())


@lru_cache(maxsize=1)
def _shallow() -> jsonschema.Draft202012Validator:
    """The schema with every state only checked to be an object of a known Type; the states themselves
    are then checked one by one against their type's definition, which is much faster than `if` chains."""
    schema = json.loads(json.dumps(_schema()))
    schema["$defs"]["state"] = {"type": "object", "required": ["Type"],
                                "properties": {"Type": {"enum": sorted(TYPE_DEFS)}}}
    return jsonschema.Draft202012Validator(schema)


@lru_cache(maxsize=16)
def _state_validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = _shallow().schema
    return jsonschema.Draft202012Validator({"$ref": f"#/$defs/{TYPE_DEFS[kind]}", "$defs": schema["$defs"]})


def check_schema(definition: Any) -> list[AslProblem]:
    check = fast_check()
    if check is not None and check(definition):
        return []
    errors = list(_shallow().iter_errors(definition))
    if not errors:
        errors = list(_state_errors(definition))
    found = []
    for error in sorted(errors, key=lambda e: list(map(str, e.absolute_path))):
        specific = best_match(error.context) if error.context else error
        found.append(problem("DUR801", _where(specific), _message(specific)))
    return found


def _state_errors(definition: dict[str, Any]) -> Iterator[ValidationError]:
    pending: list[tuple[tuple[str | int, ...], dict[str, Any]]] = [(("States",), definition["States"])]
    while pending:
        path, states = pending.pop()
        for name, state in states.items():
            where = (*path, name)
            for error in _state_validator(state["Type"]).iter_errors(state):
                error.path.extendleft(reversed(where))
                yield error
            for i, branch in enumerate(state.get("Branches", ())):
                if isinstance(branch, dict) and isinstance(branch.get("States"), dict):
                    pending.append(((*where, "Branches", i, "States"), branch["States"]))
            processor = state.get("ItemProcessor")
            if isinstance(processor, dict) and isinstance(processor.get("States"), dict):
                pending.append(((*where, "ItemProcessor", "States"), processor["States"]))


def _where(error: ValidationError) -> str:
    return pointer("", *error.absolute_path) if error.absolute_path else ""


def _message(error: ValidationError) -> str:
    text = error.message
    return text if len(text) <= 200 else text[:197] + "..."
