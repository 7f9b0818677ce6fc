"""Source files and spans: where every diagnostic, IR node and generated line points back to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Span:
    """A region of one source file; lines and columns are 1-based, end column exclusive."""

    line: int  #: first line
    column: int  #: first column (1-based)
    end_line: int  #: last line
    end_column: int  #: column after the last character (1-based)

    def to_json(self) -> dict[str, int]:
        return {"line": self.line, "column": self.column, "end_line": self.end_line, "end_column": self.end_column}


NO_SPAN = Span(0, 0, 0, 0)


@dataclass(frozen=True)
class SourceFile:
    """The text of one analyzed file, never imported or executed."""

    path: str  #: the path as the user gave it (used in diagnostics)
    text: str  #: the file's contents

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        raw = Path(path).read_bytes()
        return cls(str(path), raw.decode("utf-8", errors="replace"))

    def line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""
