"""What an order asks for: instrument, type, time in force, size, prices and intent.

Drawn from the day's stream in a fixed order, so the same stream always yields the same
order. Sizes and prices follow the instrument: whole or fractional shares, whole option
contracts, crypto to nine decimals; limit and stop prices sit near the day's price.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from sandbox.world.instruments import BY_KIND
from sandbox.world.lifecycle import ZERO
from sandbox.world.model import Account, Instrument, Order
from sandbox.world.prices import price_on
from sandbox.world.randomness import decimal_between, uuid4
from sandbox.world.schedule import in_session, session_close, session_open

GTC_LIFETIME = timedelta(days=90)
CENT = Decimal("0.01")
NANO = Decimal("0.000000001")
_KIND_WEIGHTS = {"equity": 55, "etf": 20, "crypto": 15, "option": 10}


@dataclass(frozen=True, slots=True)
class Draw:
    """One account's day of drawing: the seed (for prices), the account, its stream."""

    seed: int
    account: Account
    r: random.Random


def pick(r: random.Random, weights: dict[str, int]) -> str:
    return r.choices(list(weights), weights=list(weights.values()))[0]


def scaled(r: random.Random, price: Decimal, low: float, high: float) -> Decimal:
    factor = Decimal(f"{r.uniform(low, high):.6f}")
    return (price * factor).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _instrument(r: random.Random) -> Instrument:
    return r.choice(BY_KIND[pick(r, _KIND_WEIGHTS)])


def _type_and_tif(r: random.Random, instrument: Instrument) -> tuple[str, str]:
    if instrument.kind == "crypto":
        order_type = pick(r, {"market": 40, "limit": 45, "stop_limit": 15})
        return order_type, pick(r, {"gtc": 80, "ioc": 20})
    if instrument.kind == "option":
        return pick(r, {"market": 40, "limit": 60}), "day"
    order_type = pick(
        r, {"market": 35, "limit": 40, "stop": 10, "stop_limit": 8, "trailing_stop": 7}
    )
    if order_type == "market":
        tif = pick(r, {"day": 70, "gtc": 10, "opg": 5, "cls": 5, "ioc": 5, "fok": 5})
    elif order_type == "limit":
        tif = pick(r, {"day": 50, "gtc": 35, "ioc": 5, "fok": 4, "opg": 3, "cls": 3})
    else:
        tif = pick(r, {"day": 50, "gtc": 50})
    return order_type, tif


def _size(
    r: random.Random, instrument: Instrument, order_type: str, tif: str, price: Decimal
) -> tuple[Decimal | None, Decimal | None]:
    """(quantity, notional): exactly one is set."""
    if instrument.kind == "option":
        return Decimal(r.randint(1, 20)), None
    if instrument.kind == "crypto":
        if order_type == "market" and r.random() < 0.15:
            return None, decimal_between(r, Decimal(10), Decimal(5000), 2)
        quantity = (Decimal(r.randint(20, 20_000)) / price).quantize(NANO, ROUND_DOWN)
        return max(quantity, NANO), None
    simple_day = tif == "day" and order_type in ("market", "limit")
    if simple_day and order_type == "market" and r.random() < 0.08:
        return None, decimal_between(r, Decimal(25), Decimal(5000), 2)
    if simple_day and r.random() < 0.12:
        return decimal_between(r, Decimal("0.001"), Decimal(25), 4), None
    return Decimal(max(1, int(math.exp(r.uniform(0, math.log(500)))))), None


def _prices(
    r: random.Random, order_type: str, side: str, price: Decimal
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(limit_price, stop_price, trail_percent) as the order type needs."""
    buy = side == "buy"
    if order_type == "limit":
        return scaled(r, price, *((0.97, 1.005) if buy else (0.995, 1.03))), None, None
    if order_type in ("stop", "stop_limit"):
        stop = scaled(r, price, *((1.01, 1.05) if buy else (0.95, 0.99)))
        if order_type == "stop":
            return None, stop, None
        return (stop * Decimal("1.01" if buy else "0.99")).quantize(CENT), stop, None
    if order_type == "trailing_stop":
        return None, None, Decimal(r.choice(("1", "1.5", "2", "2.5", "3", "5")))
    return None, None, None


def _intent(r: random.Random, account: Account, instrument: Instrument, side: str) -> str:
    can_short = account.account_type == "margin" and instrument.kind == "equity"
    if side == "buy":
        return "buy_to_close" if can_short and r.random() < 0.1 else "buy_to_open"
    return "sell_to_open" if can_short and r.random() < 0.15 else "sell_to_close"


def expires_at(tif: str, t: datetime) -> datetime | None:
    if tif == "day" or tif == "cls":
        return session_close(t)
    if tif == "opg":
        return session_open(t)
    if tif == "gtc":
        return t + GTC_LIFETIME
    return None


def draw_order(d: Draw, t0: datetime) -> tuple[Order, Decimal]:
    """A simple order submitted at t0, and the instrument's price that day."""
    r = d.r
    instrument = _instrument(r)
    price = price_on(d.seed, instrument.symbol, t0.date())
    order_type, tif = _type_and_tif(r, instrument)
    side = "buy" if r.random() < 0.55 else "sell"
    quantity, notional = _size(r, instrument, order_type, tif, price)
    limit_price, stop_price, trail_percent = _prices(r, order_type, side, price)
    extended = (
        instrument.kind in ("equity", "etf")
        and order_type == "limit"
        and tif == "day"
        and not in_session(t0, instrument)
        and r.random() < 0.5
    )
    order = Order(
        order_id=uuid4(r),
        client_order_id=uuid4(r),
        account_id=d.account.account_id,
        instrument=instrument,
        side=side,
        order_type=order_type,
        time_in_force=tif,
        quantity=quantity,
        notional=notional,
        limit_price=limit_price,
        stop_price=stop_price,
        order_class="simple",
        parent_order_id=None,
        status="pending_new",
        filled_quantity=ZERO,
        filled_avg_price=None,
        created_at=t0,
        submitted_at=t0,
        updated_at=t0,
        filled_at=None,
        canceled_at=None,
        expired_at=None,
        failed_at=None,
        position_intent=_intent(r, d.account, instrument, side),
        extended_hours=extended,
        trail_percent=trail_percent,
        expires_at=expires_at(tif, t0),
        # A trailing stop's high-water mark: the day's price when it was placed.
        high_water_mark=price if order_type == "trailing_stop" else None,
    )
    return order, price
