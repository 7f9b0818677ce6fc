"""The Python backend: a durable handler -> an instrumented module that runs on `durable_runtime`.

`emit_module` gives the module text (with a source map) or DUR890 diagnostics; see `emit.py`.
"""

from durable_compile.backends.python.emit import GUARD_MODES, Emitted, Options, emit_module

__all__ = ["GUARD_MODES", "Emitted", "Options", "emit_module"]
