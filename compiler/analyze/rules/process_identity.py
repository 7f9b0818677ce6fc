"""DUR104 process-identity."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class ProcessIdentity(BannedCallRule):
    """Reading the identity of the process, thread or host in orchestration code.

    Each invocation may run in a different sandbox, process and thread: `os.getpid()`,
    `threading.get_ident()`, `socket.gethostname()`, `platform.node()` and `os.cpu_count()` give other
    answers on replay, so a value or decision derived from them is not reproduced.
    """

    code = dx.register(dx.Code(
        "DUR104", "process-identity", dx.Severity.WARNING,
        "the process, thread or host identity is read in orchestration code", "read it inside a step",
    ))
    verb = "reads the process identity"
    VALID = (
        """
import os
@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: os.getpid(), name="pid")
""",
    )
    INVALID = (
        """
import os, socket
from threading import get_ident
@durable_execution
def handler(event, context: DurableContext):
    worker = f"{socket.gethostname()}-{os.getpid()}"  # expect: DUR104
    thread = get_ident()  # expect: DUR104
    return context.step(lambda _: worker, name="who")
""",
    )
