"""Annotations, typing attributes, decorators, dataclass factories (not called here) are not violations."""
from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Optional

from aws_durable_execution_sdk_python import DurableContext, durable_execution


@dataclass
class Receipt:
    order_id: str
    created: Optional[datetime] = None
    ident: str = field(default_factory=lambda: str(uuid.uuid4()))
    clock: Callable[[], float] = time.time


def traced(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@durable_execution
@traced
def handler(event: dict, context: DurableContext) -> dict:
    when: datetime | None = None
    receipt = context.step(lambda _: Receipt(event["order_id"]).__dict__, name="receipt")
    return {"receipt": receipt, "when": when}
