"""`durable-compile verify`: perturbed worlds find what the lint cannot prove, and name the line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from durable_compile.cli import main
from tests.python_backend.support import SAMPLES

HEAD = """import datetime
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration
"""

CLOCK = HEAD + """

def label():
    return datetime.datetime.now().strftime("%Y-%m-%d")


@durable_execution
def handler(event, context):
    first = context.step(lambda _: event["n"] + 1, name="first")
    context.wait(Duration.from_seconds(5), name="pause")
    tag = label()
    return context.step(lambda _: f"{tag}-{first}", name="second")
"""

GLOBAL_STATE = HEAD + """
SEEN = []


@durable_execution
def handler(event, context):
    SEEN.append(event["n"])
    context.wait(Duration.from_seconds(5), name="pause")
    return context.step(lambda _: len(SEEN), name="count")
"""

SET_ORDER = HEAD + """

@durable_execution
def handler(event, context):
    done = []
    for region in {"eu-west-1", "us-east-1", "ap-south-1", "sa-east-1", "ca-central-1", "me-south-1"}:
        done.append(context.step(lambda _: 1, name=f"deploy-{region}"))
    return len(done)
"""


def verify(tmp_path: Path, source: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "flow.py"
    path.write_text(source)
    result = CliRunner().invoke(main, ["verify", str(path), "--input", '{"n": 1}', *args])
    return result.exit_code, result.output.replace(str(path), "flow.py")


def test_a_clock_read_in_orchestration_diverges_in_a_shifted_world(tmp_path: Path) -> None:
    code, output = verify(tmp_path, CLOCK, "--runs", "1")
    assert code == 1
    lines = output.splitlines()
    assert lines[1].startswith("flow.py:15: divergence in a fresh run (PYTHONHASHSEED=2, clock +3 days)")
    assert "step 'second'" in lines[1] and lines[1].endswith(": value")
    base, other = lines[2].split(": ", 1)[1], lines[3].split(": ", 1)[1]
    assert base != other and base.endswith('-2"') and other.endswith('-2"')


def test_module_state_diverges_only_when_replayed_in_a_fresh_process(tmp_path: Path) -> None:
    code, output = verify(tmp_path, GLOBAL_STATE, "--runs", "1")
    assert code == 1
    assert "flow.py:12: divergence in a replay from suspension point 1" in output
    assert "  baseline: 2\n  this run: 1" in output


def test_set_order_diverges_under_another_hash_seed(tmp_path: Path) -> None:
    code, output = verify(tmp_path, SET_ORDER, "--runs", "3")
    assert code == 1
    assert "divergence in a fresh run" in output and ": name" in output


def test_a_deterministic_sample_agrees_in_every_world_and_every_replay() -> None:
    sample = SAMPLES / "poll_job.py"
    payload = json.dumps(json.loads(sample.with_name("poll_job.input.json").read_text()))
    result = CliRunner().invoke(main, ["verify", str(sample), "--input", payload, "--runs", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("4 suspension points, baseline SUCCEEDED: no divergence")


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    code, output = verify(tmp_path, CLOCK.replace("x", "x"), "--input", "{nope")
    assert code == 2 and "--input is not JSON" in output
