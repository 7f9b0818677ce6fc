"""`durable-compile to-python` and `verify`: instrumented Python for the bundled runtime, and a replay check."""

from __future__ import annotations

import click

from durable_compile import api
from durable_compile.backends.python import GUARD_MODES, Options
from durable_compile.cli import main
from durable_compile.cli.output import EXIT_FINDINGS, EXIT_USAGE, report, write_output
from durable_compile.source import SourceFile


def _read(file: str) -> SourceFile:
    try:
        return SourceFile.read(file)
    except OSError as err:
        raise click.UsageError(f"cannot read {file}: {err.strerror or err}") from err


def _lowered(file: str, handler: str | None) -> api.Lowered:
    lowered = api.lower_source(_read(file), handler)
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
def to_python(file: str, handler: str | None, output: str | None, guard: str) -> None:
    """Compile FILE's durable handlers into a module that runs on durable_runtime under the determinism guard."""
    lowered = _lowered(file, handler)
    emitted = api.emit_python(lowered, Options(mode=guard, handler=handler, flags=_flags(handler, guard)))
    if emitted.diagnostics:
        report(emitted.diagnostics)
        raise SystemExit(EXIT_FINDINGS)
    write_output(emitted.text.encode(), output)
