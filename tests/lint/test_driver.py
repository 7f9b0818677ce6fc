"""The driver: suppression comments, pyproject configuration, excludes, the cache, the process pool, fixes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from durable_compile.cli import main
from durable_compile.lint.config import ConfigError, load_config
from durable_compile.lint.runner import lint

HEAD = "import os, time, uuid\nfrom aws_durable_execution_sdk_python import DurableContext, durable_execution\n"


def handler(*body: str) -> str:
    lines = "".join(f"    {b}\n" for b in body)
    return HEAD + f"@durable_execution\ndef handler(event, context: DurableContext):\n{lines}" \
                  "    return context.step(lambda _: 1, name='one')\n"


def _codes(folder: Path, **kw) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    config = load_config(None, folder)
    run = lint([str(folder)], config, use_cache=kw.get("cache", False), jobs=kw.get("jobs", 1))
    return [(Path(d.path).name, d.span.line, d.code) for d in run.diagnostics]


def test_noqa_lint_ignore_and_file_level_suppression(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(handler(
        "a = time.time()  # noqa: DUR101",
        "b = time.time()  # noqa",
        "c = time.time()  # noqa: DUR103",
        "# lint-ignore: DUR101",
        "d = time.time()",
        "e = uuid.uuid4()  # lint-ignore",
    ))
    (tmp_path / "b.py").write_text("# durable-compile: noqa\n" + handler("x = time.time()"))
    assert _codes(tmp_path) == [("a.py", 7, "DUR101")]


def test_pyproject_select_ignore_per_file_and_allow_env(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.durable-compile]
        ignore = ["DUR103"]
        allow-env = ["TABLE"]
        per-file-ignores = { "legacy/*.py" = ["DUR101"] }
        exclude = ["generated"]
    """))
    body = handler("t = time.time()", "u = uuid.uuid4()", "a = os.environ['TABLE']", "b = os.getenv('STAGE')")
    for folder in ("legacy", "generated", "app"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "h.py").write_text(body)
    run = lint([str(tmp_path)], load_config(None, tmp_path), use_cache=False, jobs=1)
    found = [(Path(d.path).parent.name, d.span.line, d.code) for d in run.diagnostics]
    assert found == [("app", 5, "DUR101"), ("app", 8, "DUR105"), ("legacy", 8, "DUR105")]


def test_bad_configuration_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.durable-compile]\nfail-on = 'sometimes'\n")
    with pytest.raises(ConfigError, match="fail-on must be one of"):
        load_config(None, tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.durable-compile\n")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(None, tmp_path)


def test_helpers_forced_deterministic_or_nondeterministic(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.durable-compile]\ndeterministic = ["now"]\nnondeterministic = ["billing.next_invoice=DUR103"]\n')
    (tmp_path / "h.py").write_text("import billing\ndef now():\n    return time.time()\n" + handler(
        "a = now()", "b = billing.next_invoice()"))
    assert _codes(tmp_path) == [("h.py", 9, "DUR103")]


def test_files_without_a_durable_import_are_skipped_before_parsing(tmp_path: Path) -> None:
    (tmp_path / "plain.py").write_text("import time\ndef f(:\n")
    run = lint([str(tmp_path)], load_config(None, tmp_path), use_cache=False, jobs=1)
    assert (run.files, run.skipped, run.analyzed, run.diagnostics) == (1, 1, 0, [])


def test_cache_answers_unchanged_files_and_notices_changed_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.durable-compile]\n")
    (tmp_path / "helpers.py").write_text("def label():\n    return 'x'\n")
    (tmp_path / "h.py").write_text("from helpers import label\n" + handler("n = label()"))
    config = load_config(None, tmp_path)
    first = lint([str(tmp_path / "h.py")], config)
    second = lint([str(tmp_path / "h.py")], config)
    assert (first.analyzed, second.analyzed, second.cached) == (1, 0, 1)
    assert first.diagnostics == second.diagnostics == []
    (tmp_path / "helpers.py").write_text("import time\ndef label():\n    return str(time.time())\n")
    third = lint([str(tmp_path / "h.py")], config)
    assert third.analyzed == 1 and [d.code for d in third.diagnostics] == ["DUR101"]


def test_process_pool_gives_the_same_findings(tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"h{i:02}.py").write_text(handler("t = time.time()", "u = uuid.uuid4()"))
    assert _codes(tmp_path, jobs=2) == _codes(tmp_path, jobs=1)
    assert len(_codes(tmp_path, jobs=2)) == 60


FIXABLE = HEAD + '''@durable_execution
def handler(event, context: DurableContext):
    started = time.time()
    for tag in {"a", "b"}:
        context.step(lambda _: tag, name=f"tag-{tag}")
    try:
        context.wait(5, name="w")
    except BaseException:
        pass
    return started
'''
FIXED = HEAD + '''@durable_execution
def handler(event, context: DurableContext):
    started = context.step(lambda _: time.time(), name="time-5")
    for tag in sorted({"a", "b"}):
        context.step(lambda _: tag, name=f"tag-{tag}")
    try:
        context.wait(5, name="w")
    except Exception:
        pass
    return started
'''


def test_diff_shows_fixes_and_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "h.py"
    target.write_text(FIXABLE)
    result = CliRunner().invoke(main, ["lint", str(target), "--no-cache", "--diff"])
    assert target.read_text() == FIXABLE
    assert '+    started = context.step(lambda _: time.time(), name="time-5")' in result.stdout
    assert "+    for tag in sorted({\"a\", \"b\"}):" in result.stdout and "+    except Exception:" in result.stdout
    assert "operation positions" in result.stderr or "new position" in result.stderr


def test_fix_rewrites_the_file_and_reports_what_is_left(tmp_path: Path) -> None:
    target = tmp_path / "h.py"
    target.write_text(FIXABLE)
    result = CliRunner().invoke(main, ["lint", str(target), "--no-cache", "--fix"])
    assert target.read_text() == FIXED
    assert result.exit_code == 0, result.stdout
    assert "executions already in flight" in result.stderr


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"h{i}.py").write_text(handler("t = time.time()", "e = os.environ['X']"))
    runs = [CliRunner().invoke(main, ["lint", str(tmp_path), "--no-cache", "--format", fmt]).stdout
            for fmt in ("sarif", "sarif", "text", "text")]
    assert runs[0] == runs[1] and runs[2] == runs[3]
