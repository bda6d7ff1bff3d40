"""Positions and balances: what an account holds, valued at the prices of the clock's day.

Holdings (instrument, side, quantity, average cost) are fixed per account; prices move by
day, so market values, unrealized P&L and equity change with the clock while every
identity (market value = signed quantity x price, equity = cash + long + short) is exact.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from sandbox.world.instruments import BASE_PRICES, BY_KIND, CAD_INSTRUMENTS, INSTRUMENTS
from sandbox.world.model import Account, Balance, Instrument, Position
from sandbox.world.prices import price_on
from sandbox.world.randomness import decimal_between, rng, uuid4

_KIND_WEIGHTS = {"equity": 55, "etf": 20, "crypto": 15, "option": 10}
NANO = Decimal("0.000000001")
BASIS_POINT = Decimal("0.0001")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Holding:
    """A position independent of the day's price."""

    position_id: str
    instrument: Instrument
    side: str
    quantity: Decimal
    average_cost: Decimal


def _quantity(r: random.Random, instrument: Instrument, short: bool) -> Decimal:
    if instrument.kind == "option":
        return Decimal(r.randint(1, 10))
    if instrument.kind == "crypto":
        notional = Decimal(r.randint(200, 20_000))
        quantity = (notional / BASE_PRICES[instrument.symbol]).quantize(NANO, ROUND_DOWN)
        return max(quantity, NANO)
    if not short and r.random() < 0.15:  # fractional shares cannot be sold short
        return decimal_between(r, Decimal("0.001"), Decimal(50), 4)
    return Decimal(max(1, int(math.exp(r.uniform(0, math.log(400))))))


def universe(account: Account) -> tuple[Instrument, ...]:
    """What an account can hold: crypto accounts hold crypto, Canadian accounts mostly
    Toronto listings plus US stocks and ETFs, every other account the US universe."""
    if account.account_type == "crypto":
        return BY_KIND["crypto"]
    if account.base_currency == "CAD":
        return CAD_INSTRUMENTS + BY_KIND["equity"][:6] + BY_KIND["etf"][:3]
    return INSTRUMENTS


@lru_cache(maxsize=4096)
def holdings(seed: int, account: Account, count: int) -> tuple[Holding, ...]:
    """The account's positions, drawn once; closed accounts hold nothing."""
    if account.status == "closed":
        return ()
    r = rng(seed, account.account_id, "positions")
    pool = list(universe(account))
    chosen: list[Instrument] = []
    while pool and len(chosen) < count:
        pick = r.choices(pool, weights=[_KIND_WEIGHTS[i.kind] for i in pool])[0]
        pool.remove(pick)
        chosen.append(pick)
    equities = [i for i in chosen if i.kind == "equity"]
    shorts: set[str] = set()
    if account.account_type == "margin" and equities:
        shorts = {i.symbol for i in r.sample(equities, max(1, round(len(chosen) / 10)))}
    result = []
    for instrument in sorted(chosen, key=lambda i: i.symbol):
        short = instrument.symbol in shorts
        places = CENT if instrument.kind == "option" else BASIS_POINT
        factor = Decimal(str(round(r.uniform(0.75, 1.2), 6)))
        result.append(
            Holding(
                position_id=uuid4(r),
                instrument=instrument,
                side="short" if short else "long",
                quantity=_quantity(r, instrument, short),
                average_cost=(BASE_PRICES[instrument.symbol] * factor).quantize(places),
            )
        )
    return tuple(result)


def value(seed: int, account_id: str, holding: Holding, clock: datetime) -> Position:
    """The holding valued at the prices of the clock's UTC day."""
    day = clock.date()
    price = price_on(seed, holding.instrument.symbol, day)
    signed = -holding.quantity if holding.side == "short" else holding.quantity
    market_value = signed * price
    cost_basis = signed * holding.average_cost
    return Position(
        account_id=account_id,
        position_id=holding.position_id,
        instrument=holding.instrument,
        side=holding.side,
        quantity=holding.quantity,
        average_cost=holding.average_cost,
        market_price=price,
        market_value=market_value,
        cost_basis=cost_basis,
        unrealized_pnl=market_value - cost_basis,
        currency=holding.instrument.currency,
        lastday_price=price_on(seed, holding.instrument.symbol, day - timedelta(days=1)),
    )


@lru_cache(maxsize=4096)
def starting_cash(seed: int, account: Account, count: int) -> Decimal:
    """Cash on hand: a deposit plus the proceeds of the account's short sales."""
    if account.status == "closed":
        return Decimal("0.00")
    deposit = decimal_between(
        rng(seed, account.account_id, "cash"), Decimal(2000), Decimal(250_000), 2
    )
    proceeds = sum(
        (h.quantity * h.average_cost for h in holdings(seed, account, count) if h.side == "short"),
        Decimal(0),
    )
    return deposit + proceeds.quantize(CENT)


def balance(account: Account, cash: Decimal, positions: list[Position], clock: datetime) -> Balance:
    """The USD balance for the positions; buying power follows the account's multiplier."""
    long_value = sum((p.market_value for p in positions if p.side == "long"), Decimal(0))
    short_value = sum((p.market_value for p in positions if p.side == "short"), Decimal(0))
    equity = cash + long_value + short_value
    last_equity = cash + sum((p.signed_quantity * p.lastday_price for p in positions), Decimal(0))
    buying_power = equity * account.multiplier if account.account_type == "margin" else cash
    return Balance(
        account_id=account.account_id,
        currency=account.base_currency,
        cash=cash,
        buying_power=max(buying_power, Decimal(0)),
        equity=equity,
        long_market_value=long_value,
        short_market_value=short_value,
        last_equity=last_equity,
        as_of=clock,
    )
