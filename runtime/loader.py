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
    compat.install()
    file = Path(path).resolve()
    name = "durable_user_" + hashlib.blake2b(str(file).encode(), digest_size=6).hexdigest()
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
