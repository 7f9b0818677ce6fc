"""`durable-compile to-asl` and `run-asl`: compile a handler to a Step Functions state machine, and run it
locally in an independent interpreter (moto's, or sfnx's with --engine sfnx).

`run-asl --json` prints one object `{"status", "result", "error"}`; the exit code is 0 for SUCCEEDED and
1 for FAILED. Usage errors exit 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from durable_compile.cli import main
from durable_compile.cli.output import EXIT_FINDINGS, EXIT_USAGE, report


@main.command("to-asl")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--handler", default=None, help="the @durable_execution function (default: the only one)")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False), help="folder to write")
@click.option("--strict", is_flag=True, help="orchestration code without a JSONata translation is an error")
def to_asl(file: str, handler: str | None, outdir: str, strict: bool) -> None:
    """Compile FILE's durable handler into a state machine folder (ASL, steps function, SAM template)."""
    from durable_compile.backends.asl.package import compile_file, write

    compiled = compile_file(file, handler, strict)
    report(compiled.diagnostics)
    if not compiled.ok:
        raise SystemExit(EXIT_FINDINGS)
    for path in write(compiled, outdir):
        click.echo(str(path))


def _answer(spec: str) -> tuple[str, Any]:
    from durable_compile.backends.asl.localrun import Answer

    name, sep, value = spec.partition("=")
    if not sep:
        raise click.BadParameter(f"{spec!r}: use NAME=JSON or NAME=!ERROR:message")
    if value.startswith("!"):
        error, _, cause = value[1:].partition(":")
        return name, Answer(error=error, cause=cause)
    try:
        return name, Answer(json.loads(value))
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"{spec!r}: the answer is not JSON ({err.msg})") from err


def _pair(spec: str, form: str) -> tuple[str, str]:
    name, sep, value = spec.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"{spec!r}: use {form}")
    return name, value


def _function(spec: str) -> tuple[str, Any]:
    """NAME=FILE:FUNCTION -> (NAME, event -> FUNCTION(event, None)), the module imported from FILE."""
    import importlib.util
    from pathlib import Path

    name, target = _pair(spec, "NAME=FILE:FUNCTION")
    file, sep, function = target.rpartition(":")
    if not sep or not Path(file).is_file():
        raise click.BadParameter(f"{spec!r}: use NAME=FILE:FUNCTION with an existing FILE")
    module_spec = importlib.util.spec_from_file_location(f"run_asl_function_{Path(file).stem}", file)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception as err:  # the user's module: any error it raises is reported, not a traceback
        raise click.BadParameter(f"{spec!r}: importing {file} failed: {type(err).__name__}: {err}") from err
    handler = getattr(module, function, None)
    if not callable(handler):
        raise click.BadParameter(f"{spec!r}: {file} has no function {function!r}")
    return name, lambda event: handler(event, None)


@main.command("run-asl")
@click.argument("outdir", type=click.Path(exists=True, file_okay=False))
@click.option("--input", "payload", default="null", help="the execution input, as JSON")
@click.option("--callback", "callbacks", multiple=True,
              help="answer a callback: NAME=JSON (success) or NAME=!ERROR:message (failure); repeatable")
@click.option("--function", "functions", multiple=True, metavar="NAME=FILE:FUNCTION",
              help="answer context.invoke of NAME with FUNCTION(event, context) from FILE; repeatable")
@click.option("--substitute", "substitutions", multiple=True, metavar="KEY=VALUE",
              help="a DefinitionSubstitutions value, as a deployment gives it (${KEY} -> VALUE); repeatable")
@click.option("--engine", type=click.Choice(["moto", "sfnx"]), default="moto", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def run_asl(outdir: str, payload: str, callbacks: tuple[str, ...], functions: tuple[str, ...],
            substitutions: tuple[str, ...], engine: str, as_json: bool) -> None:
    """Run a folder written by to-asl locally; Lambda tasks run in-process and waits take no time."""
    try:
        event = json.loads(payload)
    except json.JSONDecodeError as err:
        click.echo(f"error: --input is not JSON: {err}", err=True)
        raise SystemExit(EXIT_USAGE) from err
    try:
        from durable_compile.backends.asl.localrun.folder import run_folder
    except ImportError as err:
        click.echo(f"error: run-asl needs the local-asl extra ({err.name} is missing)", err=True)
        click.echo("hint: pip install 'durable-compile[local-asl]'", err=True)
        raise SystemExit(EXIT_USAGE) from err
    invoked = dict(_function(f) for f in functions)
    given = dict(_pair(spec, "KEY=VALUE") for spec in substitutions)
    outcome = run_folder(outdir, event, dict(_answer(c) for c in callbacks), invoked, engine,  # type: ignore[arg-type]
                         substitutions=given)
    if as_json:
        click.echo(json.dumps(outcome.to_json(), sort_keys=True))
    else:
        click.echo(f"{outcome.status}: " + (json.dumps(outcome.result) if outcome.error is None
                                            else f"{outcome.error}: {outcome.cause or ''}"))
    sys.exit(0 if outcome.status == "SUCCEEDED" else 1)
