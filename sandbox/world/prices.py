"""Daily market prices and exchange rates: pure functions of (seed, symbol, UTC date).

A slow cycle plus daily noise around each instrument's base price, so prices move from
day to day (positions and balances change with the clock) while any single day can be
priced without walking the days before it. Exchange rates (USD -> a Local Currency
Trading account's currency) carry 16 decimal places, as Alpaca's `swap_rate`s do, so
what they convert carries more than the contract's 18.

One instrument splits: NVDA 2-for-1 every 60 days and back 1-for-2 thirty days later
(a forward split, then a reverse one), so any 30-day history holds a split while its
price stays near its base. A split takes effect at midnight UTC: that day's price is
the new one, and holders' units are changed by the split's two ledger legs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from sandbox.world.instruments import BASE_PRICES
from sandbox.world.randomness import stable_int

CENT = Decimal("0.01")
RATE_PLACES = Decimal("1e-16")
# USD -> each currency Local Currency Trading accounts trade in, about.
BASE_SWAP_RATES = {
    "JPY": Decimal("151.37"),
    "EUR": Decimal("0.9213"),
    "GBP": Decimal("0.7894"),
    "AUD": Decimal("1.5127"),
}
_SCALE = 2**64
SPLIT_SYMBOL = "NVDA"
SPLIT_PERIOD = 60  # days from one forward split to the next
SPLIT_RATIO = Decimal(2)


@dataclass(frozen=True, slots=True)
class Split:
    """A split of `symbol` at `at`: each old unit becomes `ratio` new ones."""

    symbol: str
    at: datetime
    ratio: Decimal

    @property
    def kind(self) -> str:
        return "forward" if self.ratio > 1 else "reverse"


def split_factor(symbol: str, day: date) -> Decimal:
    """What the split cycle does to the symbol's price on `day` (1, or 1/ratio while
    the forward split holds)."""
    if symbol != SPLIT_SYMBOL:
        return Decimal(1)
    return 1 / SPLIT_RATIO if day.toordinal() % SPLIT_PERIOD < SPLIT_PERIOD // 2 else Decimal(1)


def splits_between(start: datetime, end: datetime) -> list[Split]:
    """The splits taking effect in (start, end], in time order."""
    found = []
    day = start.date()
    while day <= end.date():
        phase = day.toordinal() % SPLIT_PERIOD
        at = datetime.combine(day, time(0), tzinfo=UTC)
        if phase in (0, SPLIT_PERIOD // 2) and start < at <= end:
            ratio = SPLIT_RATIO if phase == 0 else 1 / SPLIT_RATIO
            found.append(Split(SPLIT_SYMBOL, at, ratio))
        day += timedelta(days=1)
    return found


def _unit(*parts: object) -> float:
    """A float in [0, 1) fixed by the parts."""
    return stable_int(*parts) / _SCALE


@lru_cache(maxsize=16384)
def price_on(seed: int, symbol: str, day: date) -> Decimal:
    """The instrument's price on `day`, to the cent."""
    period = 40 + 80 * _unit(seed, symbol, "period")
    phase = _unit(seed, symbol, "phase")
    cycle = 0.12 * math.sin(2 * math.pi * (day.toordinal() / period + phase))
    noise = 0.03 * (2 * _unit(seed, symbol, day.isoformat()) - 1)
    factor = Decimal(f"{1 + cycle + noise:.6f}") * split_factor(symbol, day)
    return (BASE_PRICES[symbol] * factor).quantize(CENT, rounding=ROUND_HALF_EVEN)


@lru_cache(maxsize=4096)
def swap_rate(seed: int, currency: str, day: date) -> Decimal:
    """How many units of `currency` a dollar buys on `day`, to 16 places."""
    noise = 0.02 * (2 * _unit(seed, "fx", currency, day.isoformat()) - 1)
    factor = Decimal(f"{1 + noise:.15f}")
    return (BASE_SWAP_RATES[currency] * factor).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
