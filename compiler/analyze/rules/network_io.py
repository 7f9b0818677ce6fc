"""DUR201 network-io."""

from __future__ import annotations

from durable_compile import diagnostics as dx
from durable_compile.analyze.banned import BannedCallRule


class NetworkIo(BannedCallRule):
    """Network I/O in orchestration code.

    Orchestration code re-runs on every replay: an HTTP call, a socket, a database query or an LLM
    request made there is repeated each time (side effects happen again) and may answer differently.
    Flags socket, http.client, urllib, urllib3, requests, httpx, aiohttp, grpc, smtplib, database drivers
    and LLM SDK clients (calls on clients built from them too).
    """

    code = dx.register(dx.Code(
        "DUR201", "network-io", dx.Severity.ERROR, "network I/O happens in orchestration code",
        "do the call inside a step (its result is checkpointed), or use context.invoke",
    ))
    verb = "does network I/O"
    VALID = (
        """
import requests
from requests.exceptions import HTTPError
@durable_execution
def handler(event, context: DurableContext):
    try:
        body = context.step(lambda _: requests.get(event["url"], timeout=5).text, name="fetch")
    except HTTPError:
        body = ""
    return body
""",
    )
    INVALID = (
        """
import requests, httpx
SESSION = requests.Session()
@durable_execution
def handler(event, context: DurableContext):
    page = requests.get(event["url"])  # expect: DUR201
    more = SESSION.get(event["url"])  # expect: DUR201
    with httpx.Client() as client:  # expect: DUR201
        pass
    return context.step(lambda _: (page.text, more.text), name="pages")
""",
    )
