"""`durable-compile run | resume | worker | callback | executions | history`: the local durable runtime.

`run --json` prints exactly one JSON object `{"execution_id", "status", "result", "error"}`; the exit code
is 0 for SUCCEEDED, 1 for FAILED and 3 for PENDING (suspended, detached). Usage errors exit 2.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from durable_compile.cli import main
from durable_compile.cli.history import history_lines, shown_path
from durable_runtime.loader import HandlerNotFoundError, find_handler, load_module
from durable_runtime.local import LocalRuntime, run_to_end
from durable_runtime.store.base import ExecutionRecord

EXIT = {"SUCCEEDED": 0, "FAILED": 1, "PENDING": 3}
STORE_OPTION = click.option("--store", type=click.Path(dir_okay=False), help="SQLite store (default .durable/state.db)")


def _status(record: ExecutionRecord) -> str:
    if record.status == "RUNNING":
        return "PENDING"
    return "SUCCEEDED" if record.status == "SUCCEEDED" else "FAILED"


def _summary(record: ExecutionRecord) -> dict[str, Any]:
    result = json.loads(record.result) if record.result else None
    return {
        "execution_id": record.arn.rsplit("/", 1)[-1],
        "status": _status(record),
        "result": result,
        "error": record.error,
    }


def _fail(message: str, hint: str | None = None) -> None:
    click.echo(f"error: {message}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)
    sys.exit(2)


def _fail_at(file: str, line: int, column: int, message: str) -> None:
    click.echo(f"{file}:{line}:{column}: {message}", err=True)
    click.echo("  help: fix the file; it is run as Python 3.11+", err=True)
    sys.exit(2)


def _handler_name(file: str, handler: str | None) -> str:
    try:
        module = load_module(file)
    except SyntaxError as error:
        _fail_at(file, error.lineno or 1, error.offset or 1, f"DUR999 syntax error: {error.msg}")
        raise
    except ImportError as error:
        _fail(f"{file}: importing it failed: {error}", "install what the handler imports into this environment")
        raise
    try:
        found = find_handler(module, handler)
    except HandlerNotFoundError as error:
        _fail(str(error), "name the handler with --handler NAME")
        raise
    if not hasattr(found, "__durable_handler__"):
        _fail(f"{file}: {handler} is not decorated with @durable_execution")
    return next(name for name, value in vars(module).items() if value is found)


def _input(payload: str | None, input_file: str | None) -> str | None:
    text = Path(input_file).read_text() if input_file else payload
    if text is not None:
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            _fail(f"input is not JSON: {error}")
    return text


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--handler", help="the @durable_execution function (default: the only one in FILE)")
@click.option("--input", "payload", help="the event, as JSON")
@click.option("--input-file", type=click.Path(exists=True, dir_okay=False), help="read the event from a JSON file")
@click.option("--skip-time", is_flag=True, help="do not really sleep through waits and retry delays")
@STORE_OPTION
@click.option("--detach", is_flag=True, help="return as soon as the execution suspends")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def run(
    file: str,
    handler: str | None,
    payload: str | None,
    input_file: str | None,
    skip_time: bool,
    store: str | None,
    detach: bool,
    as_json: bool,
) -> None:
    """Run a durable handler FILE locally and durably."""
    if payload is not None and input_file is not None:
        _fail("give --input or --input-file, not both")
    name = _handler_name(file, handler)
    runtime = LocalRuntime(store, skip_time=skip_time)
    arn = runtime.start(file, name, _input(payload, input_file))
    with contextlib.redirect_stdout(sys.stderr if as_json else sys.stdout):  # keep --json output one object
        finished = runtime.drive(arn, detach=True) if detach else run_to_end(runtime, arn)
    record = finished or runtime.store.load_execution(arn)
    summary = _summary(record)
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
    else:
        click.echo(f"{summary['execution_id']} {summary['status']}")
        if summary["result"] is not None or summary["error"] is not None:
            click.echo(json.dumps(summary["result"] if summary["error"] is None else summary["error"], sort_keys=True))
        if summary["error"] is not None:
            _echo_failure_source(runtime, record)
    sys.exit(EXIT[summary["status"]])


def _echo_failure_source(runtime: LocalRuntime, record: ExecutionRecord) -> None:
    found = runtime.failure_source(record)
    if found is not None:
        op, location = found
        what = " ".join(part for part in (op.sub_type, repr(op.name) if op.name else None) if part)
        click.echo(f"  at {shown_path(location[0])}:{location[1]} ({what})")


@main.command()
@click.argument("execution_id", required=False)
@STORE_OPTION
def resume(execution_id: str | None, store: str | None) -> None:
    """Continue executions that are due (after a crash, a wait or an answered callback)."""
    runtime = LocalRuntime(store)
    try:
        records = runtime.resume(execution_id)
    except KeyError as error:
        _fail(str(error.args[0]))
        return
    for record in records:
        summary = _summary(record)
        click.echo(f"{summary['execution_id']} {summary['status']}")


@main.command()
@click.option("--once", is_flag=True, help="resume what is due now, then exit")
@STORE_OPTION
def worker(once: bool, store: str | None) -> None:
    """Loop: resume due executions as their timers fire."""
    count = LocalRuntime(store).worker(once=once)
    click.echo(f"resumed {count} execution(s)")


@main.command()
@click.argument("action", type=click.Choice(["succeed", "fail", "heartbeat"]))
@click.argument("callback_id")
@click.option("--payload", help="success: the result; fail: {ErrorType, ErrorMessage, ErrorData}")
@STORE_OPTION
def callback(action: str, callback_id: str, payload: str | None, store: str | None) -> None:
    """Answer a callback from outside the execution."""
    try:
        arn = LocalRuntime(store).callback(action, callback_id, payload)
    except (KeyError, ValueError) as error:
        _fail(str(error.args[0] if error.args else error))
        return
    click.echo(f"{action} sent to {arn.rsplit('/', 1)[-1]}")


@main.command()
@click.option("--status", type=click.Choice(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"]))
@STORE_OPTION
def executions(status: str | None, store: str | None) -> None:
    """List executions in the store."""
    for record in LocalRuntime(store).executions(status):
        click.echo(f"{record.arn.rsplit('/', 1)[-1]}  {record.status:<9}  {record.function_name}")


@main.command()
@click.argument("execution_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--source/--no-source", default=True, help="name each operation's file:line (JSON: a Source field)")
@STORE_OPTION
def history(execution_id: str, fmt: str, source: bool, store: str | None) -> None:
    """Print an execution's history events, each with the source line of its operation."""
    try:
        events = LocalRuntime(store).history(execution_id, with_sources=source)
    except KeyError as error:
        _fail(str(error.args[0]))
        return
    if fmt == "json":
        click.echo(json.dumps(events, indent=2, sort_keys=True))
        return
    for line in history_lines(events, source):
        click.echo(line)
