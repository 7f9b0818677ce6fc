"""Differential execution over the wide grammar (diff_grammar.py): every generated handler ends the same
way (status, result, error type) on our durable runtime and, compiled by to-asl, under run-asl on
sfnx.testing (every example) and moto (a few); callbacks are answered in both, invoked functions
answered by the same Python functions. A handler to-asl refuses is refused with a DUR8xx error, never
a crash and never output that runs differently.

`ASL_DIFF_SCALE=N` multiplies the number of examples for a deep local run; CI runs derandomized.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.asl.diff_grammar import handlers
from tests.asl.diff_harness import examples, judge

COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}


def run(source: str, start: int, tmp: Path, engines: tuple[str, ...]) -> None:
    verdict = judge(source, {"start": start}, tmp, "wide", engines)
    event(f"{verdict.kind} {verdict.runtime[0] if verdict.runtime else ''}".strip())
    for code in verdict.codes:
        event(code)


@settings(max_examples=examples(60), **COMMON)  # type: ignore[arg-type]
@given(source=handlers(), start=st.integers(0, 12))
def test_runtime_and_sfnx_agree(source: str, start: int, tmp_path: Path) -> None:
    run(source, start, tmp_path, ("sfnx",))


@settings(max_examples=examples(8), **COMMON)  # type: ignore[arg-type]
@given(source=handlers(1), start=st.integers(0, 12))
def test_runtime_and_moto_agree(source: str, start: int, tmp_path: Path) -> None:
    run(source, start, tmp_path, ("moto",))
