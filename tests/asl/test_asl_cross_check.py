"""Our validator and the npm `asl-validator` 4.0.0 agree: VALID documents pass both, INVALID fail both.

tests/asl/invalid_gaps/ holds what only we catch (the gaps asl-validator leaves, see
shared reference asl.md); asl-validator accepts each of them, and if a future version starts rejecting
one, the test says so and the file moves to invalid/.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from durable_compile.backends.asl import is_valid, validate_text

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
FOLDERS = ("valid", "invalid", "invalid_gaps")
FILES = {folder: sorted((HERE / folder).glob("*.json")) for folder in FOLDERS}


@pytest.fixture(scope="module")
def asl_validator() -> dict[str, bool]:
    assert shutil.which("node") is not None, "node is needed: make test installs the npm tools with it"
    assert (ROOT / "node_modules" / "asl-validator").is_dir(), "run make node-deps"
    files = [str(p) for folder in FOLDERS for p in FILES[folder]]
    done = subprocess.run(["node", str(HERE / "asl_validator_batch.js"), *files], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=120)
    return {Path(f).name + "@" + Path(f).parent.name: r["valid"] for f, r in json.loads(done.stdout).items()}


def key(path: Path) -> str:
    return path.name + "@" + path.parent.name


def test_there_are_enough_invalid_documents() -> None:
    assert len(FILES["invalid"]) >= 20 and len(FILES["valid"]) >= 5


@pytest.mark.parametrize("path", FILES["valid"] + FILES["invalid"], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_both_validators_agree(path: Path, asl_validator: dict[str, bool]) -> None:
    ours = is_valid(validate_text(path.read_text()))
    assert ours == asl_validator[key(path)] == (path.parent.name == "valid")


@pytest.mark.parametrize("path", FILES["invalid_gaps"], ids=lambda p: p.stem)
def test_gaps_only_we_catch(path: Path, asl_validator: dict[str, bool]) -> None:
    assert not is_valid(validate_text(path.read_text()))
    assert asl_validator[key(path)], f"asl-validator now rejects {path.name}: move it to tests/asl/invalid/"
