"""Parse: source text -> libcst Module, or a DUR999 diagnostic with file, line and column.

Takes a `SourceFile`; gives a libcst `Module` (lossless) or a diagnostic. On a syntax error the position
and wording come from CPython's own parser (`ast.parse`, parsing only), which points at the offending
token more precisely than libcst. Never imports, compiles to bytecode or runs the analyzed code.
"""

from __future__ import annotations

import ast

import libcst as cst

from durable_compile import diagnostics as dx
from durable_compile.source import SourceFile, Span


def parse(source: SourceFile) -> cst.Module | dx.Diagnostic:
    """Parse one file; a syntax error becomes DUR999 pointing at the offending position."""
    try:
        return cst.parse_module(source.text)
    except cst.ParserSyntaxError as err:
        return _syntax_diagnostic(source, err)
    except (RecursionError, ValueError, MemoryError) as err:  # pathological nesting, bad encodings
        return dx.make("DUR999", source.path, Span(1, 1, 1, 1), f"cannot parse: {err}")


def _syntax_diagnostic(source: SourceFile, err: cst.ParserSyntaxError) -> dx.Diagnostic:
    line, col, message = err.raw_line, err.raw_column + 1, err.message
    try:
        ast.parse(source.text, filename=source.path)
    except SyntaxError as precise:
        line, col = precise.lineno or line, precise.offset or col
        message = precise.msg
    except (RecursionError, ValueError, MemoryError):
        pass
    return dx.make("DUR999", source.path, Span(line, col, line, col + 1), f"syntax error: {message}")
