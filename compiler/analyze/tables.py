"""The banned-API tables, as data: which qualified names break replay, under which code.

Names are the canonical spellings `ImportMap.qualify` gives (`time.time`, `datetime.datetime.now`,
`builtins.open`). Lookup order: `ALLOWED` (never flagged), `EXACT`, then the longest matching
`PREFIXES` entry. `CLIENT_FACTORIES` names constructors whose *instances* do I/O: building one is fine,
calling a method on it (optionally only the methods listed) is flagged.
"""

from __future__ import annotations

_CLOCK = [
    "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter",
    "time.perf_counter_ns", "time.process_time", "time.process_time_ns", "time.thread_time",
    "time.thread_time_ns", "time.localtime", "time.gmtime", "time.ctime", "time.asctime", "time.strftime",
    "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
    "pendulum.now", "pendulum.today", "pendulum.yesterday", "pendulum.tomorrow", "arrow.now", "arrow.utcnow",
    "arrow.get",
]
_RANDOM = [
    "os.urandom", "os.getrandom", "random.SystemRandom", "numpy.random.rand", "numpy.random.randn",
    "numpy.random.randint", "numpy.random.random", "numpy.random.choice", "numpy.random.shuffle",
    "numpy.random.permutation", "numpy.random.uniform", "numpy.random.normal", "uuid.getnode",
]
_IDS = [
    "uuid.uuid1", "uuid.uuid4", "uuid.uuid6", "uuid.uuid7", "ulid.new", "ulid.ULID", "ulid.ulid",
    "nanoid.generate", "shortuuid.uuid", "shortuuid.random", "bson.ObjectId", "bson.objectid.ObjectId",
]
_IDENTITY = [
    "os.getpid", "os.getppid", "threading.get_ident", "threading.get_native_id", "threading.current_thread",
    "socket.gethostname", "socket.getfqdn", "platform.node", "os.cpu_count", "os.uname", "os.getlogin",
]
_ENV = ["os.getenv", "os.getenvb", "os.environ.get", "os.environ.copy", "os.environ.items", "os.environ.keys",
        "os.environ.values", "dotenv.load_dotenv", "dotenv.dotenv_values"]
_FS = [
    "builtins.open", "io.open", "os.listdir", "os.scandir", "os.walk", "os.remove", "os.unlink", "os.rename",
    "os.replace", "os.makedirs", "os.mkdir", "os.rmdir", "os.removedirs", "os.stat", "os.lstat", "os.open",
    "os.path.exists", "os.path.isfile", "os.path.isdir", "os.path.getsize", "os.path.getmtime",
    "os.truncate", "os.chmod", "os.chown", "os.utime",
]
_SUBPROCESS = ["os.system", "os.popen", "os.fork", "os.kill", "os.killpg", "multiprocessing.Process",
               "os.startfile"]
_SLEEP = ["time.sleep", "asyncio.sleep"]
_THREADS = [
    "threading.Thread", "threading.Timer", "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor", "concurrent.futures.thread.ThreadPoolExecutor",
    "multiprocessing.Pool", "multiprocessing.pool.Pool", "multiprocessing.pool.ThreadPool", "asyncio.create_task",
    "asyncio.gather", "asyncio.run", "asyncio.ensure_future", "asyncio.to_thread", "_thread.start_new_thread",
]
_LOGS = ["builtins.print", "sys.stdout.write", "sys.stderr.write", "sys.stdout.writelines"]
_AWS = [
    "aws_lambda_powertools.utilities.parameters.get_parameter",
    "aws_lambda_powertools.utilities.parameters.get_parameters",
    "aws_lambda_powertools.utilities.parameters.get_secret",
    "aws_lambda_powertools.utilities.parameters.get_app_config",
]

EXACT: dict[str, str] = {
    **dict.fromkeys(_CLOCK, "DUR101"), **dict.fromkeys(_RANDOM, "DUR102"), **dict.fromkeys(_IDS, "DUR103"),
    **dict.fromkeys(_IDENTITY, "DUR104"), **dict.fromkeys(_ENV, "DUR105"), "builtins.hash": "DUR106",
    "builtins.id": "DUR106", **dict.fromkeys(_FS, "DUR203"), **dict.fromkeys(_SUBPROCESS, "DUR204"),
    **dict.fromkeys(_LOGS, "DUR205"), **dict.fromkeys(_SLEEP, "DUR301"), **dict.fromkeys(_THREADS, "DUR302"),
    **dict.fromkeys(_AWS, "DUR202"),
}

PREFIXES: dict[str, str] = {
    "random.": "DUR102", "secrets.": "DUR102", "numpy.random.": "DUR102",
    "socket.": "DUR201", "http.client.": "DUR201", "urllib.request.": "DUR201", "urllib3.": "DUR201",
    "requests.": "DUR201", "httpx.": "DUR201", "aiohttp.": "DUR201", "grpc.": "DUR201", "smtplib.": "DUR201",
    "ftplib.": "DUR201", "psycopg.": "DUR201", "psycopg2.": "DUR201", "pymysql.": "DUR201",
    "pymongo.": "DUR201", "redis.": "DUR201", "sqlite3.": "DUR201", "openai.": "DUR201",
    "anthropic.": "DUR201", "sqlalchemy.create_engine": "DUR201",
    "shutil.": "DUR203", "glob.": "DUR203", "tempfile.": "DUR203",
    "subprocess.": "DUR204", "os.spawn": "DUR204", "os.exec": "DUR204", "os.posix_spawn": "DUR204",
    "logging.": "DUR205",
}

