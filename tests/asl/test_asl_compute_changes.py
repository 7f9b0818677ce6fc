"""Which variables a lifted computation may change in place (compute_changes.py): a batch branch's task
gives back only those of the outer variables it reads (a branch cannot assign an outer variable)."""

from __future__ import annotations

import pytest

from durable_compile.backends.asl.compute_changes import may_change


@pytest.mark.parametrize(("line", "changed"), [
    ("y = len(x['k'])", set()),  # a builtin that only reads
    ("y = x.get('k', 0) + sorted(z)[0]", set()),  # a reading method, a reading builtin
    ("y = f'{x}' if x else str(x)", set()),
    ("x.append(1)", {"x"}),  # a method that changes its object
    ("y = x.a.pop()", {"x"}),
    ("x['k'] = 1", {"x"}),  # a subscript or attribute assignment
    ("x.k = 1", {"x"}),
    ("del x['k']", {"x"}),
    ("x += [1]", {"x"}),
    ("y = f(x['k'], key=z)", {"x", "z"}),  # any other call may change what it is given
])
def test_what_the_lines_may_change(line: str, changed: set[str]) -> None:
    assert may_change([line]) == changed


def test_lines_it_cannot_read_may_change_everything() -> None:
    assert may_change(["y = ("]) is None
