"""Shared lists and dicts: where Python's sharing would show, which the state machine cannot copy.

Takes a lowered function; gives (span, message) of each statement that changes a list or dict in place
while another name shares it and reads it afterwards. In Python `a = items` makes two names of one list,
and `items.append(1)` changes what `a` sees; the state machine's variables hold JSON values, each its
own copy, so `$a` keeps the old list. Sharing comes from `a = b` (and `a = b[k]`, `a = b.get(k)`,
conditional and `or`/`and` forms of those), from putting a name into a container (`[b]`, `{"k": b}`,
`c.append(b)`, `c[k] = b`) and from `for a in b`. A change in place is a mutating method call
(`append`, `update`, ...), an item assignment or deletion, or `+=` of a list, through the name or
through a subscript of it. The check is flow-insensitive about which names share (a rebinding does not
end the sharing) and ordered about the rest: the change must come after the sharing and the read after
the change, in source order or in the same loop. Names shared with an operation's arguments are copies
on both sides (they are serialized) and are not sharing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n
from durable_compile.source import Span

#: methods that change their list, dict or set in place
MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "sort",
                      "reverse", "popitem", "add", "discard"})
#: methods whose result may be (a part of) their object
SHARING_METHODS = frozenset({"get", "setdefault", "pop", "popitem"})
#: mutating methods that store their arguments in their object
STORING = frozenset({"append", "insert", "extend", "update", "setdefault", "add"})


@dataclass(frozen=True)
class Event:
    at: int  #: position in source order
    loops: frozenset[int]  #: the loops around it
    span: Span

    def after(self, other: Event) -> bool:
        """Whether this may run after `other` (later in order, or both in one loop)."""
        return self.at > other.at or bool(self.loops & other.loops)


@dataclass
class Facts:
    """What one function does with its names."""

    same: list[tuple[str, str, Event]] = field(default_factory=list)  #: two names of one object
    holds: list[tuple[str, str, Event]] = field(default_factory=list)  #: (container, a name's object it holds)
    changes: list[tuple[str, bool, Event]] = field(default_factory=list)  #: (name, deep, where) changed in place
    reads: dict[str, list[Event]] = field(default_factory=dict)  #: name -> where it is read


def shared_changes(fn: n.Function) -> list[tuple[Span, str]]:
    """The changes in place that another name sharing the object would see, in Python only."""
    facts = Facts()
    _Scanner(facts).body(fn.body, frozenset())
    found: dict[Span, str] = {}
    for name, deep, change in facts.changes:
        for other in sorted(_observers(facts, name, deep, change)):
            if any(read.after(change) and read.at != change.at for read in facts.reads.get(other, [])):
                found.setdefault(change.span, _message(name, other))
                break
    return sorted(found.items(), key=lambda item: (item[0].line, item[0].column))


def _observers(facts: Facts, name: str, deep: bool, change: Event) -> set[str]:
    """The other names that see a change of `name`'s object (`deep`: of an object inside it): the names of
    the same object, the containers holding it, and with `deep` what it holds (edges made before)."""
    same = [(a, b) for a, b, e in facts.same if change.after(e)]
    holds = [(c, v) for c, v, e in facts.holds if change.after(e)]
    group = _closure({name}, same)
    seen = set(group)
    todo = list(group)
    while todo:  # containers of containers
        held = todo.pop()
        for c, v in holds:
            if v == held and c not in seen:
                for member in _closure({c}, same) - seen:
                    seen.add(member)
                    todo.append(member)
    if deep:
        seen |= _closure({v for c, v in holds if c in group}, same)
    return seen - {name}


def _closure(names: set[str], same: list[tuple[str, str]]) -> set[str]:
    group = set(names)
    grew = True
    while grew:
        grew = False
        for a, b in same:
            if (a in group) != (b in group):
                group |= {a, b}
                grew = True
    return group


def _message(name: str, other: str) -> str:
    return (f"{name!r} is changed in place while {other!r} refers to the same list or dict and is read "
            f"afterwards: the state machine's variables hold copies, so {other!r} would keep the old value. "
            f"Copy where the two are tied (list(...), dict(...) or .copy()), or use one name")


class _Scanner:
    """Records shares, changes and reads of the statements of one function, in source order."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.position = 0
        self.loop_ids = 0

    def body(self, stmts: tuple[n.Stmt, ...], loops: frozenset[int]) -> None:
        for stmt in stmts:
            self.position += 1
            event = Event(self.position, loops, stmt.span)
            self.statement(stmt, event)
            inner = loops
            if isinstance(stmt, n.For | n.While):
                self.loop_ids += 1
                inner = loops | {self.loop_ids}
            for block in n.blocks(stmt):
                self.body(block, inner)

    def statement(self, stmt: n.Stmt, event: Event) -> None:
        for code in _codes(stmt):
            tree = _parse(code)
            if tree is not None:
                self.expression(tree, event)
        if isinstance(stmt, n.Assign):
            for target in stmt.targets:
                self.assignment(_parse(target.code), _parse(stmt.value.code), event)
        elif isinstance(stmt, n.Operation) and stmt.target is not None:
            self.assignment(_parse(stmt.target.code), None, event)
        elif isinstance(stmt, n.AugAssign):
            self.augmented(_parse(stmt.target.code), _parse(stmt.value.code), event)
        elif isinstance(stmt, n.For):
            for name in _names_of(_parse(stmt.target.code)):
                for root in _roots(_parse(stmt.iter.code)):
                    self.facts.holds.append((root, name, event))
        elif isinstance(stmt, n.OpaqueStmt):
            self.deletion(_parse(stmt.code), event)

    def expression(self, tree: ast.AST, event: Event) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.facts.reads.setdefault(node.id, []).append(event)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in MUTATORS:
                self.changed(node.func.value, event)
                root = _root(node.func.value)
                if root is not None and node.func.attr in STORING:
                    self.stored(root, node.args, event)

    def changed(self, obj: ast.expr, event: Event) -> None:
        """`obj` (a name, or a subscript or attribute of one) is changed in place."""
        root = _root(obj)
        if root is not None:
            self.facts.changes.append((root, not isinstance(obj, ast.Name), event))

    def stored(self, container: str, values: list[ast.expr], event: Event) -> None:
        for value in values:
            for root in (*_roots(value), *_held(value)):
                self.facts.holds.append((container, root, event))

    def assignment(self, target: ast.expr | None, value: ast.expr | None, event: Event) -> None:
        if target is None:
            return
        if isinstance(target, ast.Subscript | ast.Attribute):
            self.changed(target.value, event)
            root = _root(target)
            if root is not None and value is not None:
                self.stored(root, [value], event)
            return
        if value is None:
            return
        for name in _names_of(target):
            for root in _same(value):
                self.facts.same.append((name, root, event))
            for root in _parts(value):
                self.facts.holds.append((root, name, event))
            for root in _held(value):
                self.facts.holds.append((name, root, event))

    def augmented(self, target: ast.expr | None, value: ast.expr | None, event: Event) -> None:
        if isinstance(target, ast.Subscript | ast.Attribute):
            self.changed(target.value, event)
        elif isinstance(target, ast.Name) and isinstance(value, ast.List | ast.ListComp | ast.Dict):
            self.changed(target, event)  # `items += [...]` extends the list in place

    def deletion(self, tree: ast.expr | ast.stmt | None, event: Event) -> None:
        if isinstance(tree, ast.Delete):
            for target in tree.targets:
                if isinstance(target, ast.Subscript | ast.Attribute):
                    self.changed(target.value, event)


