"""Loads a user's handler file as a module (with AWS SDK imports mapped onto this runtime)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from durable_runtime import compat


class HandlerNotFoundError(LookupError):
    pass


def load_module(path: str | Path) -> Any:
    """The file as a module named after its stem, as Lambda imports `module.handler`, so that the error
    types recorded for its exception classes read `stem.ClassName` as they do on AWS; when another module
    already holds that name (a file called `json.py`, or a second file with the same stem), a name made
    from the file's path is used instead."""
    compat.install()
    file = Path(path).resolve()
    name = module_name(file)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise HandlerNotFoundError(f"{file}: cannot load as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(file.parent))
    spec.loader.exec_module(module)
    return module


def module_name(file: Path) -> str:
    """The stem when it is free (or already this file's module) and an importable name, else a name made
    from the path."""
    stem = file.stem
    loaded = sys.modules.get(stem)
    mine = loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() == file
    taken = loaded is not None or stem in sys.builtin_module_names or _importable(stem)
    if stem.isidentifier() and (mine or not taken):
        return stem
    return "durable_user_" + hashlib.blake2b(str(file).encode(), digest_size=6).hexdigest()


def _importable(name: str) -> bool:
    """Whether an installed module has that name (a user file must not shadow it in sys.modules)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def find_handler(module: Any, name: str | None) -> Callable[..., Any]:
    """The named attribute, or the only `@durable_execution` function in the module."""
    if name:
        found = getattr(module, name, None)
        if found is None:
            raise HandlerNotFoundError(f"no attribute {name!r} in {module.__file__}")
        return found  # type: ignore[no-any-return]
    durable = [v for v in vars(module).values() if callable(v) and hasattr(v, "__durable_handler__")]
    if len(durable) != 1:
        raise HandlerNotFoundError(
            f"{module.__file__}: found {len(durable)} @durable_execution handlers; name one with --handler"
        )
    return durable[0]  # type: ignore[no-any-return]


def load_handler(ref: str) -> Callable[..., Any]:
    """`FILE[:HANDLER]` -> the handler."""
    path, _, name = ref.partition(":")
    return find_handler(load_module(path), name or None)
