"""Checkpoint serialization: plain JSON for primitives, a tagged envelope `{"t": tag, "v": value}` otherwise.

Tags (the AWS SDK's): n s i f b, B bytes (base64), u UUID, d Decimal, dt datetime, D date, t tuple, l list,
m dict, br BatchResult. A value that has no tag fails with `SerDesError`.
"""

from __future__ import annotations

import base64
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from durable_runtime.concurrency.models import BatchResult
from durable_runtime.exceptions import RetryableSerDesError, SerDesError

T = TypeVar("T")


@dataclass(frozen=True)
class SerDesContext:
    operation_id: str = ""
    durable_execution_arn: str = ""


class SerDes(ABC, Generic[T]):
    @abstractmethod
    def serialize(self, value: T, serdes_context: SerDesContext) -> str: ...

    @abstractmethod
    def deserialize(self, data: str, serdes_context: SerDesContext) -> T: ...

    @staticmethod
    def is_primitive(obj: Any) -> bool:
        if obj is None or isinstance(obj, str | int | float | bool):
            return True
        return isinstance(obj, list) and all(SerDes.is_primitive(item) for item in obj)


class PassThroughSerDes(SerDes[T]):
    def serialize(self, value: T, _: SerDesContext) -> str:
        return value  # type: ignore[return-value]

    def deserialize(self, data: str, _: SerDesContext) -> T:
        return data  # type: ignore[return-value]


class JsonSerDes(SerDes[T]):
    def serialize(self, value: T, _: SerDesContext) -> str:
        return json.dumps(value)

    def deserialize(self, data: str, _: SerDesContext) -> T:
        return json.loads(data)  # type: ignore[no-any-return]


def _tagged(tag: str, value: Any) -> dict[str, Any]:
    return {"t": tag, "v": value}


def _encode(obj: Any) -> dict[str, Any]:
    """Tag one value; exact built-in types take a fast path, subclasses the general one."""
    kind = type(obj)
    if kind is str:
        return {"t": "s", "v": obj}
    if kind is int:
        return {"t": "i", "v": obj}
    if kind is dict:
        return _encode_dict(obj)
    if kind is list:
        return {"t": "l", "v": [_encode(v) for v in obj]}
    return _encode_general(obj)


def _encode_dict(obj: dict[Any, Any]) -> dict[str, Any]:
    if any(isinstance(k, tuple) for k in obj):
        raise SerDesError("Tuple keys not supported")
    return {"t": "m", "v": {k: _encode(v) for k, v in obj.items()}}


def _encode_general(obj: Any) -> dict[str, Any]:  # noqa: PLR0911 - one branch per tag
    if obj is None:
        return _tagged("n", None)
    if isinstance(obj, str):
        return _tagged("s", obj)
    if isinstance(obj, bool):
        return _tagged("b", obj)
    if isinstance(obj, int):
        return _tagged("i", obj)
    if isinstance(obj, float):
        return _tagged("f", obj)
    return _encode_rich(obj)


def _encode_rich(obj: Any) -> dict[str, Any]:  # noqa: PLR0911
    if isinstance(obj, bytes | bytearray | memoryview):
        return _tagged("B", base64.b64encode(bytes(obj)).decode("ascii"))
    if isinstance(obj, uuid.UUID):
        return _tagged("u", str(obj))
    if isinstance(obj, Decimal):
        return _tagged("d", str(obj))
    if isinstance(obj, datetime):
        return _tagged("dt", obj.isoformat())
    if isinstance(obj, date):
        return _tagged("D", obj.isoformat())
    if isinstance(obj, BatchResult):
        return _tagged("br", _encode(obj.to_dict())["v"])
    if isinstance(obj, list):
        return _tagged("l", [_encode(v) for v in obj])
    if isinstance(obj, tuple):
        return _tagged("t", [_encode(v) for v in obj])
    if isinstance(obj, dict):
        return _encode_dict(obj)
    raise SerDesError(f"Unsupported type: {type(obj)}")


def _unwrap(node: Any) -> Any:
    if isinstance(node, dict) and "t" in node and "v" in node:
        return _decode(node["t"], node["v"])
    return node


def _expect_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise SerDesError(f"Expected list, got {type(value)}")
    return value


def _expect_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SerDesError(f"Expected dict, got {type(value)}")
    return value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "n": lambda v: None,
    "s": str,
    "b": bool,
    "i": int,
    "f": float,
    "B": lambda v: base64.b64decode(v.encode("ascii")),
    "u": uuid.UUID,
    "d": Decimal,
    "dt": lambda v: datetime.fromisoformat(v[:-1] + "+00:00" if v.endswith("Z") else v),
    "D": date.fromisoformat,
    "l": lambda v: [_unwrap(x) for x in _expect_list(v)],
    "t": lambda v: tuple(_unwrap(x) for x in _expect_list(v)),
    "m": lambda v: {k: _unwrap(x) for k, x in _expect_dict(v).items()},
    "br": lambda v: BatchResult.from_dict({k: _unwrap(x) for k, x in _expect_dict(v).items()}),
}


def _decode(tag: Any, value: Any) -> Any:
    decoder = _DECODERS.get(tag) if isinstance(tag, str) else None
    if decoder is None:
        raise SerDesError(f'Unknown type tag: "{tag}"')
    return decoder(value)


class ExtendedTypeSerDes(SerDes[Any]):
    """The default: primitives (and lists of them) as plain JSON, everything else enveloped."""

    def serialize(self, value: Any, serdes_context: SerDesContext | None = None) -> str:
        return _dumps_default(value)

    def deserialize(self, data: str, serdes_context: SerDesContext | None = None) -> Any:
        return _loads_default(data)


DEFAULT_JSON_SERDES: SerDes[Any] = JsonSerDes()
EXTENDED_TYPES_SERDES: SerDes[Any] = ExtendedTypeSerDes()
PASS_THROUGH_SERDES: SerDes[Any] = PassThroughSerDes()


def _dumps_default(value: Any) -> str:
    if SerDes.is_primitive(value):
        return json.dumps(value, separators=(",", ":"))
    return json.dumps(_encode(value), separators=(",", ":"))


def _loads_default(data: str) -> Any:
    obj = json.loads(data)
    if SerDes.is_primitive(obj):
        return obj
    if not (isinstance(obj, dict) and "t" in obj and "v" in obj):
        raise SerDesError('Malformed envelope: missing "t" or "v" at root.')
    return _decode(obj["t"], obj["v"])


def serialize(serdes: SerDes[Any] | None, value: Any, operation_id: str, durable_execution_arn: str) -> str:
    try:
        if serdes is None:
            return _dumps_default(value)
        return (serdes or EXTENDED_TYPES_SERDES).serialize(value, SerDesContext(operation_id, durable_execution_arn))
    except (RetryableSerDesError, SerDesError):
        raise
    except Exception as error:
        raise SerDesError(f"Serialization failed for id: {operation_id}, error: {error}.") from error


def deserialize(serdes: SerDes[Any] | None, data: str, operation_id: str, durable_execution_arn: str) -> Any:
    try:
        if serdes is None:
            return _loads_default(data)
        return (serdes or EXTENDED_TYPES_SERDES).deserialize(data, SerDesContext(operation_id, durable_execution_arn))
    except (RetryableSerDesError, SerDesError):
        raise
    except Exception as error:
        raise SerDesError(f"Deserialization failed for id: {operation_id}, error: {error}.") from error
