"""The jinja2 environment of the Python backend: `templates/*.j2`, strict about undefined names."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def pystr(value: str) -> str:
    """A Python string literal for `value` (double quotes, like the rest of the module)."""
    return json.dumps(value, ensure_ascii=False)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    env.filters["pystr"] = pystr
    return env


def render(template: str, /, **context: Any) -> str:
    """Render one template; the result has no trailing newline."""
    return environment().get_template(template).render(**context).rstrip("\n")
