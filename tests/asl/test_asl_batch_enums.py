"""A BatchResult's status and completion reason are the SDK's enums wherever the handler reads them.

`r.completion_reason`, `r.status` and each item's `status` are `CompletionReason` and `BatchItemStatus`
members in the handler: `str()` of one is `CompletionReason.ALL_COMPLETED`, `.name` and `.value` are its
text, and it equals the member the handler imports. Code the steps function runs (a step body, a lifted
computation) rebuilds them from the machine's JSON as those enums, not as a stand-in object whose `str()`
was `<steps_handler._Value object at 0x...>`. Each case runs on the durable runtime and under run-asl
(sfnx and moto) and must agree with the pinned result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.asl.diff_grammar import HEAD
from tests.asl.diff_harness import judge

IMPORTS = '''
from aws_durable_execution_sdk_python.concurrency.models import CompletionReason
from aws_durable_execution_sdk_python.config import BatchItemStatus
'''
HANDLER = "\n\n@durable_execution\ndef handler(event: dict, context: DurableContext):\n"
BATCH = '''
    def work(ctx, x, i, xs):
        if x < 0:
            raise ValueError(f"negative {x}")
        return ctx.step(lambda _: x * 2, name=f"w{i}")
    r = context.map(event["xs"], work, name="m",
                    config=MapConfig(completion_config=CompletionConfig(tolerated_failure_count=1)))
'''

#: name -> (the handler's body after the batch, events, the runtime's (status, result, error) for each)
CASES: dict[str, tuple[str, list[dict[str, Any]], list[tuple[str, Any, str | None]]]] = {
    "str() of the enums in a step body": ('''
    return context.step(lambda _: [str(r.completion_reason), str(r.status), [str(i.status) for i in r.all]],
                        name="show")
''', [{"xs": [1, -1]}], [("SUCCEEDED", ["CompletionReason.ALL_COMPLETED", "BatchItemStatus.FAILED",
                                      ["BatchItemStatus.SUCCEEDED", "BatchItemStatus.FAILED"]], None)]),
    "comparisons with the members the handler imports": ('''
    done = context.step(lambda _: r.completion_reason == CompletionReason.FAILURE_TOLERANCE_EXCEEDED, name="a")
    failed = [i.index for i in r.all if i.status == BatchItemStatus.FAILED]
    return {"tolerance": done, "failed": failed, "names": [i.status.name for i in r.all]}
''', [{"xs": [-1, 2, -3]}, {"xs": [4]}],
        [("SUCCEEDED", {"tolerance": True, "failed": [0, 2], "names": ["FAILED", "SUCCEEDED", "FAILED"]}, None),
         ("SUCCEEDED", {"tolerance": False, "failed": [], "names": ["SUCCEEDED"]}, None)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_batch_enums_read_as_on_the_durable_runtime(name: str, tmp_path: Path) -> None:
    body, events, pinned = CASES[name]
    source = HEAD + IMPORTS + HANDLER + BATCH.strip("\n") + "\n" + body.strip("\n") + "\n"
    for index, event in enumerate(events):
        verdict = judge(source, event, tmp_path, f"enums_{index}", ("sfnx", "moto"))
        assert verdict.kind == "compared", verdict
        assert verdict.runtime == pinned[index]
