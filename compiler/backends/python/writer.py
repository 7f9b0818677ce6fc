"""The code writer: indented lines plus, for each generated line, the source line it came from.

Like Jinja's code generator (`writeline(code, node)`), every line is written together with its origin,
so the generated module can carry a source map that the determinism guard reads to name the original
line of a violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

INDENT = "    "


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []  #: the generated lines
        self.origins: list[int] = []  #: source line of each generated line, 0 for generated-only lines
        self.depth = 0  #: current indentation level

    @property
    def indent(self) -> str:
        return INDENT * self.depth

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1

    def write(self, text: str, origin: int = 0, *, verbatim: bool = False, last: int = 0) -> None:
        """Write `text` at the current indentation (continuation lines are kept as they are).

        With `verbatim`, line i of `text` comes from source line `origin + i` (capped at `last`).
        """
        for i, part in enumerate(text.split("\n")):
            line = self.indent + part if i == 0 else part
            self.lines.append(line if line.strip() else "")
            source = origin + i if verbatim and origin else origin
            self.origins.append(min(source, last) if last and source else source)

    def raw(self, text: str, origin: int = 0) -> None:
        """Write lines with no indentation; line i comes from source line `origin + i` (0: none)."""
        for i, part in enumerate(text.split("\n")):
            self.lines.append(part if part.strip() else "")
            self.origins.append(origin + i if origin else 0)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
            self.origins.append(0)

    def runs(self) -> list[tuple[int, int, int]]:
        """The source map as runs (first generated line, first source line, count), 1-based."""
        out: list[tuple[int, int, int]] = []
        for number, origin in enumerate(self.origins, start=1):
            if not origin:
                continue
            if out:
                gen, src, count = out[-1]
                if gen + count == number and src + count == origin:
                    out[-1] = (gen, src, count + 1)
                    continue
            out.append((number, origin, 1))
        return out

    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n") + "\n"
