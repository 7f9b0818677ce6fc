"""Lists and dicts shared by two names: Python shares, the state machine's variables hold copies.

Each body runs after the head of diff_grammar (x = event["start"], y = 0, items = []) and before its
`return {"x": x, "y": y, "items": items}`, with the module functions of `MODULE` beside the handler.
`REFUSED`: a change in place that another name would see must be a DUR820 at the changing line (a line
of the body, or the line of the module holding the given text), naming both names (one name: a branch's
copy of what it captures). `AGREE`: sharing no later read can see (a copy, a change before the sharing,
a name bound again, values that are never changed in place) compiles, and ends the same way on our
durable runtime and, compiled by to-asl, on both local interpreters (`AGREE_BOTH`: moto and sfnx).
Each case names the gap it covers: a shallow copy's items (a), functions that change their arguments
(b), child contexts, branches and map functions (c), names bound again (d), `+=`, `*=` and `|=` (e).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_compile.backends.asl.package import compile_file
from tests.asl.diff_grammar import HEAD, TAIL
from tests.asl.diff_harness import judge

#: module functions the bodies call, written before the handler
MODULE = '''import copy
import heapq


def add(xs, v):
    xs.append(v)


def first_row(rows):
    return rows[0]


def touch(rows):
    for row in rows:
        row["seen"] = True


def relay(rows):
    touch(rows)


def extend(xs, ys):
    xs += ys


def total(xs):
    n = 0
    for v in xs:
        n += v
    return n


@durable_with_child_context
def grow(ctx: DurableContext, xs: list) -> int:
    xs.append(1)
    return len(xs)


def stack(ctx: DurableContext, xs: list) -> int:
    xs.append(context_free(xs))
    return len(xs)


def context_free(xs):
    return len(xs)


'''
#: name -> (the handler body, the line of the change (from the body's start, or a text of its line), the names)
REFUSED: dict[str, tuple[str, int | str, tuple[str, str]]] = {
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
    "(e) a list extended with += of a variable after sharing": ('''
    extra = event.get("more", [x])
    a = items
    items += extra
    y = len(a)
''', 3, ("items", "a")),
    "(e) a list repeated with *= after sharing": ('''
    items.append(x)
    a = items
    items *= 2
    y = len(a)
''', 3, ("items", "a")),
    "(e) a dict updated with |= of a variable after sharing": ('''
    d = {"k": x}
    more = event.get("more", {"j": 1})
    e = d
    d |= more
    items.append(e)
''', 4, ("d", "e")),
    "(e) += on a name of unknown type": ('''
    got = event.get("got", [])
    got += [x]
    items.append(event)
''', 2, ("got", "event")),
    "(e) an item extended with += holds the list it was given": ('''
    d = {"k": []}
    row = [x]
    d["k"] += [row]
    row.append(1)
    items.append(d)
''', 4, ("row", "d")),
    "(e) a module function extends its argument with +=": ('''
    a = items
    extend(items, [x])
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
    "(a) an item of a list() copy changed": ('''
    rows = [{"k": x}]
    b = list(rows)
    b[0]["k"] = 5
    items.append(rows)
''', 3, ("b", "rows")),
    "(a) a list inside a .copy() appended to": ('''
    rows = [[x]]
    b = rows.copy()
    b[0].append(7)
    items.append(rows)
''', 3, ("b", "rows")),
    "(a) a dict inside a dict() copy changed": ('''
    d = {"in": {"v": x}}
    e = dict(d)
    e["in"]["v"] = 9
    items.append(d)
''', 3, ("e", "d")),
    "(a) an item of the original changed, the [*a] copy read": ('''
    rows = [[x]]
    b = [*rows]
    rows[0].append(7)
    items.append(b)
''', 3, ("rows", "b")),
    "(a) an item of a slice changed through the loop variable": ('''
    rows = [{"k": x}]
    for row in rows[:]:
        row["k"] = 2
    items.append(rows)
''', 3, ("row", "rows")),
    "(a) the items of a copy changed in a comprehension": ('''
    rows = [[x]]
    b = list(rows)
    n = [r.append(1) for r in b]
    items.append(rows)
''', 3, ("r", "rows")),
    "(b) a lambda changes the items map() gives it": ('''
    rows = [{"k": x}]
    done = list(map(lambda r: r.update(k=2), rows))
    items.append(rows)
''', 2, ("r", "rows")),
    "(b) list.append called unbound": ('''
    a = items
    list.append(items, x)
    y = len(a)
''', 2, ("items", "a")),
    "(d) a name bound by a walrus shares its value": ('''
    if (a := items) is not None:
        a.append(x)
    y = len(items)
''', 2, ("a", "items")),
    "(b) a module function appends to its argument": ('''
    a = items
    add(items, x)
    y = len(a)
''', 2, ("items", "a")),
    "(b) a module function changes the items of a copy": ('''
    rows = [{"k": x}]
    b = list(rows)
    relay(b)
    items.append(rows)
''', 3, ("b", "rows")),
    "(b) a module function returns an item": ('''
    rows = [{"k": x}]
    r = first_row(rows)
    r["k"] = 1
    items.append(rows)
''', 3, ("r", "rows")),
    "(b) a nested function appends to its argument": ('''
    def put(xs):
        xs.append(1)
    a = items
    put(items)
    y = len(a)
''', 4, ("items", "a")),
    "(b) a nested function appends to a list it captures": ('''
    a = items
    def put(v):
        items.append(v)
    put(x)
    y = len(a)
''', 4, ("items", "a")),
    "(b) heapq.heappush changes its heap": ('''
    a = items
    heapq.heappush(items, x)
    y = len(a)
''', 2, ("items", "a")),
    "(c) a child context's closure appends to a shared list": ('''
    a = items
    def kid(ctx):
        items.append(x)
        return 1
    y = context.run_in_child_context(kid, name="kid")
    items.append(len(a))
''', 3, ("items", "a")),
    "(c) a child context function appends to its argument": ('''
    y = context.run_in_child_context(grow(items))
''', "    xs.append(1)", ("xs", "items")),
    "(c) a function given the context appends to an alias": ('''
    a = items
    y = stack(context, a)
    items.append(x)
''', "    xs.append(context_free(xs))", ("a", "items")),
    "(c) a parallel branch appends to a captured list": ('''
    def b1(ctx):
        items.append(1)
        return 1
    r = context.parallel([b1, lambda c: 2])
    y = len(items)
''', 2, ("items", "items")),
    "(c) a step's lambda appends to a list it captures": ('''
    rows = [x]
    y = context.step(lambda _: rows.append(x), name="s")
    items.append(len(rows))
''', 2, ("rows", "rows")),
    "(c) a nested step function appends to a list it captures": ('''
    @durable_step
    def bump(step_ctx, v):
        items.append(v)
        return v
    y = context.step(bump(x))
''', 5, ("items", "items")),
    "(c) a wait_for_condition check appends to a list it captures": ('''
    seen = []
    def probe(state, ctx):
        seen.append(state)
        return state + 1
    y = context.wait_for_condition(probe, config=WaitForConditionConfig(initial_state=0, wait_strategy=up_to(2)))
    items.append(len(seen))
''', 5, ("seen", "seen")),
    "(c) a map function reads and appends to a list it captures": ('''
    seen = []
    def m(ctx, item, index, values):
        r = len(seen)
        seen.append(item)
        return r
    res = context.map([1, 2], m)
    y = len(res.get_results())
''', 4, ("seen", "seen")),
    "(c) a map function changes its item": ('''
    rows = [[x], [x]]
    def m(ctx, item, index, values):
        item.append(index)
        return len(item)
    r = context.map(rows, m)
    items.append(rows)
''', 3, ("item", "rows")),
    "(d) a name bound again in one branch only": ('''
    a = items
    if x > 1:
        a = []
    a.append(x)
    items.append(0)
''', 4, ("a", "items")),
    "(d) a name bound again later in a loop": ('''
    a = []
    for i in range(2):
        a.append(i)
        a = items
    y = len(items)
''', 3, ("a", "items")),
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
#: like AGREE, compared on both interpreters
AGREE_BOTH: dict[str, tuple[str, list[int]]] = {
    "(a) a list() copy appended to, not its items": ('''
    rows = [{"k": x}]
    b = list(rows)
    b.append({"k": 0})
    items.append(rows)
    items.append(b)
''', [1]),
    "(a) a deep copy's items changed": ('''
    rows = [{"k": x}]
    b = copy.deepcopy(rows)
    b[0]["k"] = 5
    items.append(rows)
    items.append(b)
''', [1]),
    "(b) a module function appends to a list no other name shares": ('''
    add(items, x)
    a = first_row(items)
    y = a + 1
''', [1]),
    "(b) a nested function appends to a list it captures, no other name shares it": ('''
    def put(v):
        items.append(v)
    put(x)
    y = len(items)
''', [1]),
    "(c) a child context's closure appends to a list no other name shares": ('''
    def kid(ctx):
        items.append(x)
        return len(items)
    y = context.run_in_child_context(kid, name="kid")
''', [1]),
    "(c) branches read a captured list, map functions change their own": ('''
    def b1(ctx):
        return len(items) + x
    def m(ctx, item, index, values):
        acc = [item]
        acc.append(index)
        return acc
    r = context.parallel([b1, lambda c: 2])
    q = context.map([x, x + 1], m)
    items.append([r.get_results(), q.get_results()])
''', [1]),
    "(e) += of a scalar local, which makes a new number or string": ('''
    n = 0
    s = "v"
    for v in [x, x + 1]:
        items.append([n, s])
        n += v
        s += str(v)
    n *= 2
    y = n + len(s)
''', [1, 2]),
    "(e) += of a number on a name of unknown type": ('''
    n = event["start"]
    n += 1
    n |= 4
    y = n + total([x, 2])
    items.append(event)
''', [1]),
    "(e) a list extended by += keeps the items of its own, not the other list": ('''
    extra = [x, x + 1]
    items += extra
    extra.append(0)
    y = len(extra)
''', [1]),
    "(d) a name bound again no longer shares": ('''
    a = items
    a = []
    a.append(x)
    items.append(len(a))
''', [1]),
    "(d) a name bound again in every branch no longer shares": ('''
    a = items
    if x > 1:
        a = [x]
    else:
        a = []
    a.append(x)
    items.append(a)
''', [1, 2]),
}


def source(body: str) -> str:
    return HEAD.replace("@durable_execution", MODULE + "@durable_execution", 1) + body.strip("\n") + "\n" + TAIL


def line_of(text: str, line: int | str) -> int:
    """The line number of a body's line (counted from its first), or of the line holding `line`."""
    lines = text.splitlines()
    if isinstance(line, str):
        return lines.index(line) + 1
    return lines.index("    items = []") + 1 + line


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_change_another_name_sees_is_refused(name: str, tmp_path: Path) -> None:
    body, line, (changed, other) = REFUSED[name]
    path = tmp_path / "aliased.py"
    path.write_text(source(body))
    compiled = compile_file(path)
    errors = [d for d in compiled.diagnostics if d.severity.value == "error"]
    assert not compiled.ok and [d.code for d in errors] == ["DUR820"], errors
    assert errors[0].span.line == line_of(source(body), line)
    if changed == other:
        assert f"{changed!r} is changed in place in code that the state machine runs on a copy" in errors[0].message
    else:
        assert f"{changed!r} is changed in place while {other!r}" in errors[0].message
        assert "copy.deepcopy(...)" in errors[0].message


