"""The lint's libcst-free name resolution agrees with the front end's (differential, property-based)."""

from __future__ import annotations

import ast

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_compile import discover, imports
from durable_compile.analyze import names
from durable_compile.analyze.index import build_index

IMPORTS = [
    "import time", "import time as t", "from datetime import datetime as dt", "from uuid import uuid4",
    "import aws_durable_execution_sdk_python as sdk", "import os.path",
    "from aws_durable_execution_sdk_python.execution import durable_execution as de",
    "from aws_durable_execution_sdk_python.config import Duration",
    "from durable_runtime.context import DurableContext",
    "from . import util", "from ..pkg.mod import helper as h", "import concurrent.futures",
]
DEFS = ["def helper(): pass", "class Order: pass", "TABLE = 'x'", "count: int = 0"]
HEADS = ["time", "t", "dt", "uuid4", "sdk", "os", "de", "Duration", "DurableContext", "util", "h", "helper",
         "Order", "TABLE", "count", "open", "print", "concurrent", "unknown"]
TAILS = ["", "now", "path.join", "durable_execution", "from_minutes", "futures.ThreadPoolExecutor", "x.y"]


def test_tables_are_the_front_ends() -> None:
    assert {r.value for r in names.Role} == {r.value for r in discover.Role}
    assert {k: v.value for k, v in names.DECORATOR_ROLES.items()} == \
        {k: v.value for k, v in discover.DECORATOR_ROLES.items()}
    assert (names.SDK_ROOTS, names.SDK_SUBMODULES, names.LOCAL) == \
        (imports.SDK_ROOTS, imports.SDK_SUBMODULES, imports.LOCAL)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(IMPORTS + DEFS), min_size=1, max_size=6), st.sampled_from(HEADS),
       st.sampled_from(TAILS))
def test_qualify_agrees_with_the_front_end(header: list[str], head: str, tail: str) -> None:
    source = "\n".join(header) + "\n"
    ours = build_index(ast.parse(source)).imports
    theirs = imports.collect_imports(cst.parse_module(source))
    text = f"{head}.{tail}" if tail else head
    assert ours.qualify(text) == theirs.qualify(text)
    assert ours.imports_sdk == theirs.imports_sdk
    assert ours.is_sdk(text, "durable_execution", "Duration") == theirs.is_sdk(text, "durable_execution", "Duration")
