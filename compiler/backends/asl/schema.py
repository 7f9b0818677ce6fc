"""Validation against our JSON Schema of JSONata ASL (grammars/asl.schema.json).

Takes any JSON value; gives one DUR801 problem per schema violation, pointing at the offending value.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from durable_compile.backends.asl.problems import AslProblem, problem
from durable_compile.backends.asl.walk import pointer

SCHEMA_FILE = "asl.schema.json"


def schema_path() -> Path:
    """The schema ships in grammars/ of a checkout; an installed wheel carries a copy in this package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "grammars" / SCHEMA_FILE, here.parent / SCHEMA_FILE):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(SCHEMA_FILE)


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_path().read_text(encoding="utf-8")))


def check_schema(definition: Any) -> list[AslProblem]:
    found = []
    for error in sorted(validator().iter_errors(definition), key=lambda e: list(map(str, e.absolute_path))):
        specific = best_match(error.context) if error.context else error
        found.append(problem("DUR801", _where(specific), _message(specific)))
    return found


def _where(error: ValidationError) -> str:
    return pointer("", *error.absolute_path) if error.absolute_path else ""


def _message(error: ValidationError) -> str:
    text = error.message
    return text if len(text) <= 200 else text[:197] + "..."
