"""One namespace per SDK (AWS's or ours) so the same handler code can be built against either."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

_SUBMODULES = ("", ".config", ".retries", ".waits", ".exceptions", ".concurrency.models", ".serdes")


def namespace(root: str) -> SimpleNamespace:
    names: dict[str, object] = {}
    for suffix in _SUBMODULES:
        module = importlib.import_module(root + suffix)
        names.update({k: v for k, v in vars(module).items() if not k.startswith("_")})
    names["root"] = root
    return SimpleNamespace(**names)


OURS = "durable_runtime"
AWS = "aws_durable_execution_sdk_python"
