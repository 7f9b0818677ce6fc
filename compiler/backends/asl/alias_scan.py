"""Reads a lowered handler for the aliasing check (aliasing.py): its shares, changes and reads, in order.

Takes a handler's `n.Function`; fills `Facts` with names as versions: `a` before any binding, `a@L:C`
from the statement at line L, column C that binds it. Straight-line code has one version of a name at a
time (so `a = []` after `a = items` ends the sharing); after an `if`/`match` a name may be any branch's
version; in a loop, and in a `try`'s handlers, `else` and `finally`, any version bound in the statement
may reach a read. Child contexts and functions that receive the context are read where they run (their
own names renamed `<qualname>#<k>.<name>`, a parameter given a caller's variable it never assigns
being that variable, as the emitter makes it); `parallel` branches and `map` functions run repeatedly in
scopes of their own, so the names they capture are copies there (renamed, tied to the handler's).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from durable_compile.backends.asl import alias_values as v
from durable_compile.backends.asl.aliasing import Event, Facts
from durable_compile.backends.asl.emit_match import capture_names
from durable_compile.ir import nodes as n
from durable_compile.source import Span

if TYPE_CHECKING:
    from durable_compile.backends.asl.alias_calls import Calls

Env = dict[str, frozenset[str]]
#: the classes whose methods `list.append(a, x)` calls unbound
_TYPES = frozenset({"list", "dict", "set"})
#: the statements that hold no others
_SIMPLE = (n.Assign, n.AugAssign, n.ExprStmt, n.Return, n.Raise, n.Operation, n.HelperCall, n.Break, n.Continue,
           n.Pass, n.LocalDef, n.OpaqueStmt)


@dataclass
class Value:
    """What a value shares with the scanned names (versions): see alias_values."""

    same: set[str] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)
    elements: set[str] = field(default_factory=set)


class Scanner:
    """Records shares, changes and reads of a handler's statements, in source order."""

    def __init__(self, facts: Facts, calls: Calls) -> None:
        self.facts = facts
        self.calls = calls
        self.position = 0
        self.loop_ids = 0
        self.branch_ids = 0
        self.arms: frozenset[tuple[int, int]] = frozenset()  #: the branches the statement being read is in
        self.inlined = 0
        self.env: Env = {}  #: scanned name -> its versions here
        self.renames: dict[str, str] = {}  #: a name of the function being read -> its scanned name
        self.scope = ""  #: the qualname of the function being read
        self.chain: tuple[str, ...] = ()  #: the functions being read, outermost first
        self.nested: set[str] = set()  #: the names of the nested defs seen so far
        #: what an inlined function's `return` statements give (tied to its call's target where it ends)
        self.returns: list[list[Value]] = []
        self.guarded_elsewhere: set[str] = set()  #: names whose changes in place the emitter refuses itself
        self.scalars: set[str] = set()  #: scanned names that never hold a list or dict (`x += v` rebinds them)
        #: the inlined calls being read, innermost last: (their locals' prefix, the loops around the call)
        self.calls_in: list[tuple[str, frozenset[int]]] = []

    def function(self, fn: n.Function) -> None:
        self.scope = fn.qualname
        self.chain = (fn.qualname,)
        self.body(fn.body, frozenset())

    # --- names -------------------------------------------------------------------------------------
    def name(self, local: str) -> str:
        return self.renames.get(local, local)

    def ref(self, local: str) -> frozenset[str]:
        name = self.name(local)
        return self.env.get(name, frozenset({name}))

    def refs(self, locals_: Iterable[str]) -> set[str]:
        return {version for local in locals_ for version in self.ref(local)}

    def version(self, local: str, span: Span) -> str:
        return f"{self.name(local)}@{span.line}:{span.column}"

    def bind(self, local: str, span: Span) -> str:
        version = self.version(local, span)
        self.env[self.name(local)] = frozenset({version})
        return version

    # --- statements --------------------------------------------------------------------------------
    def body(self, stmts: tuple[n.Stmt, ...], loops: frozenset[int]) -> None:
        for stmt in stmts:
            self.position += 1
            event = Event(self.position, loops, stmt.span, self.arms)
            if isinstance(stmt, n.If):
                self.expression(v.parse(stmt.test.code), event)
                self.either([stmt.body, stmt.orelse], loops)
            elif isinstance(stmt, n.For | n.While):
                self.loop(stmt, event, loops)
            elif isinstance(stmt, n.Match):
                self.match(stmt, event, loops)
            elif isinstance(stmt, _SIMPLE):
                if isinstance(stmt, n.LocalDef):
                    self.nested.add(stmt.qualname.rpartition(".")[2])
                self.simple(stmt, event)
            elif isinstance(stmt, n.With | n.Desugared):  # straight on
                self.simple(stmt, event)
                for block in n.blocks(stmt):
                    self.body(block, loops)
            else:  # a `try`, or a compound statement read conservatively
                self.guarded(stmt, loops)

    def either(self, blocks: list[tuple[n.Stmt, ...]], loops: frozenset[int]) -> None:
        """Blocks of which one runs: a name may be bound by any of them afterwards."""
        start, ends, outer = self.env, [], self.arms
        self.branch_ids += 1
        for arm, block in enumerate(blocks):
            self.env, self.arms = dict(start), outer | {(self.branch_ids, arm)}
            self.body(block, loops)
            ends.append(self.env)
        self.env, self.arms = _merge(ends), outer

    def loop(self, stmt: n.For | n.While, event: Event, loops: frozenset[int]) -> None:
        items = Value()
        if isinstance(stmt, n.For):
            iterated = v.parse(stmt.iter.code)
            self.expression(iterated, event)
            items = self.value(iterated)
        self.loop_ids += 1
        inner = Event(event.at, loops | {self.loop_ids}, event.span, event.arms)
        head = self.reaching(stmt)
        self.env = dict(head)
        if isinstance(stmt, n.For):
            for local in v.names_of(v.parse(stmt.target.code)):
                version = self.bind(local, stmt.span)  # an item of the iterable (or one of a display's names)
                self.link(version, Value(same=items.held, parts=items.same | items.parts | items.elements), inner)
        else:
            self.expression(v.parse(stmt.test.code), inner)
        self.body(stmt.body, inner.loops)
        self.env = dict(head)
        self.body(stmt.orelse, loops)
        self.env = _merge([head, self.env])

    def match(self, stmt: n.Match, event: Event, loops: frozenset[int]) -> None:
        subject = self.value(v.parse(stmt.subject.code))
        self.expression(v.parse(stmt.subject.code), event)
        start, ends, outer = self.env, [dict(self.env)], self.arms
        self.branch_ids += 1
        for arm, case in enumerate(stmt.cases):
            self.env, self.arms = dict(start), outer | {(self.branch_ids, arm)}
            for local in capture_names(n.Match(stmt.span, stmt.subject, (case,))):
                self.link(self.bind(local, case.span), Value(same=subject.same | subject.parts | subject.held
                                                             | subject.elements), event)
            if case.guard is not None:
                self.expression(v.parse(case.guard.code), event)
            self.body(case.body, loops)
            ends.append(self.env)
        self.env, self.arms = _merge(ends), outer

    def guarded(self, stmt: n.Stmt, loops: frozenset[int]) -> None:
        """A `try` (or a compound statement read conservatively): its body runs from the start, every other
        block may start after any binding in the statement."""
        every = self.reaching(stmt)
        for index, block in enumerate(n.blocks(stmt)):
            if index:
                self.env = dict(every)
            self.body(block, loops)
        self.env = _merge([every, self.env])

    def reaching(self, stmt: n.Stmt) -> Env:
        """The versions before `stmt` and every version a binding inside it makes."""
        found = {name: set(versions) for name, versions in self.env.items()}
        for local, span in _bindings(stmt):
            name = self.name(local)
            found.setdefault(name, {name}).add(self.version(local, span))
        return {name: frozenset(versions) for name, versions in found.items()}

    def simple(self, stmt: n.Stmt, event: Event) -> None:
        if isinstance(stmt, n.Assign):
            value = v.parse(stmt.value.code)
            self.expression(value, event)
            shared = self.value(value)
            for target in stmt.targets:
                tree = v.parse(target.code)
                if isinstance(tree, ast.Subscript | ast.Attribute):
                    self.expression(tree, event)
                self.assignment(tree, value, shared, event, stmt.span)
        elif isinstance(stmt, n.AugAssign):
            target, value = v.parse(stmt.target.code), v.parse(stmt.value.code)
            self.expression(target, event)
            self.expression(value, event)
            self.augmented(target, stmt.op, value, event)
        elif isinstance(stmt, n.Return) and self.returns and stmt.value is not None:
            value = v.parse(stmt.value.code)
            self.expression(value, event)
            self.returns[-1].append(self.value(value))
        elif isinstance(stmt, n.Operation):
            from durable_compile.backends.asl.alias_regions import operation
            operation(self, stmt, event)
        elif isinstance(stmt, n.HelperCall):
            from durable_compile.backends.asl.alias_regions import helper_call
            helper_call(self, stmt, event)
        else:
            for code in _codes(stmt):
                self.expression(v.parse(code), event)
            if isinstance(stmt, n.OpaqueStmt):
                self.deletion(v.parse(stmt.code), event)

    # --- expressions -------------------------------------------------------------------------------
    def expression(self, tree: ast.AST | None, event: Event, calls: bool = True) -> None:
        """Reads, and changes in place by methods and calls (`calls`: of the module's functions too)."""
        if tree is None:
            return
        params: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                for version in self.ref(node.id):
                    self.facts.reads.setdefault(version, []).append(event)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in v.MUTATORS:
                owner, args = node.func.value, node.args
                if isinstance(owner, ast.Name) and owner.id in _TYPES and args:  # `list.append(a, x)`
                    owner, args = args[0], args[1:]
                self.changed(owner, event)
                if node.func.attr in v.STORING:
                    self.stored(owner, args, event)
                elif node.func.attr in v.SPREADING:
                    self.stored(owner, args, event, spread=True)
            elif isinstance(node, ast.Call) and calls:
                self.called(node, event)
            elif isinstance(node, ast.NamedExpr | ast.comprehension | ast.Lambda):
                params |= self.inner(node, event)
        if params:  # a lambda's parameter may be an item of anything the expression reads
            read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - params
            for version in sorted(self.refs(params)):
                self.link(version, Value(parts=self.refs(read)), event)

    def inner(self, node: ast.NamedExpr | ast.comprehension | ast.Lambda, event: Event) -> set[str]:
        """Names an expression binds for itself, tied to their current versions (conservatively: those
        keep the ties): a walrus target is its value, a comprehension's variable an item of what it
        iterates; gives a lambda's parameters."""
        if isinstance(node, ast.Lambda):
            args = node.args
            return {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        if isinstance(node, ast.NamedExpr):
            shared = self.value(node.value)
        else:
            items = self.value(node.iter)
            shared = Value(same=items.held, parts=items.same | items.parts | items.elements)
        for version in sorted(self.refs(v.names_of(node.target))):
            self.link(version, shared, event)
        return set()

    def called(self, call: ast.Call, event: Event) -> None:
        """A call of a function that may change its arguments (alias_calls reads the module's defs)."""
        if isinstance(call.func, ast.Name) and call.func.id in self.nested:  # changing what it captures
            for free, deep in self.calls.captured(call.func.id):
                self.changed(ast.Name(free, ast.Load()), event, deep)
        effect = self.calls.effect(call)
        if effect is None:
            return
        for arg, deep in effect.changed:
            if v.root(arg) is not None:
                self.changed(arg, event, deep)
            elif deep:  # a copy given: the objects inside it are the original's
                for local in (*v.elements(arg), *v.held(arg)):
                    self.changed(ast.Name(local, ast.Load()), event, True)
        for container, value in effect.stored:
            self.stored(container, [value], event)

    def value(self, tree: ast.expr | None) -> Value:
        returned = self.calls.returned(tree)
        return Value(self.refs([*v.same(tree), *returned]), self.refs(v.parts(tree)), self.refs(v.held(tree)),
                     self.refs(v.elements(tree)))

    def link(self, version: str, shared: Value, event: Event) -> None:
        """`version` is bound to a value sharing `shared`."""
        self.facts.same += [(version, other, event) for other in sorted(shared.same)]
        self.facts.holds += [(other, version, event) for other in sorted(shared.parts)]
        self.facts.holds += [(version, other, event) for other in sorted(shared.held)]
        self.facts.peers += [(version, other, event) for other in sorted(shared.elements)]

    def changed(self, obj: ast.expr, event: Event, deep: bool = False) -> None:
        """`obj` (a name, or a subscript or attribute of one) is changed in place."""
        root = v.root(obj)
        if root is not None and self.name(root) not in self.guarded_elsewhere:
            deep = deep or not isinstance(obj, ast.Name)
            self.facts.changes += [(version, deep, self.per_call(version, deep, event))
                                   for version in sorted(self.ref(root))]

    def per_call(self, version: str, deep: bool, event: Event) -> Event:
        """A call's own local bound to a new object (no other name shares it) is a new object at each
        call: changing it in a later run of the loops around the call cannot change what an earlier run
        gave away, so the change repeats only with the loops inside the call."""
        if deep or not self.calls_in or not version.startswith(self.calls_in[-1][0]) \
                or any(version in (a, b) for a, b, _ in self.facts.same):
            return event
        return Event(event.at, event.loops - self.calls_in[-1][1], event.span)

    def stored(self, container: ast.expr, values: list[ast.expr], event: Event, spread: bool = False) -> None:
        """`values` are put into `container` (`spread`: their items are)."""
        root = v.root(container)
        if root is None:
            return
        for tree in values:
            shared = self.value(tree)
            if spread:
                shared = Value(held=shared.held, elements=shared.same | shared.parts | shared.elements)
            else:
                shared = Value(held=shared.same | shared.parts | shared.held, elements=shared.elements)
            for version in sorted(self.ref(root)):
                self.link(version, shared, event)

    def assignment(self, target: ast.expr | None, value: ast.expr | None, shared: Value, event: Event,
                   span: Span) -> None:
        if isinstance(target, ast.Subscript | ast.Attribute):
            self.changed(target.value, event)
            if value is not None:
                self.stored(target.value, [value], event)
            return
        for local in v.names_of(target):
            self.link(self.bind(local, span), shared, event)

    def augmented(self, target: ast.expr | None, op: str | None, value: ast.expr | None, event: Event) -> None:
        """`target op= value`: `+=`, `*=` and `|=` change a list or dict in place (`items += extra` extends the
        list every name of it sees), unless the target never holds one (a scalar local) or the value is a
        number (which a list or dict would refuse)."""
        if isinstance(target, ast.Subscript | ast.Attribute):
            self.changed(target.value, event)
            if _in_place(op, value):  # `d["k"] += [row]`: row is now in d
                self.stored(target.value, [value], event, spread=True)  # type: ignore[list-item]
        elif isinstance(target, ast.Name) and _in_place(op, value) and self.name(target.id) not in self.scalars:
            self.changed(target, event)
            if op != "*":
                self.stored(target, [value], event, spread=True)  # type: ignore[list-item]

    def deletion(self, tree: ast.expr | ast.stmt | None, event: Event) -> None:
        if isinstance(tree, ast.Delete):
            for target in tree.targets:
                if isinstance(target, ast.Subscript | ast.Attribute):
                    self.changed(target.value, event)


def _in_place(op: str | None, value: ast.expr | None) -> bool:
    """Whether `x op= value` may change a list or dict `x` in place."""
    number = isinstance(value, ast.Constant) and isinstance(value.value, int | float)
    return op == "*" or (op in ("+", "|") and not number)


def _merge(envs: list[Env]) -> Env:
    names = {name for env in envs for name in env}
    return {name: frozenset().union(*(env.get(name, frozenset({name})) for env in envs)) for name in names}


def _bindings(stmt: n.Stmt) -> Iterator[tuple[str, Span]]:
    """The names `stmt` and the statements inside it bind, where the scanner binds them."""
    if isinstance(stmt, n.Assign):
        for target in stmt.targets:
            yield from ((local, stmt.span) for local in v.names_of(v.parse(target.code)))
    elif isinstance(stmt, n.For):
        yield from ((local, stmt.span) for local in v.names_of(v.parse(stmt.target.code)))
    elif isinstance(stmt, n.Operation | n.HelperCall) and stmt.target is not None:
        yield from ((local, stmt.span) for local in v.names_of(v.parse(stmt.target.code)))
    elif isinstance(stmt, n.Match):
        for case in stmt.cases:
            yield from ((local, case.span) for local in capture_names(n.Match(stmt.span, stmt.subject, (case,))))
    for block in n.blocks(stmt):
        for inner in block:
            yield from _bindings(inner)


def _codes(stmt: n.Stmt) -> Iterator[str]:
    """The expressions a simple statement evaluates, as code."""
    if isinstance(stmt, n.ExprStmt | n.Return) and stmt.value is not None:
        yield stmt.value.code
    elif isinstance(stmt, n.Raise):
        yield from (e.code for e in (stmt.exc, stmt.cause) if e is not None)
    elif isinstance(stmt, n.With):
        yield from (e.code for e in stmt.items)
    elif isinstance(stmt, n.OpaqueStmt):
        yield stmt.code

