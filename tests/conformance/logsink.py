"""An offline stand-in for CloudWatch Logs, so the suite's `ExpectedLogs` checks run locally.

Takes log records from two sources: the standard `logging` records that carry an execution ARN
(the SDK's context and step loggers add `executionArn` as an extra), and JSON lines that handlers
write through `emit_json` (the plugin requirements' "plain stdout" records). Gives the
CloudFormation and Logs client calls that the conformance package's `CloudWatchLogRetriever`
makes (`describe_stack_resource`, `filter_log_events`), answering only with the records of the
execution named in the filter pattern. Guarantees records come back in emission order, also
those emitted in a forked invocation process.
"""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_ARN_IN_FILTER = re.compile(r'\$\.(?:durableExecutionArn|executionArn) = "((?:[^"\\]|\\.)*)"')
_ARN_FIELDS = ("durableExecutionArn", "executionArn")


class LogSink:
    """Thread-safe store of JSON log lines, each tagged with the execution ARN it belongs to.

    Records emitted in a forked child (a runner that isolates invocations) are appended to a spool
    file; the parent takes them in, in order, before it stores or reads anything, so a crashed
    invocation's records are kept like those of a Lambda sandbox that died.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[tuple[str, dict[str, Any]]] = []
        self._seq = itertools.count()
        self._spool: str | None = None  #: where forked children append their records
        self._spool_read = 0  #: bytes of the spool already taken in
        self._in_child = False
        os.register_at_fork(before=self._open_spool, after_in_child=self._enter_child)

    def emit(self, record: dict[str, Any]) -> None:
        arn = next((str(record[f]) for f in _ARN_FIELDS if record.get(f)), "")
        event = {"timestamp": int(time.time() * 1000), "message": json.dumps(record, default=str)}
        if self._in_child and self._spool is not None:
            line = json.dumps([arn, event]) + "\n"
            fd = os.open(self._spool, os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
            return
        with self._lock:
            self._take_spool()
            self._records.append((arn, {**event, "ingestionTime": next(self._seq)}))

    def events_for(self, arn: str) -> list[dict[str, Any]]:
        with self._lock:
            self._take_spool()
            return [dict(event) for owner, event in self._records if owner == arn]

    def _open_spool(self) -> None:
        if self._spool is None and not self._in_child:
            fd, self._spool = tempfile.mkstemp(prefix="conformance-logs-", suffix=".jsonl")
            os.close(fd)
            atexit.register(os.unlink, self._spool)

    def _enter_child(self) -> None:
        self._in_child = True
        self._lock = threading.Lock()  # another thread of the parent may have held it at the fork

    def _take_spool(self) -> None:
        if self._spool is None:
            return
        with open(self._spool, "rb") as spool:
            spool.seek(self._spool_read)
            data = spool.read()
        complete = data[: data.rfind(b"\n") + 1]
        self._spool_read += len(complete)
        for line in complete.splitlines():
            arn, event = json.loads(line)
            self._records.append((arn, {**event, "ingestionTime": next(self._seq)}))


SINK = LogSink()


def emit_json(record: dict[str, Any]) -> None:
    """What a handler calls to write one structured record to its (simulated) log stream."""
    SINK.emit(record)


class CaptureHandler(logging.Handler):
    """A logging handler that copies every record carrying an execution ARN into the sink."""

    def __init__(self, sink: LogSink = SINK) -> None:
        super().__init__(level=logging.DEBUG)
        self._sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        arn = next((getattr(record, f) for f in _ARN_FIELDS if getattr(record, f, None)), None)
        if arn is None:
            return
        self._sink.emit(
            {
                "level": record.levelname,
                "message": record.getMessage(),
                "executionArn": str(arn),
                "operationId": getattr(record, "operationId", None),
                "operationName": getattr(record, "operationName", None),
            }
        )


@contextmanager
def capturing(sink: LogSink = SINK) -> Iterator[None]:
    """While active, records carrying an execution ARN reach the sink (INFO and above)."""
    root = logging.getLogger()
    handler, level = CaptureHandler(sink), root.level
    root.addHandler(handler)
    if level == logging.NOTSET or level > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class FakeCloudFormation:
    """Resolves a logical function id to itself: locally, function names are their own ids."""

    def describe_stack_resource(self, StackName: str, LogicalResourceId: str) -> dict[str, Any]:  # noqa: N803
        return {"StackResourceDetail": {"PhysicalResourceId": LogicalResourceId}}


class FakeLogs:
    """Answers `filter_log_events` from the sink, filtered by the ARN in the filter pattern."""

    def __init__(self, sink: LogSink = SINK) -> None:
        self._sink = sink

    def filter_log_events(self, **kwargs: Any) -> dict[str, Any]:
        match = _ARN_IN_FILTER.search(kwargs.get("filterPattern", ""))
        if match is None:
            return {"events": []}
        arn = match.group(1).replace('\\"', '"').replace("\\\\", "\\")
        return {"events": self._sink.events_for(arn)}
