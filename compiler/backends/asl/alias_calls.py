"""Calls that change their arguments in place, for the aliasing check (aliasing.py): read, never run.

Takes the module's text and its defs by name; gives, for a call in the handler, which arguments it may
change in place (deep: an object inside them) and store into another, and which arguments its result
may share. A function of the module is summarized from its body (the same facts as the handler's,
read flow-insensitively: any binding may reach any use; functions it calls are followed, a recursive
one may do anything). A function imported from outside the standard library, or called with `*args`
or `**kwargs`, may do anything to its arguments; standard-library functions that change an argument
(`random.shuffle`, `heapq.heappush`, `bisect.insort`) are listed; any other call changes nothing.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from durable_compile.backends.asl import alias_values as v
from durable_compile.backends.asl.alias_scan import Scanner, Value
from durable_compile.backends.asl.aliasing import Event, Facts, names_of_object, observers
from durable_compile.source import Span

#: (module, function) of the standard library -> (the argument it changes, the argument it stores there)
STDLIB: dict[tuple[str, str], tuple[int, int | None]] = {
    ("random", "shuffle"): (0, None), ("heapq", "heapify"): (0, None), ("heapq", "heappop"): (0, None),
    ("heapq", "heappush"): (0, 1), ("heapq", "heappushpop"): (0, 1), ("heapq", "heapreplace"): (0, 1),
    ("bisect", "insort"): (0, 1), ("bisect", "insort_left"): (0, 1), ("bisect", "insort_right"): (0, 1),
    ("operator", "setitem"): (0, 2), ("operator", "delitem"): (0, None), ("operator", "iadd"): (0, 1),
}
#: the packages whose functions never change a handler's lists (the durable SDK's)
TRUSTED = frozenset({"aws_durable_execution_sdk_python", "durable_runtime"})
RETURN = "<return>"
_IMPORT = re.compile(r"\s*(from\s+[\w.]+\s+)?import\s")
_AUGMENTED: dict[type, str] = {ast.Add: "+", ast.Mult: "*", ast.BitOr: "|"}  #: the operators alias_scan reads
_NOWHERE = Event(0, frozenset({0}), Span(1, 1, 1, 1))  #: a flow-insensitive read: everything after everything


@dataclass(frozen=True)
class Summary:
    """What a function does to its parameters."""

    params: tuple[str, ...] = ()
    changed: tuple[tuple[str, bool], ...] = ()  #: (parameter, deep) changed in place
    stored: tuple[tuple[str, str], ...] = ()  #: (container parameter, parameter whose object it keeps)
    returned: frozenset[str] = frozenset()  #: parameters whose object the result may share
    unknown: bool = False  #: may do anything to every argument


ANYTHING = Summary(unknown=True)


@dataclass
class Effect:
    """What one call does to its argument expressions."""

    changed: list[tuple[ast.expr, bool]] = field(default_factory=list)  #: (argument, deep)
    stored: list[tuple[ast.expr, ast.expr]] = field(default_factory=list)  #: (container, value)
    returned: list[ast.expr] = field(default_factory=list)  #: arguments the result may share


class Calls:
    """The module's functions, summarized on first use."""

    def __init__(self, source_text: str = "", defs: Callable[[str], list[ast.stmt]] | None = None) -> None:
        self.source_text = source_text
        self._tree: ast.Module | None = None
        self.defs = defs or self._defs
        self.foreign, self.stdlib = _imports(source_text)
        self.summaries: dict[str, Summary | None] = {}
        self.closures: dict[str, list[tuple[str, bool]]] = {}

    def effect(self, call: ast.AST | None) -> Effect | None:
        if not isinstance(call, ast.Call):
            return None
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.value.id in self.foreign:
                return _bound(ANYTHING, call)
            return _listed(STDLIB.get((self.stdlib.get(func.value.id, ""), func.attr)), call)
        if not isinstance(func, ast.Name):
            return None
        if func.id in self.stdlib and "." in self.stdlib[func.id]:
            return _listed(STDLIB.get(tuple(self.stdlib[func.id].rsplit(".", 1))), call)  # type: ignore[arg-type]
        summary = self.summary(func.id)
        return None if summary is None else _bound(summary, call)

    def returned(self, tree: ast.expr | None) -> list[str]:
        """The names a call's result may share (a function of the module returning its argument)."""
        effect = self.effect(tree)
        if effect is None:
            return []
        return [name for arg in effect.returned for name in (*v.roots(arg), *v.held(arg), *v.elements(arg))]

    def summary(self, name: str) -> Summary | None:
        if name in self.foreign:
            return ANYTHING
        if name in self.summaries:
            found = self.summaries[name]
            return ANYTHING if found is ANYTHING_PENDING else found
        defs = [d for d in self.defs(name) if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)]
        if not defs:
            return None
        self.summaries[name] = ANYTHING_PENDING  # a recursive call may do anything
        summaries = [self._summarize(d) for d in defs]
        found = summaries[0] if len(summaries) == 1 else ANYTHING  # which def runs is not known here
        self.summaries[name] = found
        return found

    def _summarize(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Summary:
        args = fn.args
        if args.vararg or args.kwarg:
            return ANYTHING
        params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        facts = Facts()
        _flat_scan(facts, self, fn)
        changed = _changed(facts, params)
        stored = tuple((container, param) for param in params
                       for container in sorted(observers(facts, param, False, _NOWHERE) & set(params)))
        returned = frozenset(p for p in params if RETURN in observers(facts, p, True, _NOWHERE))
        return Summary(params, tuple(sorted(changed.items())), stored, returned)

    def captured(self, name: str) -> list[tuple[str, bool]]:
        """What a nested def of the handler (`name`, called by name) changes in place among the names it
        captures (the steps function gives those back to the caller's variables of the same names)."""
        if name not in self.closures:
            defs = [d for d in self.defs(name) if isinstance(d, ast.FunctionDef | ast.AsyncFunctionDef)]
            self.closures[name] = sorted({found for d in defs for found in self.captured_changes(d)})
        return self.closures[name]

    def captured_changes(self, fn: ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[str, bool]]:
        """The names a closure captures and changes in place (deep: an object inside them)."""
        args = fn.args
        params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg) if a}
        bound = {node.id for node in ast.walk(fn) if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)}
        free = {node.id for node in ast.walk(fn) if isinstance(node, ast.Name)} - params - bound
        facts = Facts()
        _flat_scan(facts, self, fn)
        return sorted(_changed(facts, tuple(sorted(free))).items())

    def _defs(self, name: str) -> list[ast.stmt]:
        if f"def {name}" not in self.source_text:
            return []
        if self._tree is None:
            try:
                self._tree = ast.parse(self.source_text)
            except SyntaxError:
                self._tree = ast.Module([], [])
        return [node for node in ast.walk(self._tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name]


ANYTHING_PENDING = Summary(unknown=True, params=("<pending>",))


def _changed(facts: Facts, names: tuple[str, ...]) -> dict[str, bool]:
    """Which of `names` the facts' changes reach -> whether deep (an object inside it) only."""
    changed: dict[str, bool] = {}
    for name, deep, event in facts.changes:
        seen = observers(facts, name, deep, event) | {name}
        itself = set() if deep else names_of_object(facts, name)
        for other in names:
            if other in seen:
                changed[other] = changed.get(other, False) or other not in itself
    return changed


def _bound(summary: Summary, call: ast.Call) -> Effect:
    """The summary's effect on this call's argument expressions."""
    given = [a for a in call.args if not isinstance(a, ast.Starred)]
    if summary.unknown or len(given) < len(call.args) or any(kw.arg is None for kw in call.keywords):
        every = [*call.args, *(kw.value for kw in call.keywords)]
        every = [a.value if isinstance(a, ast.Starred) else a for a in every]
        return Effect([(a, True) for a in every], [(a, b) for a in every for b in every if a is not b], every)
    arguments = dict(zip(summary.params, given, strict=False))
    arguments.update({kw.arg: kw.value for kw in call.keywords if kw.arg is not None})
    return Effect([(arguments[p], deep) for p, deep in summary.changed if p in arguments],
                  [(arguments[c], arguments[p]) for c, p in summary.stored if c in arguments and p in arguments],
                  [arguments[p] for p in sorted(summary.returned) if p in arguments])


def _listed(entry: tuple[int, int | None] | None, call: ast.Call) -> Effect | None:
    if entry is None:
        return None
    changed, stored = entry
    if len(call.args) <= changed:
        return None
    effect = Effect([(call.args[changed], False)])
    if stored is not None and len(call.args) > stored:
        effect.stored.append((call.args[changed], call.args[stored]))
    return effect


def _imports(source_text: str) -> tuple[set[str], dict[str, str]]:
    """Names bound by imports from outside the standard library (functions and modules), and names of
    the standard library's modules and functions -> `module` or `module.function`."""
    foreign: set[str] = set()
    stdlib: dict[str, str] = {}
    for node in _import_statements(source_text):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                name = alias.asname or top
                if top in sys.stdlib_module_names:
                    stdlib[name] = alias.name if alias.asname else top
                elif top not in TRUSTED:
                    foreign.add(name)
        elif isinstance(node, ast.ImportFrom):
            top = (node.module or "").split(".")[0]
            for alias in node.names:
                name = alias.asname or alias.name
                if node.level == 0 and top in sys.stdlib_module_names:
                    stdlib[name] = f"{node.module}.{alias.name}"
                elif node.level or top not in TRUSTED:
                    foreign.add(name)
    return foreign, stdlib


def _import_statements(source_text: str) -> Iterator[ast.stmt]:
    """The module's import statements, wherever they are (found by their lines, without parsing the
    whole module again)."""
    lines = source_text.splitlines()
    for index, line in enumerate(lines):
        if not _IMPORT.match(line):
            continue
        text = line.strip()
        end = index
        while (text.count("(") > text.count(")") or text.endswith("\\")) and end + 1 < len(lines):
            end += 1
            text = text.rstrip("\\") + " " + lines[end].strip()
        try:
            yield from ast.parse(text).body
        except SyntaxError:
            continue


class _Flat(Scanner):
    """Names without versions: one object per name, whatever binds it."""

    def ref(self, local: str) -> frozenset[str]:
        return frozenset({local})

    def bind(self, local: str, span: Span) -> str:
        return local


def _flat_scan(facts: Facts, calls: Calls, fn: ast.AST) -> None:
    """The facts of a function's body, every statement at one flow-insensitive event."""
    scanner = _Flat(facts, calls)
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            shared = scanner.value(node.value)
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                scanner.assignment(target, node.value, shared, _NOWHERE, _NOWHERE.span)
        elif isinstance(node, ast.AugAssign):
            scanner.augmented(node.target, _AUGMENTED.get(type(node.op)), node.value, _NOWHERE)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            items = scanner.value(node.iter)
            for local in v.names_of(node.target):
                scanner.link(local, Value(same=items.held, parts=items.same | items.parts | items.elements),
                             _NOWHERE)
        elif isinstance(node, ast.Return) and node.value is not None:
            scanner.link(RETURN, scanner.value(node.value), _NOWHERE)
        elif isinstance(node, ast.Delete):
            scanner.deletion(node, _NOWHERE)
    scanner.expression(fn, _NOWHERE)
