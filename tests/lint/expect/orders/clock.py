"""Helpers in another project module: the lint follows them from disk."""
import os
from datetime import datetime


def now_label() -> str:
    return datetime.utcnow().isoformat()


def stamp() -> str:
    return "at " + now_label()


def region() -> str:
    return os.environ["AWS_REGION"]


def pure(x: int) -> int:
    return x * 2
