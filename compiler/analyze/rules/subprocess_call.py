"""DUR204 subprocess."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class SubprocessCall(BannedCallRule):
    """Starting or signalling processes in orchestration code.

    A command run outside a step runs again on every replay and its output may differ. Flags
    `subprocess.*`, `os.system/popen/spawn*/exec*/fork/kill` and `multiprocessing.Process`.
    """

    code = dx.register(dx.Code(
        "DUR204", "subprocess", dx.Severity.ERROR, "a process is started in orchestration code",
        "run the command inside a step",
    ))
    verb = "starts a process"
    VALID = (
        """
import subprocess
@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: subprocess.run(["ls"], capture_output=True).stdout, name="ls")
""",
    )
    INVALID = (
        """
import os
from subprocess import check_output as co
@durable_execution
def handler(event, context: DurableContext):
    out = co(["git", "rev-parse", "HEAD"])  # expect: DUR204
    os.system("true")  # expect: DUR204
    return context.step(lambda _: out, name="rev")
""",
    )
