"""Lists and dicts shared by two names: Python shares, the state machine's variables hold copies.

Each body runs after the head of diff_grammar (x = event["start"], y = 0, items = []) and before its
`return {"x": x, "y": y, "items": items}`. `REFUSED`: a change in place that another name would see
must be a DUR820 at the changing line, naming both names. `AGREE`: sharing no later read can see (a copy,
a change before the sharing, values that are never changed in place) compiles, and ends the same way on
our durable runtime and, compiled by to-asl, on the local interpreters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD, TAIL
from tests.asl.diff_harness import judge

#: name -> (the handler body, the line of the change from the body's start, the two names)
REFUSED: dict[str, tuple[str, int, tuple[str, str]]] = {
    "a list changed after another name took it": ('''
    a = items
    items.append(1)
    return {"a": a}
''', 2, ("items", "a")),
    "a dict changed by item assignment": ('''
    d = {"k": 0}
    d2 = d
    d["k"] = 1
    items.append(d2)
''', 3, ("d", "d2")),
    "a list changed through the second name": ('''
    a = items
    a.append(x)
''', 2, ("a", "items")),
    "a list extended with += after sharing": ('''
    a = items
    items += [x]
    y = len(a)
''', 2, ("items", "a")),
    "a list put into a dict, then changed": ('''
    log = []
    summary = {"log": log}
    log.append(context.step(check(x, 9), name='c'))
    items.append(summary)
''', 3, ("log", "summary")),
    "the elements of a list changed through the loop variable": ('''
    rows = [{"v": 1}, {"v": 2}]
    for row in rows:
        row["v"] = row["v"] + x
    items.append(rows)
''', 3, ("row", "rows")),
    "a part of the event changed in place": ('''
    got = event.get("extra", [])
    got.append(x)
    items.append(event)
''', 2, ("got", "event")),
    "a shared dict changed in a loop before the other is read again": ('''
    d = {"n": 0}
    for i in range(2):
        items.append(d)
        d["n"] = i
''', 4, ("d", "items")),
    "an element of a list changed through the list": ('''
    inner = [x]
    outer = [inner]
    outer[0].append(context.step(check(x, 9), name='c'))
    items.append(inner)
''', 3, ("outer", "inner")),
}
#: name -> (the handler body, the values of event["start"] it runs with)
AGREE: dict[str, tuple[str, list[int]]] = {
    "a copy made with list() is the copy's own": ('''
    a = list(items)
    items.append(1)
    items.append(a)
''', [1]),
    "a copy made with dict() and .copy()": ('''
    d = {"k": x}
    d2 = dict(d)
    d3 = d.copy()
    d["k"] = 0
    items.append([d, d2, d3])
''', [1]),
    "a change before the sharing": ('''
    items.append(x)
    a = items
    items = [x + 1]
    items.append(a)
''', [1]),
    "ints put into a list": ('''
    for i in range(3):
        items.append(x)
        x = x + i
    y = x
''', [1]),
    "a loop variable read, never changed": ('''
    rows = [{"v": x}, {"v": x + 1}]
    for row in rows:
        y = y + row["v"]
    rows.append({"v": 0})
    items.append(rows)
''', [1]),
    "two names of one list, neither changed": ('''
    a = [x, context.step(check(x, 9), name='c')]
    b = a
    items.append(b)
    items.append(a)
''', [1]),
}


def source(body: str) -> str:
    return HEAD + body.strip("\n") + "\n" + TAIL


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_change_another_name_sees_is_refused(name: str, tmp_path: Path) -> None:
    body, line, (changed, other) = REFUSED[name]
    path = tmp_path / "aliased.py"
    path.write_text(source(body))
    compiled = compile_file(path)
    errors = [d for d in compiled.diagnostics if d.severity.value == "error"]
    assert not compiled.ok and [d.code for d in errors] == ["DUR820"], errors
    assert errors[0].span.line == HEAD.count("\n") + line
    assert f"{changed!r} is changed in place while {other!r}" in errors[0].message


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in AGREE.items() for s in starts])
def test_sharing_nothing_sees_compiles_and_agrees(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(AGREE[name][0]), {"start": start}, tmp_path, "shared", ("sfnx",))
    assert verdict.kind == "compared", verdict
