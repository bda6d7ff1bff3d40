"""The CFD/FX universe TradrAPI accounts trade, its daily quotes, and conversion of money
from a symbol's quote currency to an account's currency through the world's FX quotes."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from sandbox.world.randomness import stable_int
from sandbox.world.tradr_model import CfdSymbol

CENT = Decimal("0.01")
_SCALE = 2**64

# name, kind, base, quote, contract size, digits, base price
_UNIVERSE: tuple[tuple[str, str, str, str, str, int, str], ...] = (
    ("EURUSD", "fx", "EUR", "USD", "100000", 5, "1.08520"),
    ("GBPUSD", "fx", "GBP", "USD", "100000", 5, "1.26410"),
    ("USDJPY", "fx", "USD", "JPY", "100000", 3, "151.234"),
    ("AUDUSD", "fx", "AUD", "USD", "100000", 5, "0.65870"),
    ("USDCHF", "fx", "USD", "CHF", "100000", 5, "0.90120"),
    ("USDCAD", "fx", "USD", "CAD", "100000", 5, "1.36250"),
    ("EURGBP", "fx", "EUR", "GBP", "100000", 5, "0.85840"),
    ("XAUUSD", "cfd", "XAU", "USD", "100", 2, "2345.67"),
    ("XAGUSD", "cfd", "XAG", "USD", "5000", 3, "27.815"),
    ("US30", "cfd", "US30", "USD", "1", 1, "39120.5"),
    ("NAS100", "cfd", "NAS100", "USD", "1", 1, "18250.3"),
    ("GER40", "cfd", "GER40", "EUR", "1", 1, "18310.7"),
    ("UK100", "cfd", "UK100", "GBP", "1", 1, "8120.4"),
    ("USOIL", "cfd", "USOIL", "USD", "1000", 2, "78.42"),
    ("BTCUSD", "cfd", "BTC", "USD", "1", 2, "67250.00"),
)

SYMBOLS: dict[str, CfdSymbol] = {
    name: CfdSymbol(name, kind, base, quote, Decimal(size), digits)
    for name, kind, base, quote, size, digits, _ in _UNIVERSE
}
BASE_QUOTES: dict[str, Decimal] = {row[0]: Decimal(row[6]) for row in _UNIVERSE}


def tick(symbol: CfdSymbol) -> Decimal:
    """The smallest price step: 0.00001 for a 5-digit pair."""
    return Decimal(1).scaleb(-symbol.digits)


def _unit(*parts: object) -> float:
    return stable_int(*parts) / _SCALE


@lru_cache(maxsize=8192)
def quote_on(seed: int, name: str, day: date) -> Decimal:
    """The symbol's price on `day`, to its digits: a slow cycle plus daily noise."""
    symbol = SYMBOLS[name]
    period = 30 + 60 * _unit(seed, "tradr", name, "period")
    phase = _unit(seed, "tradr", name, "phase")
    swing = 0.02 if symbol.kind == "fx" else 0.08
    cycle = swing * math.sin(2 * math.pi * (day.toordinal() / period + phase))
    noise = swing / 4 * (2 * _unit(seed, "tradr", name, day.isoformat()) - 1)
    factor = Decimal(f"{1 + cycle + noise:.6f}")
    return (BASE_QUOTES[name] * factor).quantize(tick(symbol), rounding=ROUND_HALF_EVEN)


def _rate(seed: int, source: str, target: str, day: date) -> Decimal:
    """How many `target` one `source` buys on `day`, from the FX pairs (via USD if no pair
    joins them directly)."""
    if source == target:
        return Decimal(1)
    direct, inverse = source + target, target + source
    if direct in SYMBOLS:
        return quote_on(seed, direct, day)
    if inverse in SYMBOLS:
        return 1 / quote_on(seed, inverse, day)
    return _rate(seed, source, "USD", day) * _rate(seed, "USD", target, day)


def convert(seed: int, amount: Decimal, source: str, target: str, day: date) -> Decimal:
    """`amount` of `source` in `target`, to the cent (what the platform credits)."""
    if source == target:
        return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    return (amount * _rate(seed, source, target, day)).quantize(CENT, rounding=ROUND_HALF_EVEN)
