"""Per-key request budgets over fixed windows (Alpaca: 200 a minute; SnapTrade: 250).

Windows run on wall-clock time, not the world's clock: a rate limit is about how fast a
client really calls. `reset` is the epoch second at which the key's window ends, which is
what clients compare with their own clock before retrying.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

LIMIT = 200
PERIOD_SECONDS = 60.0
_MAX_TRACKED = 10_000


@dataclass(frozen=True)
class Budget:
    limit: int
    remaining: int
    reset: int  # epoch seconds
    exceeded: bool
    ends_at: float = 0.0  # the window's exact end, epoch seconds

    def seconds_to_reset(self, now: float | None = None) -> int:
        """What SnapTrade sends as X-RateLimit-Reset: seconds until the window ends."""
        return max(0, math.ceil(self.ends_at - (time.time() if now is None else now)))

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset).encode()),
        ]


class RateLimiter:
    def __init__(
        self,
        limit: int = LIMIT,
        period: float = PERIOD_SECONDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.period = period
        self._now = now
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, requests)
        self._lock = threading.Lock()

    def hit(self, key: str) -> Budget:
        """Count one request for `key`; the budget says whether it is over the limit."""
        now = self._now()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.period:
                start, count = now, 0
            count += 1
            self._windows[key] = (start, count)
            if len(self._windows) > _MAX_TRACKED:
                self._forget_before(now - self.period)
        return Budget(
            limit=self.limit,
            remaining=max(self.limit - count, 0),
            reset=math.ceil(start + self.period),
            exceeded=count > self.limit,
            ends_at=start + self.period,
        )

    def _forget_before(self, cutoff: float) -> None:
        for key in [k for k, (start, _) in self._windows.items() if start < cutoff]:
            del self._windows[key]