#: names that share a banned prefix but are pure (exceptions, constants, constructors of pure objects)
ALLOWED: frozenset[str] = frozenset({
    "random.Random", "numpy.random.default_rng", "numpy.random.Generator", "numpy.random.seed",
    "logging.getLogger", "logging.Logger", "logging.LoggerAdapter", "socket.AF_INET", "socket.SOCK_STREAM",
})
ALLOWED_PREFIXES: tuple[str, ...] = (
    "requests.exceptions.", "httpx.HTTPError", "httpx.HTTPStatusError", "httpx.TimeoutException",
    "botocore.exceptions.", "socket.timeout", "socket.error", "grpc.StatusCode", "logging.DEBUG",
    "logging.INFO", "logging.WARNING", "logging.ERROR", "logging.CRITICAL",
)

#: constructors whose instances do I/O: qualified name -> (code, methods flagged or None for all)
CLIENT_FACTORIES: dict[str, tuple[str, frozenset[str] | None]] = {
    "boto3.client": ("DUR202", None), "boto3.resource": ("DUR202", None),
    "boto3.session.Session.client": ("DUR202", None), "boto3.Session.client": ("DUR202", None),
    "aioboto3.Session.client": ("DUR202", None), "botocore.session.Session.create_client": ("DUR202", None),
    "requests.Session": ("DUR201", None), "httpx.Client": ("DUR201", None), "httpx.AsyncClient": ("DUR201", None),
    "openai.OpenAI": ("DUR201", None), "anthropic.Anthropic": ("DUR201", None), "redis.Redis": ("DUR201", None),
    "pymongo.MongoClient": ("DUR201", None),
    "logging.getLogger": ("DUR205", frozenset({"debug", "info", "warning", "warn", "error", "exception",
                                               "critical", "log"})),
    "pathlib.Path": ("DUR203", frozenset({"read_text", "write_text", "read_bytes", "write_bytes", "open",
                                          "iterdir", "glob", "rglob", "exists", "is_file", "is_dir", "unlink",
                                          "mkdir", "rmdir", "touch", "stat", "rename", "replace"})),
}

#: constructors seeded by their first argument: flagged only when called without one
UNSEEDED_WHEN_BARE: dict[str, str] = {"random.Random": "DUR102", "numpy.random.default_rng": "DUR102"}

#: iterables with no defined order (DUR402)
UNORDERED_CALLS: frozenset[str] = frozenset({
    "builtins.set", "builtins.frozenset", "os.listdir", "os.scandir", "glob.glob", "glob.iglob",
})

#: DurableContext methods that are durable operations
OPERATIONS: frozenset[str] = frozenset({
    "step", "wait", "create_callback", "wait_for_callback", "wait_for_condition", "parallel", "map", "invoke",
    "run_in_child_context",
})
#: positional index of the `name` argument of each operation
NAME_INDEX: dict[str, int] = {
    "step": 1, "wait": 1, "create_callback": 0, "wait_for_callback": 1, "wait_for_condition": 2, "parallel": 1,
    "map": 2, "invoke": 2, "run_in_child_context": 1,
}

#: thread / executor entry points whose callable argument runs off the orchestration thread (DUR303)
THREAD_CALLABLE_ARGS: dict[str, int] = {
    "threading.Thread": -1, "threading.Timer": 1, "asyncio.to_thread": 0, "_thread.start_new_thread": 0,
}
THREAD_METHODS: frozenset[str] = frozenset({"submit", "run_in_executor", "apply_async", "map_async"})

#: methods that mutate their receiver in place (DUR502, DUR503)
MUTATORS: frozenset[str] = frozenset({
    "append", "extend", "insert", "remove", "pop", "clear", "update", "add", "discard", "setdefault",
    "popitem", "sort", "reverse", "__setitem__", "appendleft", "extendleft",
})

#: codes whose findings propagate from helpers to the orchestration call site
TRANSITIVE_CODES: frozenset[str] = frozenset({
    "DUR101", "DUR102", "DUR103", "DUR104", "DUR105", "DUR106", "DUR201", "DUR202", "DUR203", "DUR204",
    "DUR301", "DUR302",
})
#: codes whose values make a decision or an operation name non-deterministic (taint sources)
TAINT_CODES: frozenset[str] = frozenset({
    "DUR101", "DUR102", "DUR103", "DUR104", "DUR105", "DUR106", "DUR201", "DUR202", "DUR203", "DUR204",
})


def lookup(qualname: str) -> str | None:
    """The code a call of `qualname` is reported under, or None when it is replay-safe."""
    if qualname in ALLOWED or qualname.startswith(ALLOWED_PREFIXES):
        return None
    code = EXACT.get(qualname)
    if code is not None:
        return code
    best = ""
    for prefix in PREFIXES:
        if qualname.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return PREFIXES[best] if best else None
