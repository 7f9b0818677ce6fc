"""Shared pytest set-up.

- `--update-goldens` rewrites golden files instead of comparing them (`make goldens`).
- Hypothesis profiles: on CI (`CI` set, as `.ci/run` is run) examples are derandomized, so a CI run is
  reproducible and judges the change, not the luck of the draw; developers' runs explore fresh examples
  (and keep failures in `.hypothesis/`). `HYPOTHESIS_PROFILE` picks a profile explicitly.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output (make goldens)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))
