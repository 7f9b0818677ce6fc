"""Facts the ASL emitter reads off the module and its IR: function defs, constants, locals, and the
state-table helpers (task states, transition targets, the order states are written in)."""

from __future__ import annotations

import ast
import functools
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from durable_compile.backends.asl.emit_match import capture_names
from durable_compile.backends.asl.emit_support import LAMBDA_INVOKE, STEPS_ARN, jsonata_name, target_names
from durable_compile.backends.asl.jsonata import Lit
from durable_compile.backends.asl.translate import Typed
from durable_compile.ir import exprs as ir
from durable_compile.ir import nodes as n


def task_state(key: str, reads: list[str] | tuple[str, ...], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"op": key, **(extra or {})}
    if reads:
        payload["vars"] = {r: f"{{% ${jsonata_name(r)} %}}" for r in reads}
    return {"Type": "Task", "Resource": LAMBDA_INVOKE, "Arguments": {"FunctionName": STEPS_ARN, "Payload": payload}}


def function_defs(source_text: str) -> dict[str, list[ast.FunctionDef]]:
    """Every `def` of the module by name (nested ones too): read, never run."""
    try:
        tree = ast.parse(source_text)
    except SyntaxError:
        return {}
    found: dict[str, list[ast.FunctionDef]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            found.setdefault(node.name, []).append(node)
    return found


class Functions:
    """Facts about the module's functions by simple name, each def parsed once on first use: from the
    texts the front end gives (`sources`), else from one parse of the whole module."""

    def __init__(self, source_text: str, sources: Callable[[str], list[str]] | None = None) -> None:
        self.source_text = source_text
        self.sources = sources
        self._all: dict[str, list[ast.FunctionDef]] | None = None
        self._attempt: dict[str, bool] = {}
        self._parsed: dict[str, list[ast.stmt]] = {}  #: the defs of a name, parsed from the front end's texts

    def defs(self, name: str) -> list[ast.stmt]:
        if self.sources is None:
            if self._all is None:
                self._all = function_defs(self.source_text)
            return list(self._all.get(name, ()))
        if name in self._parsed:
            return list(self._parsed[name])
        found: list[ast.stmt] = self._parsed.setdefault(name, [])
        for text in self.sources(name):
            try:
                found.extend(ast.parse(textwrap.dedent(text)).body)
            except SyntaxError:
                continue
        return list(found)

    def reads_attempt(self, name: str) -> bool:
        """Whether a def of that name reads `.attempt` (a step body that needs its attempt number)."""
        if name not in self._attempt:
            self._attempt[name] = any(isinstance(node, ast.Attribute) and node.attr == "attempt"
                                      for fn in self.defs(name) for node in ast.walk(fn))
        return self._attempt[name]


def loaded_names(lines: list[str]) -> set[str]:
    """The names Python code reads (augmented-assignment targets included)."""
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    found = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign | ast.Subscript | ast.Attribute):
            target = node.target if isinstance(node, ast.AugAssign) else node.value
            found.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return found


@dataclass(frozen=True)
class ModuleTop:
    """What the module binds at its top level, from one parse: every bound name (imports, assignments,
    defs, classes), and for the names that are classes or modules their dotted origin (a class defined
    here has origin `None`: the module's import name is known only to the caller)."""

    bound: frozenset[str]
    origins: Mapping[str, str | None]


@functools.lru_cache(maxsize=8)
def module_top(source_text: str) -> ModuleTop:
    try:
        tree = ast.parse(source_text)
    except SyntaxError:
        return ModuleTop(frozenset(), MappingProxyType({}))
    bound: set[str] = set()
    origins: dict[str, str | None] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in stmt.names)
            origins.update(_import_origins(stmt))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(stmt.name)
            if isinstance(stmt, ast.ClassDef):
                origins[stmt.name] = None
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            bound.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return ModuleTop(frozenset(bound), MappingProxyType(origins))


def _import_origins(stmt: ast.Import | ast.ImportFrom) -> dict[str, str]:
    if isinstance(stmt, ast.ImportFrom):
        if not stmt.module or stmt.level:  # relative imports: where they lead is not known here
            return {}
        return {a.asname or a.name: f"{stmt.module}.{a.name}" for a in stmt.names}
    return {a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in stmt.names}


def module_names(source_text: str) -> frozenset[str]:
    """The names the module binds at its top level (imports, assignments, defs, classes)."""
    return module_top(source_text).bound


def module_constants(source_text: str, local_names: set[str]) -> dict[str, Typed]:
    """Module-level `NAME = <literal>` (numbers, strings, booleans, None) that no local shadows, read
    from the source (the front end gives the same facts without a second parse: `discover.module_literals`)."""
    try:
        tree = ast.parse(source_text)
    except SyntaxError:
        return {}
    literals: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and type(node.value.value) in _KINDS:
            literals[node.targets[0].id] = node.value.value
    return typed_constants(literals, local_names)


def typed_constants(literals: Mapping[str, object], local_names: set[str]) -> dict[str, Typed]:
    """The module literals JSON can hold (numbers, strings, booleans, None) that no local shadows."""
    return {name: Typed(Lit(value), _KINDS[type(value)])  # type: ignore[arg-type]
            for name, value in literals.items() if type(value) in _KINDS and name not in local_names}


_KINDS = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}


def bound_names(stmt: n.Stmt) -> list[str]:
    """The local names one statement binds (assignment and loop targets, results, `except ... as`, case
    patterns)."""
    targets: list[ir.Expr] = []
    if isinstance(stmt, n.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, n.AugAssign | n.For):
        targets = [stmt.target]
    elif isinstance(stmt, n.Operation | n.HelperCall) and stmt.target is not None:
        targets = [stmt.target]
    elif isinstance(stmt, n.Try):
        return [h.name for h in stmt.handlers if h.name]
    elif isinstance(stmt, n.Match):
        return capture_names(stmt)
    return [name for t in targets for name in target_names(t) or []]


def collect_locals(fn: n.Function) -> set[str]:
    found = set(fn.params)
    for stmt in n.walk(fn.body):
        found.update(bound_names(stmt))
    found.discard(fn.context or "")
    return found


def _targets(state: dict[str, Any]) -> list[str]:
    return [t for t in (state.get("Next"), state.get("Default"), *(r["Next"] for r in state.get("Choices", ())),
                        *(c["Next"] for c in state.get("Catch", ()))) if t]


def ordered(states: dict[str, dict[str, Any]], start: str) -> dict[str, dict[str, Any]]:
    """States in depth-first order from StartAt, so the document reads top to bottom."""
    seen: dict[str, None] = {}  # insertion-ordered set
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen[name] = None
        state = states[name]
        targets = [state.get("Next"), state.get("Default"), *(r["Next"] for r in state.get("Choices", ())),
                   *(c["Next"] for c in state.get("Catch", ()))]
        todo.extend(reversed([t for t in targets if t]))
    return {name: states[name] for name in seen}