def _codes(stmt: n.Stmt) -> Iterator[str]:
    """The expressions of a statement, as code (operations: their target's subscripts only, since their
    arguments are serialized, copies on both sides)."""
    exprs: list[ir.Expr | None] = []
    if isinstance(stmt, n.Assign):
        exprs = [*stmt.targets, stmt.value]
    elif isinstance(stmt, n.AugAssign):
        exprs = [stmt.target, stmt.value]
    elif isinstance(stmt, n.ExprStmt | n.Return):
        exprs = [stmt.value]
    elif isinstance(stmt, n.If | n.While):
        exprs = [stmt.test]
    elif isinstance(stmt, n.For):
        exprs = [stmt.iter]
    elif isinstance(stmt, n.Raise):
        exprs = [stmt.exc, stmt.cause]
    elif isinstance(stmt, n.Operation):
        yield from _operation_codes(stmt)
    elif isinstance(stmt, n.OpaqueStmt):
        yield stmt.code
    for expr in exprs:
        if expr is not None:
            yield expr.code


def _operation_codes(op: n.Operation) -> Iterator[str]:
    """What an operation reads: its callables (a lambda's body reads the names it closes over) and
    operands."""
    for c in ([op.callee] if op.callee else []) + list(op.branches):
        yield c.code
    for kw in op.operands:
        yield kw.value.code


def _parse(code: str) -> ast.expr | None:
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        try:
            body = ast.parse(code.strip()).body
        except SyntaxError:
            return None
        return body[0] if len(body) == 1 else None  # type: ignore[return-value]
    return tree.body


def _root(node: ast.expr) -> str | None:
    """The name at the bottom of `a[k].b[j]`, if it is a name."""
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names_of(target: ast.expr | None) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _names_of(element)
    elif isinstance(target, ast.Starred):
        yield from _names_of(target.value)


def _roots(value: ast.expr | None) -> Iterator[str]:
    """Names whose object `value` is or is a part of."""
    yield from _same(value)
    yield from _parts(value)


def _same(value: ast.expr | None) -> Iterator[str]:
    """Names whose object `value` may be."""
    if isinstance(value, ast.Name):
        yield value.id
    elif isinstance(value, ast.IfExp):
        yield from _same(value.body)
        yield from _same(value.orelse)
    elif isinstance(value, ast.BoolOp):
        for operand in value.values:
            yield from _same(operand)
    elif isinstance(value, ast.NamedExpr):
        yield from _same(value.value)


def _parts(value: ast.expr | None) -> Iterator[str]:
    """Names whose object may hold `value` (`b[k]`, `b.get(k)`, `b.pop()`, conditional forms)."""
    if isinstance(value, ast.Subscript | ast.Attribute):
        root = _root(value)
        if root is not None:
            yield root
    elif isinstance(value, ast.IfExp):
        yield from _parts(value.body)
        yield from _parts(value.orelse)
    elif isinstance(value, ast.BoolOp):
        for operand in value.values:
            yield from _parts(operand)
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
            and value.func.attr in SHARING_METHODS | {"values", "items"}:
        yield from _roots(value.func.value)


def _held(value: ast.expr | None) -> Iterator[str]:
    """Names whose object a display `value` holds (`[b]`, `{"k": b}`, nested displays)."""
    if isinstance(value, ast.List | ast.Tuple | ast.Set):
        for element in value.elts:
            yield from _roots(element)
            yield from _held(element)
    elif isinstance(value, ast.Dict):
        for item in value.values:
            yield from _roots(item)
            yield from _held(item)
    elif isinstance(value, ast.Starred):
        yield from _roots(value.value)
