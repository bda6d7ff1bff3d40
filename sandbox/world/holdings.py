"""Positions and balances: what an account opened with, and what it holds valued at the
prices of the clock's day.

An account opens with a deposit and the positions it transferred in (instrument, side,
quantity, average cost, drawn once); from then on what it holds is its ledger's sum
(book.py). Prices move by day, so market values, unrealized P&L and equity change with
the clock while every identity (market value = signed quantity x price, equity = cash +
long + short) is exact.

A Local Currency Trading account holds US stocks and ETFs valued in its own currency:
each price converted at the day's rate, each cost at the rate it was bought at, so its
figures carry up to 20 decimal places; the USD figures stay beside them. Margin accounts
at Interactive Brokers also hold an E-mini future.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

from sandbox.world.instruments import BASE_PRICES, BY_KIND, CAD_INSTRUMENTS, FUTURES, INSTRUMENTS
from sandbox.world.model import Account, Balance, Instrument, Position, UsdFigures
from sandbox.world.prices import BASE_SWAP_RATES, RATE_PLACES, price_on, split_factor, swap_rate
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
    average_cost: Decimal  # in USD
    entry_swap_rate: Decimal | None = None  # LCT: USD -> the account's currency, when bought


def _quantity(r: random.Random, instrument: Instrument) -> Decimal:
    if instrument.kind in ("option", "future"):
        return Decimal(r.randint(1, 10 if instrument.kind == "option" else 4))
    if instrument.kind == "crypto":
        notional = Decimal(r.randint(200, 20_000))
        quantity = (notional / BASE_PRICES[instrument.symbol]).quantize(NANO, ROUND_DOWN)
        return max(quantity, NANO)
    if r.random() < 0.15:  # some fractional shares
        return decimal_between(r, Decimal("0.001"), Decimal(50), 4)
    return Decimal(max(1, int(math.exp(r.uniform(0, math.log(400))))))


def universe(account: Account) -> tuple[Instrument, ...]:
    """What an account can hold: crypto accounts hold crypto, Canadian accounts mostly
    Toronto listings plus US stocks and ETFs, every other account the US universe."""
    if account.account_type == "crypto":
        return BY_KIND["crypto"]
    if account.is_lct:  # US stocks and ETFs, no options or crypto
        return BY_KIND["equity"] + BY_KIND["etf"]
    if account.base_currency == "CAD":
        return CAD_INSTRUMENTS + BY_KIND["equity"][:6] + BY_KIND["etf"][:3]
    return INSTRUMENTS


@lru_cache(maxsize=4096)
def opening_holdings(seed: int, account: Account, count: int) -> tuple[Holding, ...]:
    """The (long) positions the account transferred in when it opened, drawn once;
    closed accounts hold nothing. Short positions come from its sales."""
    if account.status == "closed":
        return ()
    r = rng(seed, account.account_id, "positions")
    pool = list(universe(account))
    chosen: list[Instrument] = []
    while pool and len(chosen) < count:
        pick = r.choices(pool, weights=[_KIND_WEIGHTS[i.kind] for i in pool])[0]
        pool.remove(pick)
        chosen.append(pick)
    result = [_holding(r, instrument) for instrument in sorted(chosen, key=lambda i: i.symbol)]
    if account.institution == "Interactive Brokers" and account.account_type == "margin":
        futures = rng(seed, account.account_id, "futures")
        result += [_holding(futures, future) for future in FUTURES]
    if account.is_lct:
        rates = rng(seed, account.account_id, "entry-rates")
        base = BASE_SWAP_RATES[account.base_currency]
        result = [
            replace(h, entry_swap_rate=(base * _factor(rates, 0.97, 1.03)).quantize(RATE_PLACES))
            for h in result
        ]
    return tuple(sorted(result, key=lambda h: h.instrument.symbol))


def _factor(r: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(r.uniform(low, high), 6)))


def _holding(r: random.Random, instrument: Instrument) -> Holding:
    places = CENT if instrument.kind in ("option", "future") else BASIS_POINT
    factor = _factor(r, 0.75, 1.2)
    return Holding(
        position_id=uuid4(r),
        instrument=instrument,
        side="long",
        quantity=_quantity(r, instrument),
        average_cost=(BASE_PRICES[instrument.symbol] * factor).quantize(places),
    )


def value(seed: int, account: Account, holding: Holding, clock: datetime) -> Position:
    """The holding valued at the prices of the clock's UTC day (an LCT account's in its
    currency, at the day's rate)."""
    day = clock.date()
    yesterday = day - timedelta(days=1)
    symbol = holding.instrument.symbol
    price = price_on(seed, symbol, day)
    # yesterday's close in today's units (a split overnight changes them)
    adjust = split_factor(symbol, day) / split_factor(symbol, yesterday)
    lastday = (price_on(seed, symbol, yesterday) * adjust).quantize(CENT)
    signed = -holding.quantity if holding.side == "short" else holding.quantity
    usd = UsdFigures(
        average_cost=holding.average_cost,
        market_price=price,
        market_value=signed * price,
        cost_basis=signed * holding.average_cost,
        unrealized_pnl=signed * price - signed * holding.average_cost,
        lastday_price=lastday,
    )
    rate = None
    if holding.entry_swap_rate is not None:
        rate = swap_rate(seed, account.base_currency, day)
        price, lastday = price * rate, lastday * swap_rate(seed, account.base_currency, yesterday)
    average_cost = holding.average_cost * (holding.entry_swap_rate or 1)
    market_value = signed * price
    cost_basis = signed * average_cost
    return Position(
        account_id=account.account_id,
        position_id=holding.position_id,
        instrument=holding.instrument,
        side=holding.side,
        quantity=holding.quantity,
        average_cost=average_cost,
        market_price=price,
        market_value=market_value,
        cost_basis=cost_basis,
        unrealized_pnl=market_value - cost_basis,
        currency=account.base_currency if rate is not None else holding.instrument.currency,
        lastday_price=lastday,
        swap_rate=rate,
        avg_entry_swap_rate=holding.entry_swap_rate,
        usd=usd if rate is not None else None,
    )


@lru_cache(maxsize=4096)
def opening_cash(seed: int, account: Account) -> dict[str, Decimal]:
    """What the account was funded with when it opened, by currency: a deposit in its
    currency, and for a Canadian account some US dollars too. Closed accounts: nothing."""
    if account.status == "closed":
        return {}
    deposit = decimal_between(
        rng(seed, account.account_id, "cash"), Decimal(2000), Decimal(250_000), 2
    )
    funded = {account.base_currency: deposit}
    if account.base_currency == "CAD":
        usd = rng(seed, account.account_id, "cash", "USD")
        funded["USD"] = decimal_between(usd, Decimal(100), Decimal(20_000), 2)
    return funded


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
