"""The `durable-compile` command line: a thin click group.

The `cli` package is the only place that prints. Each sub-module registers one family of commands and
calls into the pipeline (`durable_compile.api`) or the runtime; findings come back as data.
"""

from __future__ import annotations

import click

from durable_compile import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="durable-compile")
def main() -> None:
    """Compile, lint, draw and run AWS Lambda durable handlers."""


def _register() -> None:
    # Each module adds its commands to `main` on import; the order is the order of `--help`.
    from durable_compile.cli import (
        graph,  # noqa: F401
        lint,  # noqa: F401
        python,  # noqa: F401
        run,  # noqa: F401
    )


_register()
