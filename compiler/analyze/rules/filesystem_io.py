"""DUR203 filesystem-io."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class FilesystemIo(BannedCallRule):
    """File-system access in orchestration code.

    Each invocation may run in a fresh sandbox: a file written by the first run is gone on replay and a
    file read may have changed. Flags `open`, `io.open`, pathlib I/O methods, `os.listdir/scandir/walk/
    remove/...`, `shutil.*`, `glob` and `tempfile`.
    """

    code = dx.register(dx.Code(
        "DUR203", "filesystem-io", dx.Severity.ERROR, "the file system is used in orchestration code",
        "read or write files inside a step",
    ))
    verb = "touches the file system"
    VALID = (
        """
from pathlib import Path
@durable_execution
def handler(event, context: DurableContext):
    target = Path("/tmp") / event["name"]
    return context.step(lambda _: target.exists() and open(target).read(), name="read")
""",
    )
    INVALID = (
        """
import shutil
from pathlib import Path
@durable_execution
def handler(event, context: DurableContext):
    config = open("config.json").read()  # expect: DUR203
    text = Path("x.txt").read_text()  # expect: DUR203
    shutil.rmtree("/tmp/work")  # expect: DUR203
    return context.step(lambda _: (config, text), name="cfg")
""",
    )
