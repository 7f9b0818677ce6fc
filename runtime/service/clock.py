"""Time for the service: real time plus a skip offset (time skipping jumps straight to the next timer)."""

from __future__ import annotations

import time


class Clock:
    def __init__(self, skip_time: bool = False) -> None:
        self.skip_time = skip_time
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    @property
    def skipped(self) -> float:
        """Seconds skipped so far; execution timeouts count only real time."""
        return self._offset

    def advance_to(self, timestamp: float) -> None:
        """Move virtual time forward to `timestamp` (never backwards)."""
        gap = timestamp - self.now()
        if gap > 0:
            self._offset += gap
