"""The reference rates the sandbox's ECB publishes: one euro in each currency, per TARGET
business day, a pure function of (seed, currency, day) so any day is known without the
days before it.

Each currency has the number of significant digits the ECB quotes it with (five: 1.0921
dollars, 171.94 yen, 0.84638 pounds), and a rate drifts within a few percent of a base
level. Rates are published on TARGET business days only (no weekends, New Year's Day,
Good Friday, Easter Monday, 1 May, 25 and 26 December), at 16:00 Frankfurt time: the
sandbox takes that as 15:00 UTC all year round.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

# Euro -> currency, about, in the order the ECB lists them (BGN left when Bulgaria
# adopted the euro on 1 January 2026).
BASE_RATES: dict[str, Decimal] = {
    "USD": Decimal("1.0850"), "JPY": Decimal("162.40"), "CZK": Decimal("25.120"),
    "DKK": Decimal("7.4590"), "GBP": Decimal("0.85120"), "HUF": Decimal("395.80"),
    "PLN": Decimal("4.2950"), "RON": Decimal("4.9760"), "SEK": Decimal("11.2850"),
    "CHF": Decimal("0.9580"), "ISK": Decimal("150.10"), "NOK": Decimal("11.6240"),
    "TRY": Decimal("36.8120"), "AUD": Decimal("1.6410"), "BRL": Decimal("6.0120"),
    "CAD": Decimal("1.4870"), "CNY": Decimal("7.8210"), "HKD": Decimal("8.4630"),
    "IDR": Decimal("17250.40"), "ILS": Decimal("3.9820"), "INR": Decimal("90.4510"),
    "KRW": Decimal("1480.25"), "MXN": Decimal("20.1480"), "MYR": Decimal("4.9840"),
    "NZD": Decimal("1.8120"), "PHP": Decimal("62.840"), "SGD": Decimal("1.4560"),
    "THB": Decimal("38.750"), "ZAR": Decimal("19.6240"),
}  # fmt: skip
CURRENCIES = tuple(BASE_RATES)
SIGNIFICANT_DIGITS = 5
PUBLISHED_AT = time(15, 0)  # UTC
FIRST_DAY = date(1999, 1, 4)  # the first reference rates


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    easter = _easter(year)
    return frozenset({
        date(year, 1, 1), easter - timedelta(days=2), easter + timedelta(days=1),
        date(year, 5, 1), date(year, 12, 25), date(year, 12, 26),
    })  # fmt: skip


def is_business_day(day: date) -> bool:
    """A TARGET business day: the ECB publishes rates on it."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def _unit(*parts: object) -> float:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@lru_cache(maxsize=65536)
def rate_on(seed: int, currency: str, day: date) -> Decimal:
    """How many units of `currency` one euro bought on `day`, as the ECB quotes it (five
    significant digits), whether or not it was a business day."""
    base = BASE_RATES[currency]
    period = 90 + 200 * _unit(seed, "ecb", currency, "period")
    phase = _unit(seed, "ecb", currency, "phase")
    cycle = 0.04 * math.sin(2 * math.pi * (day.toordinal() / period + phase))
    noise = 0.006 * (2 * _unit(seed, "ecb", currency, day.isoformat()) - 1)
    raw = base * Decimal(f"{1 + cycle + noise:.8f}")
    places = SIGNIFICANT_DIGITS - 1 - math.floor(math.log10(raw))
    return raw.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def last_published(clock: datetime) -> date | None:
    """The latest day whose rates are out at `clock`."""
    clock = clock.astimezone(UTC)
    day = clock.date() if clock.time() >= PUBLISHED_AT else clock.date() - timedelta(days=1)
    while day >= FIRST_DAY:
        if is_business_day(day):
            return day
        day -= timedelta(days=1)
    return None


def published_days(clock: datetime, since: date = FIRST_DAY) -> list[date]:
    """The days rates were published, from `since` to the clock, newest first (the
    order the ECB's files list them in)."""
    last = last_published(clock)
    days: list[date] = []
    day = last
    while day is not None and day >= max(since, FIRST_DAY):
        if is_business_day(day):
            days.append(day)
        day -= timedelta(days=1)
    return days
