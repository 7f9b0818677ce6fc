"""`to-python --fix-determinism`: clock, random and uuid reads become named steps, and the guard is satisfied."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from durable_compile.cli import main
from tests.python_backend.support import OURS, load_text, run_on

HANDLER = """import random
import time
import uuid
from datetime import datetime

from aws_durable_execution_sdk_python import durable_execution


@durable_execution
def handler(event, context):
    started = time.time()
    token = uuid.uuid4().hex
    roll = random.Random(7).randint(1, 6) + random.randint(1, 6)
    when = datetime.now().isoformat()
    context.step(lambda _: time.time(), name="in-step")
    return {"started": started > 0, "token": len(token), "roll": roll > 1, "when": len(when) > 0}
"""


def to_python(tmp_path: Path, source: str, *flags: str) -> tuple[str, str]:
    path = tmp_path / "flow.py"
    path.write_text(source)
    out = tmp_path / "out.py"
    result = CliRunner().invoke(main, ["to-python", str(path), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output + result.stderr
    return out.read_text(), result.stderr.replace(str(path), "flow.py")


def test_reads_become_named_steps_and_the_changed_lines_are_reported(tmp_path: Path) -> None:
    text, report = to_python(tmp_path, HANDLER, "--fix-determinism")
    assert report.splitlines()[:4] == [
        "flow.py:11: DUR101 fixed: move `time.time` into a step named 'time-11'",
        "flow.py:12: DUR103 fixed: move `uuid.uuid4` into a step named 'uuid-uuid4-12'",
        "flow.py:13: DUR102 fixed: move `random.randint` into a step named 'random-randint-13'",
        "flow.py:14: DUR101 fixed: move `datetime.datetime.now` into a step named 'now-14'",
    ]
    assert report.splitlines()[4].startswith("warning: each new step shifts the positions")
    assert 'started = _dc.at(11, context).step(lambda _: time.time(), name="time-11")' in text
    assert "random.Random(7).randint(1, 6) + _dc_t" in text  # the seeded generator stays where it is
    assert '_dc.at(15, context).step(lambda _: time.time(), name="in-step")' in text  # a step body is left alone
    assert "--fix-determinism" in text.splitlines()[1]


def test_the_fixed_module_runs_under_the_strict_guard_and_the_unfixed_one_does_not(tmp_path: Path) -> None:
    fixed, _ = to_python(tmp_path, HANDLER, "--fix-determinism")
    result = run_on(OURS, load_text(fixed, tmp_path).handler, {})
    assert (result["status"], result["result"]) == ("SUCCEEDED", {"started": True, "token": 32, "roll": True,
                                                                   "when": True})
    unfixed, _ = to_python(tmp_path, HANDLER)
    failed = run_on(OURS, load_text(unfixed, tmp_path).handler, {})
    assert (failed["status"], failed["error_type"]) == ("FAILED", "DeterminismViolation")


def test_a_clean_handler_is_left_as_it_is(tmp_path: Path) -> None:
    clean = HANDLER.replace("    started = time.time()\n", "    started = event.get('at', 1)\n")
    clean = "\n".join(line for line in clean.splitlines() if "uuid4" not in line and "now()" not in line
                      and "randint(1, 6) +" not in line)
    clean = clean.replace('"token": len(token), "roll": roll > 1, "when": len(when) > 0', '"ok": True')
    fixed, report = to_python(tmp_path, clean, "--fix-determinism")
    plain, _ = to_python(tmp_path, clean)
    assert report == "" and fixed.splitlines()[2:] == plain.splitlines()[2:]
