"""The original source as text: spans to offsets, slices with substitutions, nearby comments.

The Python backend re-emits what the user wrote wherever it can (expressions, simple statements, step
functions, module-level code), so the generated module reads like the original. Every slice is taken
by span from the source text, with the parts that the compilation changed (hoisted durable calls,
receivers of durable calls, lambdas lifted to functions) substituted by position, never by spelling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_compile.source import Span


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the characters [start, end) of the source with `text`."""

    start: int  #: absolute offset of the first replaced character
    end: int  #: absolute offset after the last replaced character
    text: str  #: what goes there


@dataclass
class SourceText:
    """One source file's text with line offsets."""

    text: str  #: the whole file
    lines: list[str] = field(init=False)  #: its lines, without line ends
    starts: list[int] = field(init=False)  #: offset of the first character of each line

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()
        self.starts, offset = [], 0
        for line in self.text.splitlines(keepends=True):
            self.starts.append(offset)
            offset += len(line)
        self.starts.append(offset)

    def line(self, number: int) -> str:
        """Line `number` (1-based), or "" outside the file."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def offset(self, line: int, column: int) -> int:
        """The absolute offset of a 1-based (line, column) position."""
        return self.starts[line - 1] + column - 1

    def bounds(self, span: Span) -> tuple[int, int]:
        return self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)

    def slice(self, span: Span, edits: list[Edit] = ()) -> str:  # type: ignore[assignment]
        """The text of `span` with the edits that fall inside it applied (outermost edits win)."""
        start, end = self.bounds(span)
        return apply(self.text, start, end, edits)

    def lines_text(self, first: int, last: int, edits: list[Edit] = ()) -> str:  # type: ignore[assignment]
        """Lines [first, last] (1-based, without the final line end) with the edits inside applied."""
        end = self.starts[last - 1] + len(self.line(last))
        return apply(self.text, self.starts[first - 1], end, edits)

    def comments_above(self, line: int) -> list[int]:
        """The line numbers of the contiguous comment-only lines directly above `line`, top first."""
        found: list[int] = []
        number = line - 1
        while number > 0 and self.line(number).lstrip().startswith("#"):
            found.append(number)
            number -= 1
        return found[::-1]

    def blank_above(self, line: int) -> bool:
        """True when the first non-comment line above `line` is blank (a paragraph break)."""
        number = line - 1
        while number > 0 and self.line(number).lstrip().startswith("#"):
            number -= 1
        return number > 0 and not self.line(number).strip()

    def trailing_comment(self, span: Span) -> str | None:
        """The `# comment` that follows `span` on its last line, if nothing else does."""
        rest = self.line(span.end_line)[span.end_column - 1:].strip()
        return rest if rest.startswith("#") else None


def apply(text: str, start: int, end: int, edits: list[Edit]) -> str:
    """`text[start:end]` with the outermost of the `edits` that lie inside it applied."""
    inside = sorted((e for e in edits if start <= e.start and e.end <= end), key=lambda e: (e.start, -e.end))
    out: list[str] = []
    position = start
    for edit in inside:
        if edit.start < position:  # nested in an edit already applied
            continue
        out.append(text[position:edit.start])
        out.append(edit.text)
        position = edit.end
    out.append(text[position:end])
    return "".join(out)
