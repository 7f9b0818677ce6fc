"""Summaries: what a helper does, transitively, so orchestration call sites can be reported with a chain.

Takes project modules; gives, for one def, at most one `Effect` per code: the banned API it (or a helper
it calls, in the same file or in another project module) uses, with the chain of hops that leads there
("now_label() -> datetime.datetime.utcnow"). Recursion is cut at cycles; the config's `deterministic`
helpers have no effects, its `nondeterministic` ones count as banned APIs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from durable_compile.analyze import apis
from durable_compile.analyze.index import Function
from durable_compile.analyze.names import Role
from durable_compile.analyze.positions import span_of
from durable_compile.analyze.project import Module, Project
from durable_compile.analyze.tables import TRANSITIVE_CODES
from durable_compile.analyze.walk import walk
from durable_compile.source import Span

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Hop:
    label: str  #: "now_label()" or the API
    path: str
    span: Span


@dataclass(frozen=True)
class Effect:
    code: str  #: the rule's code
    api: str  #: the banned API at the end of the chain
    chain: tuple[Hop, ...]  #: from the first helper called down to the API use

    def via(self) -> str:
        return " -> ".join(h.label for h in self.chain)


@dataclass
class Settings:
    """The parts of the configuration that change what is reported (part of the cache key)."""

    allow_env: frozenset[str] = frozenset()
    deterministic: frozenset[str] = frozenset()
    nondeterministic: dict[str, str] = field(default_factory=dict)  #: qualified helper -> code


class Summaries:
    """Memoised effects of project defs."""

    def __init__(self, project: Project, settings: Settings) -> None:
        self.project = project
        self.settings = settings
        self.memo: dict[tuple[str, str], tuple[Effect, ...]] = {}
        self.active: set[tuple[str, str]] = set()

    def callee(self, call: ast.Call, module: Module, scope: str | None) -> tuple[Module, Function, str] | None:
        """The plain project def a call reaches (local or in another project module). Steps, child
        functions and helpers that take a context are regions of their own, checked where they are."""
        found = self._callee(call, module, scope)
        if found is None or found[1].role is not Role.PLAIN or found[1].context_param is not None:
            return None
        return found

    def _callee(self, call: ast.Call, module: Module, scope: str | None) -> tuple[Module, Function, str] | None:
        func = call.func
        if isinstance(func, ast.Name):
            local = module.index.resolve(func.id, scope)
            if local is not None:
                return module, local, local.qualname
        qual = module.index.qualify(func)
        if qual is None or qual.startswith(("builtins.", "sdk:")):
            return None
        if qual.startswith("<module>."):
            fn = module.index.functions.get(qual.removeprefix("<module>."))
            return (module, fn, fn.qualname) if fn is not None else None
        found = self.project.function(qual, module.path)
        return (found[0], found[1], qual) if found is not None else None

    def effects(self, module: Module, fn: Function, called_as: str = "") -> tuple[Effect, ...]:
        if fn.qualname in self.settings.deterministic or called_as in self.settings.deterministic:
            return ()
        key = (module.path, fn.qualname)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return ()
        self.active.add(key)
        try:
            found = self._compute(module, fn)
        finally:
            self.active.discard(key)
        self.memo[key] = found
        return found

    def _compute(self, module: Module, fn: Function) -> tuple[Effect, ...]:
        by_code: dict[str, Effect] = {}
        for node in _body_nodes(fn.node):
            for effect in self._node_effects(node, module, fn):
                by_code.setdefault(effect.code, effect)
        return tuple(by_code[c] for c in sorted(by_code))

    def _node_effects(self, node: ast.AST, module: Module, fn: Function) -> list[Effect]:
        if isinstance(node, (ast.Subscript, ast.Compare)) and _environ_use(node, module):
            key = apis.environ_key(node)
            if key not in self.settings.allow_env:
                return [Effect("DUR105", "os.environ", (Hop("os.environ", module.path, span_of(node, module.lines)),))]
            return []
        if not isinstance(node, ast.Call):
            return []
        hit = apis.classify_call(node, module.index, self.settings.nondeterministic)
        if hit is not None:
            if hit.code not in TRANSITIVE_CODES or (hit.code == "DUR105" and
                                                    apis.environ_key(node) in self.settings.allow_env):
                return []
            return [Effect(hit.code, hit.api, (Hop(hit.api, module.path, span_of(node, module.lines)),))]
        target = self.callee(node, module, fn.qualname)
        if target is None:
            return []
        inner_module, inner, called_as = target
        hop = Hop(f"{inner.name}()", module.path, span_of(node, module.lines))
        return [Effect(e.code, e.api, (hop, *e.chain)) for e in self.effects(inner_module, inner, called_as)]


def _environ_use(node: ast.Subscript | ast.Compare, module: Module) -> bool:
    if isinstance(node, ast.Subscript):
        return apis.is_environ(node.value, module.index)
    return any(apis.is_environ(c, module.index) for c in node.comparators)


def _body_nodes(root: ast.AST) -> list[ast.AST]:
    """Nodes that run when the def is called: its body with inline lambdas, but not nested defs or classes,
    nor a lambda it returns (a factory's product runs later, where it is used)."""
    nodes = walk(root, stop=DEFS)[1:]
    returned = {id(n) for r in nodes if isinstance(r, ast.Return) and isinstance(r.value, ast.Lambda)
                for n in walk(r.value)}
    return [n for n in nodes if id(n) not in returned] if returned else nodes
