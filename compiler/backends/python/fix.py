"""Fix determinism: move the clock, random and uuid reads of orchestration code into named steps.

Takes a source file; gives the fixed text and what changed, line by line. The findings and their edits
come from the lint (DUR101 wall-clock, DUR102 randomness, DUR103 generated-id, each of which knows how to
wrap its read in `context.step(lambda _: <read>, name="<api>-<line>")`); this module only selects them
and applies them. Every edit stays on its line, so line numbers (and the source map) are unchanged.
Inserting a step shifts the positions of the operations after it, which executions already in flight
would see: the CLI says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from durable_compile.analyze.engine import analyze_text
from durable_compile.analyze.rules import instantiate
from durable_compile.lint.fix import apply_fixes
from durable_compile.source import SourceFile

FIXABLE = frozenset({"DUR101", "DUR102", "DUR103"})


@dataclass(frozen=True)
class Change:
    line: int  #: the changed line (the same in the original and the fixed file)
    title: str  #: what the fix did
    code: str  #: the finding it fixes


@dataclass
class Fixed:
    source: SourceFile  #: the fixed text, under the original path
    changes: list[Change] = field(default_factory=list)  #: applied fixes, in line order

    @property
    def shifts_positions(self) -> bool:
        return bool(self.changes)


def fix_determinism(source: SourceFile) -> Fixed:
    """The source with every mechanically fixable clock/random/uuid read in orchestration code in a step."""
    result = analyze_text(source.path, source.text, instantiate(FIXABLE))
    fixes = [f for f in result.findings if f.fix is not None and f.diagnostic.code in FIXABLE]
    applied = apply_fixes(source.path, source.text, [f.fix for f in fixes if f.fix is not None])
    changes = sorted(  # a fix that overlapped another was skipped: its text is not in the result
        (Change(f.diagnostic.span.line, f.fix.title, f.diagnostic.code) for f in fixes
         if f.fix is not None and all(e.text in applied.after for e in f.fix.edits)),
        key=lambda c: (c.line, c.title),
    )
    return Fixed(SourceFile(source.path, applied.after), changes)
