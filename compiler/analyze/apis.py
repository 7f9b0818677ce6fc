"""Classify one call or expression against the banned-API tables: (code, api) or None.

Shared by the rules (direct findings), the helper summaries (transitive findings) and the taint pass, so
all three agree on what is non-deterministic.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from durable_compile.analyze import tables
from durable_compile.analyze.index import ModuleIndex, dotted


@dataclass(frozen=True)
class Hit:
    code: str  #: the rule's code
    api: str  #: the qualified API, as shown to the user


def classify_call(call: ast.Call, index: ModuleIndex, extra: dict[str, str] | None = None) -> Hit | None:
    """The banned API this call uses, if any (`extra`: the config's `nondeterministic` helpers)."""
    func = call.func
    qual = index.qualify(func)
    if qual is not None:
        if extra and qual in extra:
            return Hit(extra[qual], qual)
        if qual in tables.UNSEEDED_WHEN_BARE:
            return Hit(tables.UNSEEDED_WHEN_BARE[qual], qual + "()") if not call.args and not call.keywords \
                else None
        code = tables.lookup(qual)
        if code is not None:
            return Hit(code, qual)
    if isinstance(func, ast.Attribute):
        return _client_method(func, index)
    return None


def _client_method(func: ast.Attribute, index: ModuleIndex) -> Hit | None:
    receiver = func.value
    factory: str | None = None
    if isinstance(receiver, ast.Name) and receiver.id in index.clients:
        factory = index.clients[receiver.id]
    elif isinstance(receiver, ast.Call):
        factory = index.qualify(receiver.func)
    elif isinstance(receiver, ast.Attribute):  # client.chat.completions.create
        root = receiver
        while isinstance(root, ast.Attribute):
            root = root.value  # type: ignore[assignment]
        if isinstance(root, ast.Name) and root.id in index.clients:
            factory = index.clients[root.id]
            if tables.CLIENT_FACTORIES[factory][1] is not None:
                return None
    if factory is None or factory not in tables.CLIENT_FACTORIES:
        return None
    code, methods = tables.CLIENT_FACTORIES[factory]
    if methods is not None and func.attr not in methods:
        return None
    label = receiver.id if isinstance(receiver, ast.Name) else (dotted(receiver) or factory)
    return Hit(code, f"{label}.{func.attr} ({factory})")


def is_environ(node: ast.AST, index: ModuleIndex) -> bool:
    """`os.environ` (however imported)."""
    return isinstance(node, (ast.Attribute, ast.Name)) and index.qualify(node) == "os.environ"


def environ_key(node: ast.AST) -> str | None:
    """The literal key of `os.environ["K"]`, `os.environ.get("K")`, `"K" in os.environ`, `os.getenv("K")`."""
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif isinstance(node, ast.Call) and node.args:
        key = node.args[0]
    elif isinstance(node, ast.Compare):
        key = node.left
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
