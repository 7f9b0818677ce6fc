"""`assert`, `del` and `global` compile as Python runs them; other statements the IR keeps as written are
refused with what to write instead (where imports, `del` of locals and `with` blocks compile:
test_asl_scoped_statements.py).

Each handler ends with the same status, result, error type and message on our durable runtime and,
compiled by to-asl, on sfnx.testing and moto (a failing `assert` is AssertionError with its message, a
`del` of a missing key is KeyError); the pinned outcomes show which path ran.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any

import pytest

from durable_compile.backends.asl.package import compile_file, write
from tests.asl import test_asl_finally as finally_tests

HEAD = '''from typing import Any

from aws_durable_execution_sdk_python import DurableContext, StepContext, durable_execution, durable_step

LIMIT = 10


@durable_step
def echo(step_ctx: StepContext, what: Any) -> Any:
    return what


@durable_execution
def handler(event: dict, context: DurableContext) -> Any:
'''

CASES: dict[str, str] = {
    "assert that holds": '''
    n = context.step(echo(3), name="three")
    assert n < LIMIT, f"{n} is too many"
    return n
''',
    "assert that fails, with a message": '''
    n = context.step(echo(30), name="thirty")
    assert n < LIMIT, f"{n} is too many"
    return n
''',
    "assert that fails, without a message": '''
    n = context.step(echo([]), name="nothing")
    assert n
    return n
''',
    "del of a key, an index and an attribute-free item": '''
    order = context.step(echo({"id": 1, "card": "4242", "lines": ["a", "b", "c"]}), name="order")
    del order["card"], order["lines"][0]
    return order
''',
    "del of a missing key raises KeyError": '''
    order = context.step(echo({"id": 1}), name="order")
    del order["card"]
    return order
''',
    "global of a name the handler only reads": '''
    global LIMIT
    return context.step(echo(LIMIT), name="limit")
''',
}
PINNED: dict[str, tuple[str, Any, str | None, str | None]] = {
    "assert that holds": ("SUCCEEDED", 3, None, None),
    "assert that fails, with a message": ("FAILED", None, "AssertionError", "30 is too many"),
    "assert that fails, without a message": ("FAILED", None, "AssertionError", ""),
    "del of a key, an index and an attribute-free item": ("SUCCEEDED", {"id": 1, "lines": ["b", "c"]}, None, None),
    "global of a name the handler only reads": ("SUCCEEDED", 10, None, None),
}
REFUSED: dict[str, tuple[str, str]] = {
    "import inside the handler, on some paths only": ('''
    if LIMIT > 5:
        import math
    return None
''', "import at module level"),
    "with block around an operation": ('''
    with open("/dev/null") as f:
        n = context.step(echo(1), name="one")
    return n
''', "move the block's work into a step"),
    "del of a local read afterwards": ('''
    n = context.step(echo(1), name="one")
    del n
    return n
''', "assign None instead"),
    "global the handler assigns": ('''
    global LIMIT
    LIMIT = context.step(echo(1), name="one")
    return LIMIT
''', "no module or enclosing variables"),
}
COUNTER = itertools.count(1)


def write_handler(tmp: Path, body: str) -> Path:
    path = tmp / f"opaque_handler_{next(COUNTER)}.py"
    path.write_text(HEAD + body.strip("\n") + "\n")
    return path


@pytest.mark.parametrize("name", list(CASES))
def test_statements_kept_as_written_run_as_in_python(name: str, tmp_path: Path) -> None:
    path = write_handler(tmp_path, CASES[name])
    compiled = compile_file(path)
    assert compiled.ok, [d.message for d in compiled.diagnostics]
    write(compiled, tmp_path / "out")
    try:
        expected = finally_tests.on_runtime(path)
        for engine in ("sfnx", "moto"):
            actual = finally_tests.on_asl(tmp_path / "out", engine)
            assert actual[:3] == expected[:3], engine
            assert actual[3] == expected[3] or (actual[3], expected[3]) == (None, ""), engine  # a Fail has no Cause
    finally:
        sys.modules.pop(path.stem, None)
    if name in PINNED:
        assert expected == PINNED[name]
    else:
        assert expected[:3] == ("FAILED", None, "KeyError")


@pytest.mark.parametrize("name", list(REFUSED))
def test_other_statements_are_refused_with_a_rewrite(name: str, tmp_path: Path) -> None:
    body, hint = REFUSED[name]
    compiled = compile_file(write_handler(tmp_path, body))
    refused = [d.message for d in compiled.diagnostics if d.code == "DUR820"]
    assert len(refused) == 1 and hint in refused[0], refused
