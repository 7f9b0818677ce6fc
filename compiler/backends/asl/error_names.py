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

from durable_compile.backends.asl.module_facts import module_top


def qualified_type(source_text: str, module: str, written: str) -> str:
    """The recorded error type of the class written `written` in the module."""
    head, _, rest = written.partition(".")
    origins = module_top(source_text).origins
    if head not in origins:  # a builtin (recorded bare) or a name nothing resolves
        return written
    origin = origins[head] or f"{module}.{head}"
    return f"{origin}.{rest}" if rest else origin
