"""The `.pre-commit-hooks.yaml` hook, run by real pre-commit (`try-repo`) against a temporary git repository
holding a bad and a good handler. The hook's environment is installed offline from the wheelhouse that
`make test` prepares (`.venv/wheelhouse`), so the test never touches the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

BAD = '''from datetime import datetime
from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    started = datetime.now()
    return context.step(lambda _: str(started), name="echo")
'''
GOOD = '''from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: event["id"], name="echo")
'''

pytestmark = pytest.mark.skipif(not (WHEELHOUSE / ".done").exists() or shutil.which("git") is None,
                                reason="run through `make test`, which prepares the offline wheelhouse")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_pre_commit_try_repo_flags_the_bad_handler_only(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "bad.py").write_text(BAD)
    (repo / "good.py").write_text(GOOD)
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(WHEELHOUSE), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

    def hook(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(PRE_COMMIT), "try-repo", str(ROOT), "durable-lint", *args], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)

    both = hook("--all-files")
    assert both.returncode == 1, both.stdout + both.stderr
    assert "bad.py:7:15: DUR101" in both.stdout
    assert "good.py:" not in both.stdout
    good = hook("--files", "good.py")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
