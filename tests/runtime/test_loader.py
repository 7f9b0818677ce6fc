"""A handler file is loaded as a module named after its stem, as Lambda imports `module.handler`, so that
the error types recorded for its exception classes read `stem.ClassName` as on AWS; a stem that another
module already holds gets a name made from the path instead, and never replaces that module."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from durable_runtime import compat
from durable_runtime.loader import load_module, module_name

SOURCE = '''class Declined(Exception):
    pass
'''


@pytest.fixture(autouse=True)
def _sdk_imports_restored() -> Iterator[None]:
    """load_module routes AWS SDK imports to durable_runtime for the rest of the process (as `run` wants);
    other tests in this worker import the real SDK, so the routing is undone afterwards."""
    meta_path = list(sys.meta_path)
    saved = {n: m for n, m in sys.modules.items() if n.split(".")[0] == compat.AWS_PACKAGE}
    yield
    sys.meta_path[:] = meta_path
    for name in [n for n in sys.modules if n.split(".")[0] == compat.AWS_PACKAGE]:
        del sys.modules[name]
    sys.modules.update(saved)


def write(folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.py"
    path.write_text(SOURCE)
    return path


def test_a_free_stem_is_the_module_name(tmp_path: Path) -> None:
    path = write(tmp_path, "payments_handler_x1")
    try:
        module = load_module(path)
        assert module.__name__ == "payments_handler_x1"
        assert module.Declined.__module__ == "payments_handler_x1"
        assert load_module(path) is module
        assert module_name(path.resolve()) == "payments_handler_x1"
    finally:
        sys.modules.pop("payments_handler_x1", None)


@pytest.mark.parametrize("stem", ["json", "sys", "pytest", "not-an-identifier"])
def test_a_taken_or_invalid_stem_gets_a_path_name(tmp_path: Path, stem: str) -> None:
    path = write(tmp_path, stem)
    before = sys.modules.get(stem)
    module = load_module(path)
    try:
        assert module.__name__.startswith("durable_user_")
        assert sys.modules.get(stem) is before
        assert json.dumps([1]) == "[1]"  # the standard module still works
    finally:
        sys.modules.pop(module.__name__, None)


def test_two_files_with_one_stem_are_two_modules(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = write(tmp_path / "a", "same_stem_x2"), write(tmp_path / "b", "same_stem_x2")
    one, two = load_module(first), load_module(second)
    try:
        assert one.__name__ == "same_stem_x2"
        assert two.__name__.startswith("durable_user_")
        assert one.__file__ != two.__file__
    finally:
        sys.modules.pop(one.__name__, None)
        sys.modules.pop(two.__name__, None)
