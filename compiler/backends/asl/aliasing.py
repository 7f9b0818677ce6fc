"""Shared lists and dicts: where Python's sharing would show, which the state machine cannot copy.

Takes a lowered handler (and the module's defs, to read the functions it calls); gives (span, message)
of each statement that changes a list or dict in place while another name shares it and reads it
afterwards. In Python `a = items` makes two names of one list, and `items.append(1)` changes what `a`
sees; the state machine's variables hold JSON values, each its own copy, so `$a` keeps the old list.

Sharing comes from `a = b` (and `a = b[k]`, `a = b.get(k)`, conditional and `or`/`and` forms of those),
from putting a name into a container (`[b]`, `{"k": b}`, `c.append(b)`, `c[k] = b`), from `for a in b`,
and, one level down, from shallow copies (`list(b)`, `b.copy()`, `dict(b)`, `[*b]`, `{**b}`, `b[:]`,
`b + c`, a comprehension over `b`): the copy's items are still `b`'s, so `copy[0]["k"] = 1` changes what
`b` sees. A change in place is a mutating method call (`append`, `update`, ...), an item assignment or
deletion, `+=`, `*=` or `|=` on a name that may hold a list or dict (not a local that only ever holds
numbers and strings, local_types.scalar_locals; not `+=`/`|=` of a number, which a list or dict refuses),
through the name or through a subscript of it, or a call of a function of the module that changes its
argument (alias_calls.py reads its body; one it cannot read, imported from
outside the standard library, may change any argument).

Child contexts and functions that receive the context are read where they run, their parameters bound
to the arguments; `parallel` branches and `map` functions too, as code that runs repeatedly in a scope
of its own: a change there of an object the handler holds is seen by the handler in Python only.

Flow (alias_scan.py): a name bound again (`a = []` after `a = b`) is a new object from there on in
straight-line code; after a branch it may be either, in a loop any binding of the loop may reach a
read. The change must come after the sharing and the read after the change, in source order or in the
same loop; never in another block of the same `if` or `match` (outside a loop around both, one run
takes one block). Names shared with an operation's arguments are copies on both sides (they are serialized).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from durable_compile.backends.asl import alias_values as v
from durable_compile.backends.asl.local_types import SCALAR_CALLS, scalar_locals
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.alias_calls import Calls

Edge = tuple[str, str, "Event"]


@dataclass(frozen=True)
class Event:
    at: int  #: position in source order
    loops: frozenset[int]  #: the loops around it (and the repeated regions: branches, map functions)
    span: Span
    #: the branches around it: (the `if` or `match`, which of its blocks); two blocks of one never both run
    arms: frozenset[tuple[int, int]] = frozenset()

    def after(self, other: Event) -> bool:
        """Whether this may run after `other` (later in order and not in another block of one `if`, or both
        in one loop)."""
        return (self.at > other.at and not self.apart(other)) or bool(self.loops & other.loops)

    def sees(self, edge: Event) -> bool:
        """Whether an edge made at `edge` holds here (made before, or by this statement itself)."""
        return (self.at >= edge.at and not self.apart(edge)) or bool(self.loops & edge.loops)

    def apart(self, other: Event) -> bool:
        """Whether the two are in different blocks of one `if` or `match` (one run never reaches both)."""
        mine = dict(self.arms)
        return any(mine.get(branch, arm) != arm for branch, arm in other.arms)


@dataclass
class Facts:
    """What one function does with its names (each name a version: `a`, or `a@line:col` where bound)."""

    same: list[Edge] = field(default_factory=list)  #: two names of one object
    holds: list[Edge] = field(default_factory=list)  #: (container, a name's object it holds)
    peers: list[Edge] = field(default_factory=list)  #: two containers holding the same items
    changes: list[tuple[str, bool, Event]] = field(default_factory=list)  #: (name, deep, where) changed in place
    reads: dict[str, list[Event]] = field(default_factory=dict)  #: name -> where it is read
    #: a branch's copies of the names it captures -> the positions of the branch (first, last)
    copies: dict[str, tuple[int, int]] = field(default_factory=dict)


def shared_changes(fn: n.Function, source_text: str = "",
                   defs: Callable[[str], list] | None = None) -> list[tuple[Span, str]]:  # type: ignore[type-arg]
    """The changes in place that another name sharing the object would see, in Python only."""
    from durable_compile.backends.asl.alias_calls import Calls
    from durable_compile.backends.asl.alias_scan import Scanner
    facts = Facts()
    calls = Calls(source_text, defs)
    scanner = Scanner(facts, calls)
    scanner.scalars = scalar_names(fn, calls)
    scanner.function(fn)
    linked = {name for edges in (facts.same, facts.holds, facts.peers) for a, b, _ in edges for name in (a, b)}
    linked |= set(facts.copies)
    found: dict[Span, str] = {}
    for name, deep, change in facts.changes:
        if change.span in found or name not in linked:
            continue
        for other in sorted(observers(facts, name, deep, change) | {name}):
            if _inside(facts, other, change):  # a branch runs again, or beside others, on its own copy
                found[change.span] = _message(base(other), base(other))
                break
            if base(other) == base(name):
                continue  # one variable of the machine: it holds the change
            if any(read.after(change) and read.at != change.at for read in facts.reads.get(other, [])):
                found[change.span] = _message(base(name), base(other))
                break
    return sorted(found.items(), key=lambda item: (item[0].line, item[0].column))


def _inside(facts: Facts, copy: str, change: Event) -> bool:
    """Whether `copy` is a branch's copy of a captured name, changed and read in that branch."""
    first, last = facts.copies.get(copy, (0, -1))
    return first <= change.at <= last and any(first <= read.at <= last for read in facts.reads.get(copy, []))


