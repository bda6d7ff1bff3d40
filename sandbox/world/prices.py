"""Daily market prices: a pure function of (seed, symbol, UTC date).

A slow cycle plus daily noise around each instrument's base price, so prices move from
day to day (positions and balances change with the clock) while any single day can be
priced without walking the days before it.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from sandbox.world.instruments import BASE_PRICES
from sandbox.world.randomness import stable_int

CENT = Decimal("0.01")
_SCALE = 2**64


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
    factor = Decimal(f"{1 + cycle + noise:.6f}")
    return (BASE_PRICES[symbol] * factor).quantize(CENT, rounding=ROUND_HALF_EVEN)
