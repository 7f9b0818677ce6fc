"""to-asl on the samples: valid, deterministic output that runs to the sample's expected outcome.

Each compiled sample runs under `run-asl` on both interpreters (moto and sfnx.testing) with the sample's
input and callback answers, and must end as the sample's expected file says (status, result, error
type), which AWS's own runner has confirmed for the handler itself. Constructs the backend cannot
express are DUR820 (tests/asl/test_asl_ops.py), never compiled silently wrong.
"""

from __future__ import annotations

import json
import py_compile
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from durable_compile.backends.asl import is_valid, validate_text
from durable_compile.backends.asl.localrun import Answer
from durable_compile.backends.asl.localrun.folder import run_folder
from durable_compile.backends.asl.package import compile_file, write
from durable_compile.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
GOLDEN_ASL = sorted((ROOT / "tests" / "golden").glob("*/asl*.json"))
#: samples that compile without DUR820 and run to their expected outcome
RUNS = ["batch_loop", "child_contexts", "document_pipeline", "early_return", "error_handling", "fanout_map",
        "human_approval", "nested_fanout", "order_saga", "parallel_enrich", "poll_job", "retry_payment",
        "subscription_renewal", "vendor_onboarding"]


def expected(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.expected.json").read_text())


def answers(spec: dict[str, Any]) -> dict[str, Answer]:
    found = {}
    for cb in spec["callbacks"]:
        payload = cb["payload"]
        found[cb["name"]] = Answer(payload) if cb["action"] == "succeed" else \
            Answer(error=payload["error_type"], cause=payload["error_message"])
    return found


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in RUNS:
        folder = tmp_path_factory.mktemp(name)
        result = compile_file(SAMPLES / f"{name}.py")
        assert result.ok, [d.message for d in result.diagnostics]
        write(result, folder)
        out[name] = folder
    return out


@pytest.mark.parametrize("engine", ["moto", "sfnx"])
@pytest.mark.parametrize("name", RUNS)
def test_compiled_sample_ends_as_expected(name: str, engine: str, compiled: dict[str, Path]) -> None:
    spec = expected(name)
    outcome = run_folder(compiled[name], json.loads((SAMPLES / f"{name}.input.json").read_text()),
                         answers(spec), engine=engine)  # type: ignore[arg-type]
    assert (outcome.status, outcome.result) == (spec["status"], spec["result"])
    assert outcome.error == spec["error_type"]


def test_every_single_handler_sample_compiles_without_dur820() -> None:
    """invoke_chain and two_handlers hold several handlers (one is chosen with --handler, tested above)."""
    single = {p.stem for p in SAMPLES.glob("*.py")} - {"invoke_chain", "two_handlers"}
    assert single == set(RUNS)
    for name in sorted(single):
        assert "DUR820" not in {d.code for d in compile_file(SAMPLES / f"{name}.py").diagnostics}, name


@pytest.mark.parametrize("path", GOLDEN_ASL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_asl_passes_our_validator(path: Path) -> None:
    problems = validate_text(path.read_text())
    assert is_valid(problems), [p.render() for p in problems]


def test_golden_asl_passes_asl_validator() -> None:
    assert shutil.which("node") is not None, "node is needed: make test installs the npm tools with it"
    files = [str(p) for p in GOLDEN_ASL]
    done = subprocess.run(["node", str(ROOT / "tests" / "asl" / "asl_validator_batch.js"), *files], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120)
    verdicts = json.loads(done.stdout)
    assert {f: r["errors"] for f, r in verdicts.items() if not r["valid"]} == {}


@pytest.mark.parametrize("name", RUNS)
def test_output_is_deterministic_and_generated_python_compiles(name: str, tmp_path: Path) -> None:
    first, second = compile_file(SAMPLES / f"{name}.py"), compile_file(SAMPLES / f"{name}.py")
    assert first.files == second.files
    write(first, tmp_path)
    py_compile.compile(str(tmp_path / "steps_handler.py"), doraise=True)


def test_source_map_names_every_state() -> None:
    result = compile_file(SAMPLES / "order_saga.py")
    states = json.loads(result.files["statemachine.asl.json"])["States"]
    source_map = json.loads(result.files["source-map.json"])
    assert set(states) <= set(source_map)
    assert all(entry["file"].endswith("order_saga.py") and entry["line"] > 0 for entry in source_map.values())


def test_template_passes_cfn_lint(tmp_path: Path) -> None:
    cfn_lint = shutil.which("cfn-lint", path=str(Path(__import__("sys").executable).parent))
    assert cfn_lint is not None, "cfn-lint comes with requirements-test.txt (make test)"
    for name in ("order_saga", "vendor_onboarding"):
        write(compile_file(SAMPLES / f"{name}.py"), tmp_path / name)
        done = subprocess.run([cfn_lint, str(tmp_path / name / "template.yaml")], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    invoke = compile_file(SAMPLES / "invoke_chain.py", "handler")
    assert '"tax-calculator"' in invoke.files["template.yaml"]


def test_cli_to_asl_then_run_asl(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["to-asl", str(SAMPLES / "batch_loop.py"), "-o", str(tmp_path)])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "statemachine.asl.json").is_file() and (tmp_path / "template.yaml").is_file()
    event = (SAMPLES / "batch_loop.input.json").read_text()
    ran = runner.invoke(main, ["run-asl", str(tmp_path), "--input", event, "--json", "--engine", "sfnx"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.output) == {"status": "SUCCEEDED", "result": expected("batch_loop")["result"],
                                      "error": None}


def test_cli_strict_refuses_lifted_code(tmp_path: Path) -> None:
    source = tmp_path / "sliced.py"  # a slice has no JSONata translation: the code would be lifted
    source.write_text("from aws_durable_execution_sdk_python import durable_execution\n\n\n@durable_execution\n"
                      "def handler(event, context):\n    return event['items'][1:]\n")
    done = CliRunner().invoke(main, ["to-asl", str(source), "-o", str(tmp_path / "out"), "--strict"])
    assert done.exit_code == 1
    assert "DUR822" in done.output and not (tmp_path / "out" / "statemachine.asl.json").exists()


def test_cli_callback_answers(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["to-asl", str(SAMPLES / "vendor_onboarding.py"), "-o", str(tmp_path)]).exit_code == 0
    event = (SAMPLES / "vendor_onboarding.input.json").read_text()
    sanctioned = runner.invoke(main, ["run-asl", str(tmp_path), "--input", event, "--json", "--callback",
                                      'background-check create callback id={"sanctioned": true, "risk": "high"}'])
    assert json.loads(sanctioned.output)["result"] == {"vendor": "Nordic Fasteners AB", "status": "refused",
                                                       "reason": "sanctions list"}
    unsigned = runner.invoke(main, ["run-asl", str(tmp_path), "--input", event, "--json", "--callback",
                                    'background-check create callback id={"sanctioned": false, "risk": "mid"}'])
    assert json.loads(unsigned.output)["result"] == {"vendor": "Nordic Fasteners AB", "status": "manual-review",
                                                     "risk": "mid"}
