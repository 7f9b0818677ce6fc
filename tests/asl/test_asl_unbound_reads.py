"""DUR826: a local the handler may read before binding it is reported where it is read.

The state machine starts such a variable as null, so it reads null where Python raises
UnboundLocalError; the warning names the local and the line of the read. VALID handlers bind the local
on every path first and get no warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD

HANDLER = "\n\n@durable_execution\ndef handler(event: dict, context: DurableContext):\n"

#: name -> (handler body, the local, the text of the line that reads it)
INVALID: dict[str, tuple[str, str, str]] = {
    "bound in one arm of an if": ('''
    if event["c"]:
        x = context.step(lambda _: 1, name="s")
    return x
''', "x", "return x"),
    "the loop variable after a loop that may not run": ('''
    for item in event["items"]:
        context.step(lambda _: item, name="s")
    return {"last": item}
''', "item", 'return {"last": item}'),
    "bound only inside a try that may fail first": ('''
    try:
        context.step(lambda _: 1 / event["d"], name="div", config=NO_RETRY)
        ratio = 2
    except StepError:
        pass
    context.wait(Duration.from_seconds(ratio))
''', "ratio", "context.wait"),
}

VALID: dict[str, str] = {
    "bound on both arms": '''
    if event["c"]:
        x = context.step(lambda _: 1, name="s")
    else:
        x = 0
    return x
''',
    "bound before the if": '''
    x = None
    if event["c"]:
        x = context.step(lambda _: 1, name="s")
    return x
''',
    "read only where it is bound": '''
    if event["c"]:
        x = context.step(lambda _: 1, name="s")
        return x
    return 0
''',
}


def warnings_of(tmp_path: Path, body: str) -> tuple[str, list[tuple[str, str]]]:
    source = HEAD + HANDLER + body.strip("\n") + "\n"
    path = tmp_path / "unbound_case.py"
    path.write_text(source)
    compiled = compile_file(path)
    assert compiled.ok, [(d.code, d.message) for d in compiled.diagnostics]
    lines = source.splitlines()
    return source, [(d.message, lines[d.span.line - 1]) for d in compiled.diagnostics if d.code == "DUR826"]


@pytest.mark.parametrize("name", list(INVALID))
def test_a_read_that_may_come_before_the_binding_is_reported_at_its_line(name: str, tmp_path: Path) -> None:
    body, local, construct = INVALID[name]
    _, found = warnings_of(tmp_path, body)
    assert len(found) == 1, found
    message, line = found[0]
    assert f"{local!r}" in message and "UnboundLocalError" in message
    assert construct in line


@pytest.mark.parametrize("name", list(VALID))
def test_a_local_bound_on_every_path_is_not_reported(name: str, tmp_path: Path) -> None:
    assert warnings_of(tmp_path, VALID[name])[1] == []
