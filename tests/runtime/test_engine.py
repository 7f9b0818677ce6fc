"""Engine facts checked directly: ids, envelope, non-determinism, suspension, limits, logger, import hook."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from durable_runtime import DurableContext, durable_execution
from durable_runtime.config import CompletionConfig, Duration, ParallelConfig
from durable_runtime.exceptions import NonDeterministicExecutionError, SuspendExecution, TimedSuspendExecution
from durable_runtime.identifier import operation_id
from durable_runtime.serdes import EXTENDED_TYPES_SERDES
from durable_runtime.testing import DurableFunctionTestRunner

aws_identifier = pytest.importorskip("aws_durable_execution_sdk_python.identifier")
aws_serdes = pytest.importorskip("aws_durable_execution_sdk_python.serdes")


@given(st.one_of(st.none(), st.text(max_size=70)), st.integers(min_value=0, max_value=10_000))
def test_operation_ids_are_awss(prefix: str | None, position: int) -> None:
    expected = aws_identifier.OperationIdNamespace(prefix).create_id_for_step(position)
    assert operation_id(prefix, position) == expected


_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.uuids(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.datetimes(),
    st.dates(),
)
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=12,
)


@given(_values)
def test_envelope_is_byte_identical_to_awss(value: Any) -> None:
    ours = EXTENDED_TYPES_SERDES.serialize(value)
    assert ours == aws_serdes.EXTENDED_TYPES_SERDES.serialize(value, None)
    assert EXTENDED_TYPES_SERDES.deserialize(ours) == aws_serdes.EXTENDED_TYPES_SERDES.deserialize(ours, None)


def test_suspension_is_not_an_exception() -> None:
    assert issubclass(SuspendExecution, BaseException) and not issubclass(SuspendExecution, Exception)
    assert issubclass(TimedSuspendExecution, SuspendExecution)


def test_except_exception_cannot_swallow_a_wait() -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> str:
        try:
            context.wait(Duration.from_seconds(3), name="w")
        except Exception:  # noqa: BLE001 - the point of the test
            return "swallowed"
        return "waited"

    assert DurableFunctionTestRunner(handler).run().result == '"waited"'


def test_a_changed_operation_fails_with_non_determinism() -> None:
    names = iter(["first", "second"])

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.step(lambda _: 1, name=next(names))
        context.wait(Duration.from_seconds(1))

    result = DurableFunctionTestRunner(handler).run()
    assert result.status.value == "FAILED"
    assert result.error is not None and result.error.type.endswith(NonDeterministicExecutionError.__name__)
    assert "name checkpoint='first' current='second'" in (result.error.message or "")


def test_a_payload_over_256_kib_fails_with_a_clear_error() -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.step(lambda _: "x" * (256 * 1024 + 1), name="big")

    result = DurableFunctionTestRunner(handler).run()
    assert result.status.value == "FAILED"
    assert result.error is not None and "over the 256 KiB limit" in (result.error.message or "")


def test_a_large_child_result_is_rebuilt_by_replaying_its_children() -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> int:
        parts = context.run_in_child_context(
            lambda c: [c.step(lambda _: "y" * 100_000, name=f"p{i}") for i in range(3)], name="parts"
        )
        context.wait(Duration.from_seconds(1))
        return sum(len(p) for p in parts)

    result = DurableFunctionTestRunner(handler).run()
    assert result.result == "300000"
    assert result.get_context("parts").result == ""


def test_the_logger_is_silent_while_replaying(caplog: pytest.LogCaptureFixture) -> None:
    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.logger.info("before wait")
        context.wait(Duration.from_seconds(1))
        context.logger.info("after wait")

    with caplog.at_level(logging.INFO, logger="durable_runtime.user"):
        DurableFunctionTestRunner(handler).run()
    assert [r.getMessage() for r in caplog.records] == ["before wait", "after wait"]


def test_an_unedited_aws_handler_runs_without_the_aws_sdk(tmp_path: Path) -> None:
    handler = tmp_path / "order.py"
    handler.write_text(
        textwrap.dedent(
            """
            from aws_durable_execution_sdk_python import DurableContext, durable_execution, durable_step
            from aws_durable_execution_sdk_python.config import Duration

            @durable_step
            def price(step_ctx, qty):
                return qty * 3

            @durable_execution
            def handler(event, context: DurableContext):
                total = context.step(price(event["qty"]))
                context.wait(Duration.from_minutes(5))
                return {"total": total}
            """
        )
    )
    script = textwrap.dedent(
        f"""
        import json, sys
        sys.modules["aws_durable_execution_sdk_python"] = None  # as if not installed
        from durable_runtime import compat
        compat.install()
        from durable_runtime.loader import load_handler
        from durable_runtime.testing import DurableFunctionTestRunner
        runner = DurableFunctionTestRunner(load_handler({str(handler)!r} + ":handler"))
        result = runner.run(json.dumps({{"qty": 4}}))
        print(result.status.value, result.result)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split(maxsplit=1) == ["SUCCEEDED", json.dumps({"total": 12}) + "\n"]


def test_no_branch_work_after_the_batch_completes() -> None:
    """docs/aws-differences.md bug 1: once first_successful is met, no further branch work happens."""
    ran: list[str] = []

    def slow(ctx: DurableContext) -> str:
        ctx.step(lambda _: ran.append("slow") or "slow", name="slow")
        return "slow"

    @durable_execution
    def handler(event: Any, context: DurableContext) -> list[str]:
        config = ParallelConfig(completion_config=CompletionConfig.first_successful())
        batch = context.parallel([lambda c: c.step(lambda _: "fast", name="fast"), slow], name="race", config=config)
        context.step(lambda _: ran.append("after") or "after", name="after")
        return [item.status.value for item in batch.all]

    result = DurableFunctionTestRunner(handler).run()
    assert (result.result, ran) == ('["SUCCEEDED"]', ["after"])


def test_set_logger_reaches_child_contexts_and_steps() -> None:
    seen: list[str] = []

    class Collect:
        def info(self, msg: object, *args: object, extra: object = None) -> None:
            seen.append(str(msg) % args)

    @durable_execution
    def handler(event: Any, context: DurableContext) -> None:
        context.set_logger(Collect())  # type: ignore[arg-type]
        context.logger.info("top %d", 1)
        context.run_in_child_context(lambda child: child.logger.info("child %d", 2), name="kid")

    DurableFunctionTestRunner(handler).run()
    assert seen == ["top 1", "child 2"]
