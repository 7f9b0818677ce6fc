"""Maps `aws_durable_execution_sdk_python[.x]` imports onto `durable_runtime[.x]`, so an unedited AWS
handler file runs here whether or not the AWS SDK is installed. Install it before loading user code."""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

AWS_PACKAGE = "aws_durable_execution_sdk_python"
OUR_PACKAGE = "durable_runtime"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: Any) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        return None


class AwsSdkAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != AWS_PACKAGE and not fullname.startswith(AWS_PACKAGE + "."):
            return None
        ours = OUR_PACKAGE + fullname[len(AWS_PACKAGE) :]
        if importlib.util.find_spec(ours) is None:
            return None
        is_package = hasattr(importlib.import_module(ours), "__path__")
        return importlib.util.spec_from_loader(fullname, _AliasLoader(ours), is_package=is_package)


def install() -> None:
    """Route AWS SDK imports to durable_runtime from now on (idempotent)."""
    if not any(isinstance(f, AwsSdkAliasFinder) for f in sys.meta_path):
        for name in [n for n in sys.modules if n == AWS_PACKAGE or n.startswith(AWS_PACKAGE + ".")]:
            del sys.modules[name]
        sys.meta_path.insert(0, AwsSdkAliasFinder())


@contextlib.contextmanager
def aliased() -> Iterator[None]:
    """Map AWS SDK imports onto durable_runtime only inside the block; restore everything afterwards.

    Lets a process that also uses the real AWS SDK (a differential test, a conformance harness) import a
    handler file against this runtime: names the file binds at import time keep pointing here.
    """
    saved = {n: m for n, m in sys.modules.items() if n == AWS_PACKAGE or n.startswith(AWS_PACKAGE + ".")}
    for name in saved:
        del sys.modules[name]
    finder = AwsSdkAliasFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n == AWS_PACKAGE or n.startswith(AWS_PACKAGE + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)