def base(version: str) -> str:
    """The variable a version of a name belongs to."""
    return version.split("@", 1)[0]


def observers(facts: Facts, name: str, deep: bool, change: Event) -> set[str]:
    """The names that see a change of `name`'s object (`deep`: of an object inside it), by the edges made
    before it: the names of that object, and every container holding it (at any depth), a container's
    shallow copies too, since they hold the same items."""
    same = _adjacent(facts.same, change)
    kin = _adjacent(facts.same + facts.peers, change)
    holders: dict[str, set[str]] = {}
    holdings: dict[str, set[str]] = {}
    for container, value, event in facts.holds:
        if change.sees(event):
            holders.setdefault(value, set()).add(container)
            holdings.setdefault(container, set()).add(value)
    if deep:  # the changed object is inside `name`: at any depth, in any copy of it
        seen = _closure({name}, kin)
        todo = list(seen)
        while todo:
            for value in holdings.get(todo.pop(), ()):
                for member in _closure({value}, kin) - seen:
                    seen.add(member)
                    todo.append(member)
    else:
        seen = _closure({name}, same)
    todo = list(seen)
    while todo:  # containers of containers
        for container in holders.get(todo.pop(), ()):
            for member in _closure({container}, kin) - seen:
                seen.add(member)
                todo.append(member)
    return seen - {name}


def names_of_object(facts: Facts, name: str) -> set[str]:
    """The names of `name`'s object (by every `same` edge, in any order)."""
    return _closure({name}, _adjacent(facts.same, None))


def _adjacent(edges: list[Edge], change: Event | None) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for a, b, event in edges:
        if change is None or change.sees(event):
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
    return found


def _closure(names: set[str], adjacent: dict[str, set[str]]) -> set[str]:
    group = set(names)
    todo = list(names)
    while todo:
        for other in adjacent.get(todo.pop(), ()):
            if other not in group:
                group.add(other)
                todo.append(other)
    return group


def _message(name: str, other: str) -> str:
    if _shown(name) == _shown(other):  # a copy of a captured name: in a step, a branch or a map function
        return (f"{_shown(name)} is changed in place in code that the state machine runs on a copy of it (a "
                f"step, a parallel branch or a map function) and read again, by another run of that code or by "
                f"the caller afterwards: in Python they all share one object. Return the new value instead, or "
                f"build a list or dict of the code's own")
    return (f"{_shown(name)} is changed in place while {_shown(other)} refers to the same list or dict (or "
            f"to a list or dict inside it) and is read afterwards: the state machine's variables hold copies, "
            f"so {_shown(other)} would keep the old value. Copy where the two are tied (list(...), dict(...) "
            f"or .copy() for the list itself, copy.deepcopy(...) for the lists and dicts inside it), or use "
            f"one name")


def _shown(name: str) -> str:
    """A scanned name as the user wrote it, quoted (`kid#2.rows@3:4` -> `'rows'`); a value the lowering
    named (`_dc_t1`, what a lambda's call gives) as the result it is."""
    shown = base(name).rsplit(".", 1)[-1]
    return "the result of the call that returns it" if shown.startswith("_dc_t") else repr(shown)


def scalar_names(fn: n.Function, calls: Calls) -> set[str]:
    """The handler's locals that never hold a list or dict (local_types.scalar_locals, which leaves out
    names a walrus, a `with` or a `case` pattern binds in the statements it reads), but for names a walrus
    binds in a statement the lowering left as written, and none where the module shadows a builtin the
    typing trusts."""
    if any(calls.defs(name) or name in calls.foreign or name in calls.stdlib for name in SCALAR_CALLS):
        return set()
    assigned: set[str] = set()
    other: set[str] = set()
    for stmt in n.walk(fn.body):
        if isinstance(stmt, n.Assign | n.AugAssign):
            for target in (stmt.targets if isinstance(stmt, n.Assign) else (stmt.target,)):
                assigned.update(v.names_of(v.parse(target.code)))
        elif isinstance(stmt, n.OpaqueStmt) and ":=" in stmt.code:
            tree = v.parse(stmt.code)
            if tree is not None:
                other.update(node.target.id for node in ast.walk(tree)
                             if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name))
    return scalar_locals(fn, assigned) - other
