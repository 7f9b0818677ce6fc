"""Exception class expressions of the handler's module -> the error type the durable SDK records.

Takes a class as written in the module (`GatewayTimeout`, `errors.Declined`, `KeyError`), the module's
text and its import name (the file's stem: the name both a durable Lambda and the generated steps function
import it by); gives the name the SDK records in `error_type` and the steps function reports as the task's
error: bare for builtins, `module.QualName` otherwise (the steps template's `_qualified` computes the same
when the task runs). Used for the ErrorEquals of retriers, which must match what the task raises.
Resolved: builtin exceptions, classes defined at the module's top level (and classes nested in them),
`from pkg import Name` and `import pkg as alias` then `alias.Name`. Known deviation: a class re-exported by
the module it is imported from is named after that module, not the one defining it (the analyzer never
imports code to find out); a name nothing resolves is kept as written.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType


def qualified_type(source_text: str, module: str, written: str) -> str:
    """The recorded error type of the class written `written` in the module."""
    head, _, rest = written.partition(".")
    origin = module_names(source_text, module).get(head)
    if origin is None:  # a builtin (recorded bare) or a name nothing resolves
        return written
    return f"{origin}.{rest}" if rest else origin


@lru_cache(maxsize=64)
def module_names(source_text: str, module: str) -> Mapping[str, str]:
    """Top-level names of the module that name a class or a module -> their dotted origin."""
    try:
        tree = ast.parse(source_text)
    except SyntaxError:
        return MappingProxyType({})
    found: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            found[stmt.name] = f"{module}.{stmt.name}"
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            found.update({a.asname or a.name: f"{stmt.module}.{a.name}" for a in stmt.names})
        elif isinstance(stmt, ast.Import):
            found.update({a.asname: a.name for a in stmt.names if a.asname})
            found.update({a.name.split(".")[0]: a.name.split(".")[0] for a in stmt.names if not a.asname})
    return MappingProxyType(found)
