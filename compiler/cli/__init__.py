"""The `durable-compile` command line: a thin click group.

The `cli` package is the only place that prints. Each sub-module registers one family of commands and
calls into the pipeline (`durable_compile.api`) or the runtime; findings come back as data.

Command modules are imported when they are needed, not when the package is: `durable-compile lint` runs as
a pre-commit hook, where interpreter start-up is most of the wall time, so it must not pay for libcst,
networkx and the runtime. Commands listed in `_FAST` import only their own module; any other command (and
`--help`) imports every module through `_register()`.
"""

from __future__ import annotations

import importlib

import click

from durable_compile import __version__

#: command name -> the module that defines it, imported alone when that command runs
_FAST: dict[str, str] = {
    "lint": "durable_compile.cli.lint",
    "rules": "durable_compile.cli.lint",
    "explain": "durable_compile.cli.lint",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_once()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _FAST:
            importlib.import_module(_FAST[cmd_name])
        if cmd_name not in self.commands:
            _register_once()
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="durable-compile")
def main() -> None:
    """Compile, lint, draw and run AWS Lambda durable handlers."""


def _register() -> None:
    # Each module adds its commands to `main` on import; the order is the order of `--help`.
    from durable_compile.cli import (
        asl,  # noqa: F401
        graph,  # noqa: F401
        lint,  # noqa: F401
        python,  # noqa: F401
        run,  # noqa: F401
    )


_registered: list[bool] = []


def _register_once() -> None:
    if not _registered:
        _registered.append(True)
        _register()
