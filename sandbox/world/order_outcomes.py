"""How a simple order's life goes once submitted: accepted, then filled (maybe in two
parts), canceled, expired at the close, rejected, or replaced by a new order.

Day orders end by 21:00 UTC; gtc orders may rest for weeks; ioc/fok end at once; opg/cls
meet the opening or closing auction. Orders submitted outside the session wait for the
open (as "accepted") unless they may trade in extended hours.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from sandbox.world.lifecycle import ZERO, Timeline
from sandbox.world.model import Order
from sandbox.world.order_terms import CENT, GTC_LIFETIME, NANO, scaled
from sandbox.world.schedule import between, in_session, millis, session_close, session_open

MICROSECOND = timedelta(microseconds=1)


def _fill_price(r: random.Random, order: Order, price: Decimal) -> Decimal:
    if order.order_type in ("limit", "stop_limit"):
        assert order.limit_price is not None
        return order.limit_price
    if order.order_type == "stop":
        assert order.stop_price is not None
        return order.stop_price
    if order.order_type == "trailing_stop":
        assert order.trail_percent is not None
        sign = 1 if order.side == "buy" else -1
        return (price * (1 + sign * order.trail_percent / 100)).quantize(CENT)
    return scaled(r, price, 0.998, 1.002)


def _full_quantity(order: Order, fill_price: Decimal) -> Decimal:
    if order.quantity is not None:
        return order.quantity
    assert order.notional is not None
    return (order.notional / fill_price).quantize(NANO, ROUND_DOWN)


def _partial_quantity(r: random.Random, order: Order) -> Decimal | None:
    """A first fill smaller than the order, or None when the order cannot be split."""
    quantity = order.quantity
    if quantity is None:
        return None
    if quantity == quantity.to_integral_value():
        return Decimal(r.randint(1, int(quantity) - 1)) if quantity >= 2 else None
    unit = Decimal(1).scaleb(int(quantity.as_tuple().exponent))
    part = (quantity * Decimal(f"{r.uniform(0.1, 0.9):.6f}")).quantize(unit, ROUND_DOWN)
    return part if ZERO < part < quantity else None


def days(r: random.Random, low: float, high: float) -> timedelta:
    return timedelta(microseconds=int(r.uniform(low, high) * 86_400_000_000))


def simple_timeline(
    r: random.Random,
    order: Order,
    price: Decimal,
    *,
    allow_partial: bool = True,
    allow_replace: bool = True,
) -> tuple[Timeline, datetime | None]:
    """The order's events, and when it gets replaced (None if it never does)."""
    t0 = order.submitted_at
    timeline = Timeline(t0)
    fill = _fill_price(r, order, price)
    full = _full_quantity(order, fill)
    part = _partial_quantity(r, order) if allow_partial else None
    ack = t0 + millis(r, 20, 900)
    if r.random() < 0.03:
        timeline.add(ack, "rejected", stamp="failed_at")
        return timeline, None
    tif = order.time_in_force
    # Outside the session an order waits for the open (unless it may trade extended hours).
    queued = not order.extended_hours and not in_session(t0, order.instrument)
    timeline.add(ack, "accepted" if queued or tif in ("opg", "cls") else "new")

    def filled(at: datetime) -> None:
        timeline.add(at, "filled", filled=full, price=fill, stamp="filled_at")

    def partially(at: datetime) -> None:
        assert part is not None
        timeline.add(at, "partially_filled", filled=part, price=fill)

    if tif in ("opg", "cls"):
        auction = session_open(t0) if tif == "opg" else session_close(t0)
        at = auction + millis(r, 0, 2000)
        chance = 0.85 if order.order_type == "market" else 0.6
        if r.random() < chance:
            filled(at)
        else:
            timeline.add(at, "canceled", stamp="canceled_at")
        return timeline, None

    start = max(ack, session_open(t0)) if queued else ack  # when it can first trade
    if tif in ("ioc", "fok"):
        done = start + millis(r, 1, 300)
        roll = r.random()
        if roll < 0.55 or (order.order_type == "market" and roll < 0.9):
            filled(done)
        elif tif == "ioc" and part is not None and roll < 0.8:
            partially(done)
            timeline.add(done + millis(r, 0, 5), "canceled", stamp="canceled_at")
        else:
            timeline.add(done, "canceled", stamp="canceled_at")
        return timeline, None

    if order.order_type == "market":
        if queued and r.random() < 0.04:
            timeline.add(between(r, ack, start), "canceled", stamp="canceled_at")
            return timeline, None
        at = start + millis(r, 50, 3000)
        if part is not None and r.random() < 0.15:
            partially(at)
            at += millis(r, 1000, 90_000)
        if tif == "day" and order.expires_at is not None:
            at = min(at, order.expires_at - MICROSECOND)  # done before the close
        filled(at)
        return timeline, None

    roll = r.random()
    if tif == "day":
        horizon = max(session_close(t0), ack + timedelta(seconds=1))
        last = horizon - MICROSECOND
        if roll < 0.55:
            filled(between(r, start, last))
        elif roll < 0.65 and part is not None:
            at = between(r, start, last)
            partially(between(r, start, at))
            filled(at)
        elif roll < 0.71 and part is not None:
            partially(between(r, start, last))
            timeline.add(horizon, "expired", stamp="expired_at")
        elif roll < 0.83:
            timeline.add(between(r, ack, last), "canceled", stamp="canceled_at")
        elif roll < 0.97 or not allow_replace or order.order_type not in ("limit", "stop_limit"):
            timeline.add(horizon, "expired", stamp="expired_at")
        else:
            return timeline, between(r, ack, min(last, ack + timedelta(hours=4)))
        return timeline, None

    # gtc: may stay open for weeks
    fill_at = start + min(timedelta(seconds=r.expovariate(1 / 259_200)), timedelta(days=15))
    if roll < 0.40:
        filled(fill_at)
    elif roll < 0.48 and part is not None:
        partially(between(r, start, fill_at))
        filled(fill_at)
    elif roll < 0.52 and part is not None:
        partially(fill_at)
        timeline.add(fill_at + days(r, 1, 30), "canceled", stamp="canceled_at")
    elif roll < 0.67:
        timeline.add(ack + days(r, 0.001, 20), "canceled", stamp="canceled_at")
    elif roll < 0.80:
        timeline.add(t0 + days(r, 1, 30), "canceled", stamp="canceled_at")
    elif roll < 0.92:
        timeline.add(t0 + GTC_LIFETIME, "expired", stamp="expired_at")
    elif roll < 0.96 and allow_replace and order.order_type in ("limit", "stop_limit"):
        return timeline, ack + days(r, 0.001, 1)
    else:
        filled(fill_at)
    return timeline, None
