"""An account's book: its positions and cash, as the running sum of its ledger.

The book is never drawn: it is what the account's executed activities add up to, applied
in time order. Units move with fills, transfers and splits; cash with every amount.
Average costs follow the broker's usual rule: a purchase (or a short sale) adding to a
position averages its price in, one reducing the position leaves the average as it is,
and one crossing zero opens the other side at its own price. An LCT account's costs are
kept in USD with the average rate they were bought at, so its local figures convert
exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal

from sandbox.world.holdings import Holding
from sandbox.world.model import Activity, Instrument
from sandbox.world.prices import RATE_PLACES
from sandbox.world.randomness import rng, uuid4

AVERAGE_PLACES = Decimal("1e-10")
ZERO = Decimal(0)
UNIT_MOVES = frozenset({"fill", "transfer_in", "transfer_out", "split"})


@dataclass(frozen=True, slots=True)
class Lot:
    """A position in the making: signed units, the average cost per unit (USD for an
    LCT account) and, for LCT, the average rate it was bought at."""

    instrument: Instrument
    quantity: Decimal
    average_cost: Decimal
    entry_rate: Decimal | None = None


def _average(old: Decimal, old_units: Decimal, new: Decimal, new_units: Decimal) -> Decimal:
    total = old * abs(old_units) + new * abs(new_units)
    return (total / (abs(old_units) + abs(new_units))).quantize(AVERAGE_PLACES, ROUND_HALF_EVEN)


def _moved(lot: Lot | None, activity: Activity) -> Lot | None:
    """The lot after `activity` moved units at its price (USD for LCT)."""
    instrument = activity.instrument
    assert instrument is not None
    units = activity.quantity
    price = activity.usd_price if activity.usd_price is not None else activity.price
    assert price is not None
    rate = activity.swap_rate
    if lot is None or lot.quantity == 0:
        return Lot(instrument, units, price.quantize(AVERAGE_PLACES), rate)
    held = lot.quantity
    after = held + units
    if after == 0:
        return None
    if (held > 0) == (units > 0):  # adding to the position
        entry = lot.entry_rate
        if rate is not None and entry is not None:
            entry = _average(entry, held, rate, units).quantize(RATE_PLACES, ROUND_HALF_EVEN)
        return Lot(instrument, after, _average(lot.average_cost, held, price, units), entry)
    if (after > 0) == (held > 0):  # reducing it: the average stays
        return replace(lot, quantity=after)
    return Lot(instrument, after, price.quantize(AVERAGE_PLACES), rate)  # crossed zero


@dataclass
class Book:
    lots: dict[str, Lot] = field(default_factory=dict)  # by symbol
    cash: dict[str, Decimal] = field(default_factory=dict)  # by currency
    splitting: dict[str, Lot] = field(default_factory=dict)  # old units, between legs

    def units(self, symbol: str) -> Decimal:
        lot = self.lots.get(symbol)
        return ZERO if lot is None else lot.quantity

    def apply(self, activity: Activity) -> None:
        """Book one executed activity."""
        if not activity.is_executed:
            return
        if activity.amount:
            self.cash[activity.currency] = self.cash.get(activity.currency, ZERO) + activity.amount
        if activity.kind not in UNIT_MOVES or activity.quantity == 0:
            return
        instrument = activity.instrument
        assert instrument is not None
        symbol = instrument.symbol
        if activity.kind == "split":
            self._split(symbol, activity)
            return
        lot = _moved(self.lots.get(symbol), activity)
        if lot is None:
            self.lots.pop(symbol, None)
        else:
            self.lots[symbol] = lot

    def _split(self, symbol: str, leg: Activity) -> None:
        """The old units leave (the first leg), the new ones arrive carrying their cost."""
        if symbol not in self.splitting:
            self.splitting[symbol] = self.lots.pop(symbol)
            return
        old = self.splitting.pop(symbol)
        cost = old.average_cost * old.quantity / leg.quantity
        self.lots[symbol] = replace(
            old, quantity=leg.quantity, average_cost=cost.quantize(AVERAGE_PLACES)
        )

    def holdings(self, seed: int, account_id: str) -> tuple[Holding, ...]:
        """The positions held, by symbol, as the valuation takes them."""
        return tuple(
            Holding(
                position_id=uuid4(rng(seed, account_id, "position", symbol)),
                instrument=lot.instrument,
                side="short" if lot.quantity < 0 else "long",
                quantity=abs(lot.quantity),
                average_cost=lot.average_cost,
                entry_swap_rate=lot.entry_rate,
            )
            for symbol, lot in sorted(self.lots.items())
        )