@pytest.mark.parametrize("call", ["reprice(items)", "shop.reprice(items)"])
def test_a_function_from_outside_the_standard_library_may_change_its_argument(call: str, tmp_path: Path) -> None:
    imports = "from shop_rules import reprice\nimport shop\n"
    path = tmp_path / "foreign.py"
    path.write_text(imports + source(f"    a = items\n    {call}\n    y = len(a)\n"))
    errors = [d for d in compile_file(path).diagnostics if d.severity.value == "error"]
    assert [(d.code, d.span.line) for d in errors] == [("DUR820", line_of(path.read_text(), 2))]
    path.write_text(imports + source(f"    {call}\n    y = len(items)\n"))
    assert compile_file(path).ok  # no other name shares it: the lifted call gives the list back


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in AGREE.items() for s in starts])
def test_sharing_nothing_sees_compiles_and_agrees(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(AGREE[name][0]), {"start": start}, tmp_path, "shared", ("sfnx",))
    assert verdict.kind == "compared", verdict


@pytest.mark.parametrize(("name", "start"), [(n, s) for n, (_, starts) in AGREE_BOTH.items() for s in starts])
def test_sharing_nothing_sees_agrees_on_both_interpreters(name: str, start: int, tmp_path: Path) -> None:
    verdict = judge(source(AGREE_BOTH[name][0]), {"start": start}, tmp_path, "shared", ("sfnx", "moto"))
    assert verdict.kind == "compared", verdict
