"""`durable-compile lint`, `rules` and `explain`: the determinism lint on the command line.

Exit codes of `lint`: 0 nothing at or above `--fail-on`, 1 findings, 2 a usage or configuration error or a
file that could not be parsed (DUR999; the other files are still checked and reported).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import click

from durable_compile import diagnostics as dx
from durable_compile.analyze.positions import split_lines
from durable_compile.analyze.rule import PRELUDE
from durable_compile.analyze.rules import BY_CODE, DEFAULT_OFF
from durable_compile.cli import main
from durable_compile.lint.config import FAIL_ON, ConfigError, load_config, with_options
from durable_compile.lint.fix import apply_fixes
from durable_compile.lint.runner import LintRun, lint
from durable_compile.render import FORMATS, render
from durable_compile.render.text import summary

SHIFT_WARNING = (
    "warning: --fix moved reads into new steps; every operation after an inserted step now has a new position,\n"
    "so executions already in flight fail their next replay (NonDeterministicExecutionError). Deploy the\n"
    "change as a new function version and let running executions finish on the old one."
)


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    bad = [c for c in codes if not c.startswith("DUR")]
    if bad:
        raise click.BadParameter(f"not a rule code or prefix: {', '.join(bad)} (codes look like DUR101)")
    return codes


def _line_source(run: LintRun):  # type: ignore[no-untyped-def]
    cache: dict[str, list[str]] = {}

    def line(path: str, number: int) -> str:
        if path not in cache:
            text = run.texts.get(path)
            if text is None:
                try:
                    text = Path(path).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = ""
            cache[path] = split_lines(text)
        lines = cache[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""

    return line


@main.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--select", help="Only these codes or prefixes (comma-separated), e.g. DUR1,DUR701.")
@click.option("--ignore", help="Skip these codes or prefixes (comma-separated).")
@click.option("--fail-on", type=click.Choice(FAIL_ON[:3]), help="Lowest severity that fails (default error).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--no-cache", is_flag=True, help="Analyze every file again (ignore the content-hash cache).")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="The pyproject.toml to read (default: the nearest one).")
@click.option("--fix", is_flag=True, help="Apply the mechanical fixes to the files.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; change nothing.")
@click.option("--jobs", "-j", type=int, default=0, help="Worker processes (default: all cores).")
def lint_command(paths: tuple[str, ...], fmt: str, select: str | None, ignore: str | None, fail_on: str | None,
                 exit_zero: bool, no_cache: bool, config_path: str | None, fix: bool, diff: bool,
                 jobs: int) -> None:
    """Check durable handlers for code that breaks replay."""
    try:
        start = Path(paths[0]) if paths else Path.cwd()
        config = with_options(load_config(config_path, start), _codes(select), _codes(ignore) or (), fail_on)
    except ConfigError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    run = lint(list(paths), config, use_cache=not no_cache, jobs=jobs)
    if fix or diff:
        run = _fix(run, list(paths), config, write=fix and not diff, use_cache=not no_cache, jobs=jobs)
    output = render(fmt, run.diagnostics, _line_source(run))
    if output:
        click.echo(output, nl=False)
    if fmt == "text":
        click.echo(summary(run.diagnostics, run.files), err=True)
    sys.exit(_exit_code(run, config.fail_on, exit_zero))


def _fix(run: LintRun, paths: list[str], config, *, write: bool, use_cache: bool,  # type: ignore[no-untyped-def]
         jobs: int) -> LintRun:
    shifted = False
    for path in sorted(run.fixes):
        fixed = apply_fixes(path, run.texts[path], run.fixes[path])
        if fixed.after == fixed.before:
            continue
        shifted |= fixed.shifts_positions
        if write:
            Path(path).write_text(fixed.after, encoding="utf-8")
        else:
            click.echo(fixed.diff(), nl=False)
    if shifted:
        click.echo(SHIFT_WARNING, err=True)
    return lint(paths, config, use_cache=use_cache, jobs=jobs) if write else run


def _exit_code(run: LintRun, fail_on: str, exit_zero: bool) -> int:
    if exit_zero:
        return 0
    if any(d.code == "DUR999" for d in run.diagnostics):
        return 2
    threshold = dx.Severity(fail_on).rank
    return 1 if any(d.severity.rank >= threshold for d in run.diagnostics) else 0


@main.command("rules")
def rules_command() -> None:
    """List the rule catalogue: code, name, severity, one line each."""
    for code in sorted(BY_CODE):
        entry = dx.REGISTRY[code]
        off = " (off by default)" if code in DEFAULT_OFF else ""
        click.echo(f"{code}  {entry.name:<32} {entry.severity.value:<8} {entry.summary}{off}")
    entry = dx.REGISTRY["DUR999"]
    click.echo(f"DUR999  {entry.name:<32} {entry.severity.value:<8} {entry.summary}")


@main.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Explain one rule: what it flags, why it breaks replay, an example, what to use instead."""
    rule = BY_CODE.get(code.upper())
    if rule is None:
        click.echo(f"error: unknown rule {code!r}; `durable-compile rules` lists them", err=True)
        sys.exit(2)
    entry = rule.code
    click.echo(f"{entry.code} {entry.name} ({entry.severity.value})\n")
    click.echo(inspect.cleandoc(rule.__doc__ or entry.summary) + "\n")
    click.echo(f"Instead: {entry.hint}\n")
    if rule.INVALID:
        click.echo("Flagged:\n" + _example(rule.INVALID[0]))
    if rule.VALID:
        click.echo("Fine:\n" + _example(rule.VALID[0]))
    click.echo("Examples assume:\n" + _example(PRELUDE), nl=False)


def _example(source: str) -> str:
    text = re.sub(r"#\s*expect:\s*", "# <- ", source.strip("\n"))
    return "".join(f"    {line}\n" for line in text.splitlines())
