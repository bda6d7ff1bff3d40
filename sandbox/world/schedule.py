"""Market times in UTC and random instants between them.

The sandbox keeps one simple calendar: every day is a trading day, the regular session
runs 14:30-21:00 UTC, and day orders expire at 21:00 UTC. Crypto trades around the clock.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sandbox.world.model import Instrument

UTC_OPEN = time(14, 30)
UTC_CLOSE = time(21, 0)
DAY = timedelta(days=1)


def _on(day: date, at: time, like: datetime) -> datetime:
    return datetime.combine(day, at, tzinfo=like.tzinfo)


def session_close(t: datetime) -> datetime:
    """The first 21:00 UTC strictly after `t` (when a day order submitted at `t` expires)."""
    close = _on(t.date(), UTC_CLOSE, t)
    return close if t < close else close + DAY


def session_open(t: datetime) -> datetime:
    """The first 14:30 UTC strictly after `t`."""
    opening = _on(t.date(), UTC_OPEN, t)
    return opening if t < opening else opening + DAY


def in_session(t: datetime, instrument: Instrument) -> bool:
    if instrument.kind == "crypto":
        return True
    return UTC_OPEN <= t.timetz().replace(tzinfo=None) < UTC_CLOSE


def millis(r: random.Random, low: int, high: int) -> timedelta:
    """A random delay in [low, high] milliseconds, to the microsecond."""
    return timedelta(microseconds=r.randint(low * 1000, high * 1000))


def between(r: random.Random, start: datetime, end: datetime) -> datetime:
    """A random instant in (start, end], to the microsecond (`start` + 1 µs if empty)."""
    span = int((end - start) / timedelta(microseconds=1))
    return start + timedelta(microseconds=r.randint(1, max(span, 1)))


def submission_time(r: random.Random, day: date) -> datetime:
    """When an order of `day` is submitted: mostly in the regular session, some any time."""
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    if r.random() < 0.75:
        start = _on(day, UTC_OPEN, midnight)
        length = timedelta(hours=6, minutes=30)
    else:
        start, length = midnight, DAY
    return start + timedelta(microseconds=r.randrange(int(length / timedelta(microseconds=1))))
