"""Inline expectations and precision: files whose `# expect: CODE` comments must match the findings exactly
(as sets of (line, code), default rule selection, cross-module helpers read from disk), and a corpus of
correct-but-suspicious handlers (plus the samples) that must produce no error or warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from durable_compile.analyze.expectations import expected
from durable_compile.lint.config import LintConfig
from durable_compile.lint.runner import lint

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
EXPECT = sorted(p for p in (HERE / "expect").rglob("*.py") if "# expect:" in p.read_text())


def _findings(folder: Path) -> list:  # type: ignore[type-arg]
    return lint([str(folder)], LintConfig(root=str(folder)), use_cache=False, jobs=1).diagnostics


@pytest.mark.parametrize("path", EXPECT, ids=[p.name for p in EXPECT])
def test_findings_match_inline_expectations(path: Path) -> None:
    found = {(d.span.line, d.code) for d in _findings(HERE / "expect") if Path(d.path).resolve() == path.resolve()}
    assert found == expected(path.read_text())


def test_factories_and_variables_resolve_to_regions() -> None:
    run = lint([str(HERE / "expect" / "factories.py")], LintConfig(select=("DUR900",)), use_cache=False, jobs=1)
    assert run.diagnostics == []


def test_expectations_cover_every_default_rule() -> None:
    from durable_compile.analyze.rules import BY_CODE, DEFAULT_OFF

    covered = {code for p in EXPECT for _, code in expected(p.read_text())}
    missing = set(BY_CODE) - DEFAULT_OFF - covered
    assert missing == set()


@pytest.mark.parametrize("folder", [HERE / "fp_corpus", ROOT / "samples"], ids=["fp_corpus", "samples"])
def test_correct_handlers_have_no_error_or_warning(folder: Path) -> None:
    loud = [f"{d.path}:{d.span.line}: {d.code} {d.message}" for d in _findings(folder)
            if d.severity.value in ("error", "warning")]
    assert loud == []


def test_the_corpus_reports_only_the_no_operation_handler_as_info() -> None:
    found = {(Path(d.path).name, d.code, d.severity.value) for d in _findings(HERE / "fp_corpus")}
    assert found == {("no_durable_operation.py", "DUR101", "info"), ("no_durable_operation.py", "DUR103", "info")}
