"""`durable-compile graph`: draw the workflow a durable handler describes."""

from __future__ import annotations

import click

from durable_compile import api
from durable_compile.backends.diagram.render import RendererMissing
from durable_compile.cli import main
from durable_compile.cli.output import EXIT_FINDINGS, EXIT_USAGE, report, write_output
from durable_compile.source import SourceFile


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--handler", "handler", default=None, help="Draw only this handler (default: every handler).")
@click.option("--format", "fmt", type=click.Choice(api.GRAPH_FORMATS), default="mermaid", show_default=True)
@click.option("-o", "--output", default=None, help="Write to this file instead of stdout.")
def graph(file: str, handler: str | None, fmt: str, output: str | None) -> None:
    """Draw FILE's durable handlers as Mermaid, Graphviz DOT/SVG/PNG, or the IR as JSON."""
    try:
        source = SourceFile.read(file)
    except OSError as err:
        raise click.UsageError(f"cannot read {file}: {err.strerror or err}") from err
    lowered = api.lower_source(source, handler)
    if lowered.diagnostics:
        report(lowered.diagnostics)
        codes = {d.code for d in lowered.diagnostics}
        raise SystemExit(EXIT_USAGE if "DUR999" in codes else EXIT_FINDINGS)
    try:
        data = api.emit_graph(lowered, fmt)
    except RendererMissing as err:
        click.echo(f"error: {err}; install Graphviz (Debian: apt-get install graphviz) "
                   f"or use --format dot and render elsewhere", err=True)
        raise SystemExit(EXIT_USAGE) from err
    write_output(data, output)
