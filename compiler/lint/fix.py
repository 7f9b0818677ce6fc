"""Fix: apply the mechanical fixes of reported findings to file texts (`--fix` writes, `--diff` shows).

Edits are applied from the end of the file backwards; an edit overlapping one already taken is skipped
(the next run reports what is left). Inserting a step shifts the positions of later operations, which
executions already in flight will see: `shifts_positions` tells the CLI to warn.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from durable_compile.analyze.rule import Edit, Fix


@dataclass(frozen=True)
class FixedFile:
    path: str
    before: str
    after: str
    applied: int  #: fixes applied
    shifts_positions: bool  #: at least one applied fix inserts a durable operation

    def diff(self) -> str:
        lines = difflib.unified_diff(self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
                                     fromfile=f"a/{self.path.lstrip('/')}", tofile=f"b/{self.path.lstrip('/')}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


def apply_fixes(path: str, text: str, fixes: list[Fix]) -> FixedFile:
    taken: list[tuple[Fix, Edit]] = []
    occupied: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: (f.edits[0].start, f.title)):
        if any(_overlaps(e, occupied) for e in fix.edits):
            continue
        taken.extend((fix, e) for e in fix.edits)
        occupied.extend((e.start, e.end) for e in fix.edits)
    after = text
    for _, edit in sorted(taken, key=lambda pair: pair[1].start, reverse=True):
        after = after[:edit.start] + edit.text + after[edit.end:]
    applied = {id(f): f for f, _ in taken}
    return FixedFile(path, text, after, len(applied), any(f.shifts_positions for f in applied.values()))


def _overlaps(edit: Edit, occupied: list[tuple[int, int]]) -> bool:
    return any(edit.start < end and start < edit.end or edit.start == start for start, end in occupied)
