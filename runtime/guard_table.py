"""The calls the determinism guard stops in orchestration code, as data (the Temporal sandbox idea).

Each row: the kind of non-determinism, the module, the attribute path from it, and how it is caught:
`c` for a function implemented in C (seen by the profiler as a `c_call` of that very object), `py` for a
Python function (seen as a `call` of its code object). `py-none` rows only count when the function's
first argument after `self` is None (`random.Random()` and `random.seed()` without a seed). Rows whose
target does not exist on this platform or Python version are skipped.
"""

from __future__ import annotations

from typing import NamedTuple


class Ban(NamedTuple):
    kind: str  #: clock, random, uuid, environment, file, network, subprocess, sleep
    module: str  #: where it lives
    path: str  #: attribute path from the module ("datetime.now", "_inst.random")
    how: str  #: "c", "py" or "py-none"
    shown: str  #: how a violation names it


def _rows(kind: str, module: str, how: str, *paths: str) -> list[Ban]:
    return [Ban(kind, module, p, how, f"{module}.{p.removeprefix('_inst.')}") for p in paths]


BANS: tuple[Ban, ...] = (
    *_rows(
        "clock",
        "time",
        "c",
        "time",
        "time_ns",
        "monotonic",
        "monotonic_ns",
        "perf_counter",
        "perf_counter_ns",
        "process_time",
        "process_time_ns",
        "thread_time",
        "thread_time_ns",
    ),
    *_rows("clock", "datetime", "c", "datetime.now", "datetime.utcnow", "datetime.today", "date.today"),
    *_rows("random", "random", "c", "_inst.random", "_inst.getrandbits"),
    Ban("random", "random", "Random.seed", "py-none", "random.Random"),
    *_rows("random", "os", "c", "urandom", "getrandom"),
    *_rows("uuid", "uuid", "py", "uuid1", "uuid4"),
    *_rows("environment", "os", "py", "getenv", "getenvb"),
    *(Ban("environment", "os", f"_Environ.{m}", "py", "os.environ") for m in ("__getitem__", "__iter__", "copy")),
    *_rows("file", "builtins", "c", "open"),
    *_rows(
        "file",
        "os",
        "c",
        "open",
        "listdir",
        "scandir",
        "remove",
        "unlink",
        "rename",
        "replace",
        "mkdir",
        "rmdir",
        "stat",
        "lstat",
    ),
    *_rows("network", "socket", "py", "socket.__init__", "create_connection", "getaddrinfo"),
    *_rows("network", "socket", "c", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"),
    *_rows("subprocess", "subprocess", "py", "Popen.__init__"),
    *_rows("subprocess", "os", "c", "system", "fork", "execv", "execve", "posix_spawn", "posix_spawnp"),
    *_rows("sleep", "time", "c", "sleep"),
)

#: Generic plumbing that never names the call better than the table does.
PLUMBING = ("collections.abc", "abc", "functools", "contextlib")

#: Modules whose own use of these calls is not the orchestration's business: the runtime (checkpoints,
#: `context.logger`, step bodies it runs), logging (timestamps), imports, tracebacks, warnings, locks.
INFRASTRUCTURE = (
    "durable_runtime.",
    "logging",
    "importlib",
    "zipimport",
    "encodings",
    "linecache",
    "traceback",
    "warnings",
    "threading",
    "concurrent.futures",
)
