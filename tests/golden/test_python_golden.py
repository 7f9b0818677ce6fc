"""Golden files: the module `to-python` generates for every sample and backend case.

`make goldens` rewrites them (`pytest tests/golden --update-goldens`); they are never edited by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.python_backend.support import CASES, SAMPLES, compile_file

GOLDEN = Path(__file__).parent
INPUTS = {p.stem: p for p in sorted(SAMPLES.glob("*.py"))} | {p.stem: p for p in sorted(CASES.glob("*.py"))}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_generated_python_matches_its_golden_file(name: str, update_goldens: bool) -> None:
    text = compile_file(INPUTS[name]).text
    golden = GOLDEN / name / "generated.py"
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
        return
    assert golden.exists(), f"no golden file for {name}: run `make goldens` and review the diff"
    assert golden.read_text() == text, f"{golden} is out of date: run `make goldens` and review the diff"
