"""`durable-compile history`: every operation's events name the original file and line of its call.

Each case is a sample run twice through `durable-compile run`: as written, and as the module `to-python`
generates from it. Both histories must show the same source column (the generated module names the
original file from its header and the original lines from its tags), and the text output is a golden
file (timestamps masked). The JSON output follows grammars/history.schema.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from durable_compile.cli import main
from durable_runtime import compat
from tests.python_backend.support import compile_file

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "history"
SCHEMA = json.loads((ROOT / "grammars" / "history.schema.json").read_text())
CASES = ["order_saga", "fanout_map", "child_contexts"]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)  # paths are shown relative to the working directory
    return tmp_path / "state.db"


def cli(*args: str) -> Result:
    with compat.aliased():  # `run` maps AWS SDK imports onto durable_runtime: only for this call
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run_case(path: Path, sample: str, store: Path) -> str:
    """Run FILE on the sample's input; the execution id."""
    done = cli(
        "run", str(path), "--input-file", f"samples/{sample}.input.json", "--skip-time", "--json", "--store", str(store)
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "SUCCEEDED", summary
    return str(summary["execution_id"])


def generated(sample: str, folder: Path) -> Path:
    """The module `to-python` generates for a sample, under the sample's own name (same execution name)."""
    target = folder / "generated" / f"{sample}.py"
    target.parent.mkdir(exist_ok=True)
    target.write_text(compile_file(ROOT / "samples" / f"{sample}.py").text)
    return target


def history_text(execution_id: str, store: Path) -> str:
    return TIME.sub("<time>".ljust(24), cli("history", execution_id, "--store", str(store)).stdout)


@pytest.mark.parametrize("sample", CASES)
def test_history_shows_the_original_file_and_line_of_every_operation(
    sample: str, store: Path, tmp_path: Path, update_goldens: bool
) -> None:
    original = history_text(run_case(ROOT / "samples" / f"{sample}.py", sample, store), store)
    compiled = history_text(run_case(generated(sample, tmp_path), sample, store), store)
    assert compiled == original  # the generated module's history names the original file and lines
    golden = GOLDEN / f"{sample}.txt"
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(compiled)
    assert compiled == golden.read_text(), "run `make goldens` and review the diff"


def test_every_operation_line_is_a_durable_call_of_the_original(store: Path, tmp_path: Path) -> None:
    source = (ROOT / "samples" / "order_saga.py").read_text().splitlines()
    events = json.loads(
        cli(
            "history",
            run_case(generated("order_saga", tmp_path), "order_saga", store),
            "--format",
            "json",
            "--store",
            str(store),
        ).stdout
    )
    steps = [e for e in events if e["EventType"] == "StepStarted"]
    assert steps and all(e["Source"]["File"] == "samples/order_saga.py" for e in steps)
    for event in steps:  # each names the line where that step is called
        assert f"{event['Name']}(" in source[event["Source"]["Line"] - 1], event


def test_json_output_follows_the_schema_and_adds_only_source(store: Path, tmp_path: Path) -> None:
    execution_id = run_case(generated("fanout_map", tmp_path), "fanout_map", store)
    with_source = json.loads(cli("history", execution_id, "--format", "json", "--store", str(store)).stdout)
    plain = json.loads(cli("history", execution_id, "--format", "json", "--no-source", "--store", str(store)).stdout)
    jsonschema.validate(with_source, SCHEMA)
    jsonschema.validate(plain, SCHEMA)
    assert all("Source" not in event for event in plain)
    assert [{k: v for k, v in e.items() if k != "Source"} for e in with_source] == plain
    located = [e for e in with_source if "Source" in e]
    assert {e["EventType"] for e in located} >= {"ExecutionStarted", "ContextStarted", "StepSucceeded"}
    assert all(e["Source"]["File"] == "samples/fanout_map.py" for e in located)


FAILING = """from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.retries import RetryPresets


def explode(_):
    raise ValueError("bad order")


@durable_execution
def handler(event, context):
    total = context.step(lambda _: 1, name="price")
    context.step(explode, name="explode", config=StepConfig(retry_strategy=RetryPresets.none()))
    return total
"""


def test_a_failing_step_names_its_original_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("flow.py").write_text(FAILING)
    assert cli("to-python", "flow.py", "-o", "out/flow.py").exit_code == 0
    line = FAILING.splitlines().index(next(s for s in FAILING.splitlines() if 'name="explode"' in s)) + 1
    for path in ("flow.py", "out/flow.py"):  # as written, and as generated
        done = cli("run", path, "--skip-time", "--store", "state.db")
        assert done.exit_code == 1
        assert done.stdout.splitlines()[1:] == [
            '{"ErrorMessage": "bad order", "ErrorType": "durable_runtime.exceptions.StepError"}',
            f"  at flow.py:{line} (Step 'explode')",
        ]
        execution_id = done.stdout.split()[0]
        failed = [
            r for r in cli("history", execution_id, "--store", "state.db").stdout.splitlines() if "StepFailed" in r
        ]
        assert [r.split()[-1] for r in failed] == [f"flow.py:{line}"]


CHANGING = """from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python.config import Duration

RUNS = []


@durable_execution
def handler(event, context):
    RUNS.append(1)
    context.step(lambda _: 1, name="first" if len(RUNS) == 1 else "renamed")
    context.wait(Duration.from_seconds(1), name="pause")
    return 1
"""


def test_a_non_deterministic_replay_names_the_recorded_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("changing.py").write_text(CHANGING)
    done = cli("run", "changing.py", "--skip-time", "--store", "state.db")
    assert done.exit_code == 1 and "NonDeterministicExecutionError" in done.stdout
    line = next(n for n, s in enumerate(CHANGING.splitlines(), 1) if "context.step" in s)
    assert done.stdout.splitlines()[-1] == f"  at changing.py:{line} (Step 'first')"
