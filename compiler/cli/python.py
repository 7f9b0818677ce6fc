"""`durable-compile to-python` and `verify`: instrumented Python for the bundled runtime, and a replay check."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from durable_compile import api
from durable_compile.backends.python import GUARD_MODES, Options
from durable_compile.backends.python.fix import fix_determinism
from durable_compile.backends.python.verify import Report, verify
from durable_compile.cli import main
from durable_compile.cli.output import EXIT_FINDINGS, EXIT_USAGE, report, write_output
from durable_compile.source import SourceFile

SHIFT_WARNING = ("warning: each new step shifts the positions of the operations after it; executions already in "
                 "flight replay against the old positions, so let them finish before deploying the fixed handler")


def _read(file: str) -> SourceFile:
    try:
        return SourceFile.read(file)
    except OSError as err:
        raise click.UsageError(f"cannot read {file}: {err.strerror or err}") from err


def _lowered(file: str, handler: str | None) -> api.Lowered:
    return _lowered_source(_read(file), handler)


def _lowered_source(source: SourceFile, handler: str | None) -> api.Lowered:
    lowered = api.lower_source(source, handler)
    if lowered.diagnostics:
        report(lowered.diagnostics)
        codes = {d.code for d in lowered.diagnostics}
        raise SystemExit(EXIT_USAGE if "DUR999" in codes else EXIT_FINDINGS)
    return lowered


def _flags(handler: str | None, guard: str) -> tuple[str, ...]:
    flags: list[str] = []
    if handler:
        flags.append(f"--handler {handler}")
    if guard != "strict":
        flags.append(f"--guard {guard}")
    return tuple(flags)


@main.command("to-python")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--handler", default=None, help="Instrument only this handler (default: every handler).")
@click.option("-o", "--output", default=None, help="Write the module here instead of stdout.")
@click.option("--guard", type=click.Choice(GUARD_MODES), default="strict", show_default=True,
              help="What the determinism guard does with a clock/random/uuid/env/I/O/sleep call in orchestration.")
@click.option("--fix-determinism", "fix", is_flag=True,
              help="Move clock, random and uuid reads of orchestration code into named steps (says which lines).")
def to_python(file: str, handler: str | None, output: str | None, guard: str, fix: bool) -> None:
    """Compile FILE's durable handlers into a module that runs on durable_runtime under the determinism guard."""
    source = _read(file)
    if fix:
        fixed = fix_determinism(source)
        source = fixed.source
        for change in fixed.changes:
            click.echo(f"{file}:{change.line}: {change.code} fixed: {change.title}", err=True)
        if fixed.shifts_positions:
            click.echo(SHIFT_WARNING, err=True)
    lowered = _lowered_source(source, handler)
    flags = _flags(handler, guard) + (("--fix-determinism",) if fix else ())
    emitted = api.emit_python(lowered, Options(mode=guard, handler=handler, flags=flags))
    if emitted.diagnostics:
        report(emitted.diagnostics)
        raise SystemExit(EXIT_FINDINGS)
    write_output(emitted.text.encode(), output)


@main.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--handler", default=None, help="The handler to run (default: the only one).")
@click.option("--input", "payload", default="{}", show_default=True, help="The event, as JSON.")
@click.option("--runs", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Perturbed worlds (each: a fresh run and a replay from every suspension point).")
def verify_command(file: str, handler: str | None, payload: str, runs: int) -> None:
    """Run FILE's handler in perturbed worlds; report the first operation whose sequence or value diverges."""
    try:
        json.loads(payload)
    except ValueError as err:
        raise click.UsageError(f"--input is not JSON: {err}") from err
    lowered = _lowered(file, handler)
    if len(lowered.handlers) != 1:
        names = ", ".join(h.name for h in lowered.handlers)
        raise click.UsageError(f"{file} has several handlers ({names}); name one with --handler")
    emitted = api.emit_python(lowered, Options(mode="off", handler=handler))
    if emitted.diagnostics:
        report(emitted.diagnostics)
        raise SystemExit(EXIT_FINDINGS)
    with tempfile.TemporaryDirectory(prefix="durable-verify-") as folder:
        module = Path(folder) / f"{Path(file).stem}_verified.py"
        module.write_text(emitted.text)
        result = verify(module, lowered.handlers[0].name, payload, runs, Path(folder))
    click.echo(render_report(file, result))
    raise SystemExit(EXIT_FINDINGS if result.divergence else 0)


def render_report(file: str, result: Report) -> str:
    head = (f"{file}: {result.runs} runs in perturbed worlds, {result.suspensions} suspension points, "
            f"baseline {result.baseline.get('status', '?')}")
    found = result.divergence
    if found is None:
        return head + ": no divergence"
    where = f"{file}:{found.line}" if found.line else file
    return "\n".join([
        head,
        f"{where}: divergence in {found.start} ({found.world}) at {found.what}",
        f"  baseline: {found.expected}",
        f"  this run: {found.found}",
    ])
