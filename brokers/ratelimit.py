"""A proactive request budget per source: send at the rate the broker allows, not faster,
so a healthy run never provokes a 429.

Requests are spaced evenly at a share of the known limit (`RateLimit`, from the broker's
documentation or the source's configuration); a request that missed its slot (the client
was busy) may catch up a few slots, no more. Any window of the limit's length then holds
at most SHARE + CATCH_UP of the limit, whichever fixed or sliding window the broker counts
in, with room left for the requests already in flight. The broker's own headers then
correct the estimate: `X-RateLimit-Limit` below the configured limit lowers it, and
`X-RateLimit-Remaining: 0` (another client on the same key) or a 429 holds every request
until the window resets.

One budget serves every transport of a source in this process (each Dagster step opens
its own), and it keeps only times and counts under a thread lock, so it works across the
event loops those steps run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

EPOCH_THRESHOLD = 1_000_000_000  # X-RateLimit-Reset at or above this is an epoch second
SHARE = 0.9  # of the limit: the pace
CATCH_UP = 0.05  # of the limit: missed slots that may still be used


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` per `per_seconds`, per key (what the broker documents)."""

    requests: int
    per_seconds: float = 60.0

    @property
    def per_second(self) -> float:
        return self.requests / self.per_seconds


def server_wait(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds the server asks a client to wait, if it says: Retry-After, or
    X-RateLimit-Reset, which some brokers send as an epoch second (Alpaca) and others as
    seconds to wait (SnapTrade); a value below a billion cannot be a recent epoch."""
    retry_after = response.headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    reset = response.headers.get("x-ratelimit-reset")
    if reset:
        try:
            wait = float(reset)
        except ValueError:
            return None
        if wait >= EPOCH_THRESHOLD:
            wait -= time.time() if now is None else now
        return max(0.0, wait)
    return None


class RateBudget:
    """Spaces one source's requests under its limit; `reserve` says how long to wait."""

    def __init__(
        self, limit: RateLimit, share: float = SHARE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.share = share
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 1.0 / (limit.per_second * share)
        self._catch_up = max(1, int(limit.requests * CATCH_UP))  # slots
        self._next = 0.0  # the slot of the next request
        self._held_until = 0.0

    @property
    def interval(self) -> float:
        """Seconds between two requests at the budget's pace."""
        return self._interval

    def reserve(self) -> float:
        """Claim the next slot; returns the seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            slot = max(now - self._catch_up * self._interval, self._next, self._held_until)
            self._next = slot + self._interval
            return max(0.0, slot - now)

    def hold(self, seconds: float) -> None:
        """No request before `seconds` from now (a 429, or the key's window spent)."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)

    def observe(self, response: httpx.Response) -> None:
        """Correct the budget from the broker's rate-limit headers, where it sends them."""
        headers = response.headers
        limit = _int(headers.get("x-ratelimit-limit"))
        if limit is not None and 0 < limit < self.limit.requests:
            with self._lock:
                self.limit = RateLimit(limit, self.limit.per_seconds)
                self._interval = 1.0 / (self.limit.per_second * self.share)
                self._catch_up = max(1, int(limit * CATCH_UP))
        if response.status_code == 429 or _int(headers.get("x-ratelimit-remaining")) == 0:
            wait = server_wait(response)
            if wait is not None:
                self.hold(wait)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


_budgets: dict[tuple[str, str, RateLimit], RateBudget] = {}
_budgets_lock = threading.Lock()


def budget_for(source: str, base_url: str, limit: RateLimit) -> RateBudget:
    """The one budget of a source in this process."""
    key = (source, base_url, limit)
    with _budgets_lock:
        if key not in _budgets:
            _budgets[key] = RateBudget(limit)
        return _budgets[key]
