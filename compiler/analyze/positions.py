"""Positions: stdlib `ast` offsets (UTF-8 byte columns, 0-based) -> `Span` (character columns, 1-based)."""

from __future__ import annotations

import ast
import re

from durable_compile.source import Span

_NEWLINE = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines exactly as the Python tokenizer counts them (form feeds and other breaks stay inside)."""
    return _NEWLINE.split(text)


def char_column(line: str, byte_col: int) -> int:
    """0-based UTF-8 byte column -> 1-based character column."""
    if line.isascii():
        return byte_col + 1
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace")) + 1


def span_of(node: ast.AST, lines: list[str]) -> Span:
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    col = getattr(node, "col_offset", 0)
    end_col = getattr(node, "end_col_offset", None)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    end_text = lines[end_line - 1] if 0 < end_line <= len(lines) else ""
    start = char_column(text, col)
    end = char_column(end_text, end_col) if end_col is not None else start + 1
    return Span(line, start, end_line, end)


def line_offsets(text: str) -> list[int]:
    """Character offset of the start of each line (line 1 at index 0)."""
    offsets, pos = [], 0
    for m in _NEWLINE.finditer(text):
        offsets.append(pos)
        pos = m.end()
    offsets.append(pos)
    return offsets
