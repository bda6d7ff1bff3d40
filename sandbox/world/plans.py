"""Drawing orders: each account's orders of one UTC day come from one seeded stream.

A day's stream yields "slots": most are one simple order, some are a batch of orders
submitted at the very same microsecond (a program sending several at once), some are a
bracket (a parent and its take-profit and stop-loss legs, all submitted together), and at
Alpaca some are an options spread (a multi-leg parent, its net price negative for a
credit, and a leg per strike with its ratio). Each order's whole lifecycle is drawn with
it (see lifecycle.py). Because days are independent, any window of days can be generated
without the others, for any clock.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from sandbox.world.instruments import BY_KIND, SPREAD_PAIRS
from sandbox.world.lifecycle import OrderPlan, Timeline
from sandbox.world.model import Account, Order
from sandbox.world.order_outcomes import MICROSECOND, days, simple_timeline
from sandbox.world.order_terms import Draw, draw_order, expires_at, scaled
from sandbox.world.prices import price_on
from sandbox.world.randomness import rng, uuid4
from sandbox.world.schedule import between, session_close, submission_time

P_BRACKET = 0.02  # slots that are a bracket (3 orders): about 5% of orders
P_BATCH = 0.06  # slots that are a batch of 2-4 orders: about 15% of orders
P_SPREAD = 0.02  # slots that are an options spread (3 orders), where the account may
SPREAD_VENUES = ("alpaca", "alpaca_broker")  # multi-leg orders are Alpaca's (order_class mleg)
ORDERS_PER_SLOT = 1.17  # the expected number of orders a slot yields, replacements included
# A replacement is submitted at most this long after the day its original was drawn on.
SPILL = timedelta(days=2)


def _simple(d: Draw, t0: datetime) -> list[OrderPlan]:
    """One simple order; two when it gets replaced (the replacement is a new order)."""
    order, price = draw_order(d, t0)
    timeline, replaced_at = simple_timeline(d.r, order, price)
    if replaced_at is None:
        return [timeline.plan(order)]
    r = d.r
    new_id = uuid4(r)
    timeline.add(replaced_at, "replaced", stamp="replaced_at", replaced_by=new_id)
    replaced_at = timeline.last.at
    limit = scaled(r, order.limit_price, 0.99, 1.01) if order.limit_price else None
    replacement = replace(
        order,
        order_id=new_id,
        client_order_id=uuid4(r),
        limit_price=limit,
        created_at=replaced_at,
        submitted_at=replaced_at,
        updated_at=replaced_at,
        expires_at=expires_at(order.time_in_force, replaced_at),
        replaces=order.order_id,
    )
    if replacement.stop_price is not None and limit is not None:
        replacement = replace(replacement, stop_price=min(replacement.stop_price, limit))
    new_timeline, _ = simple_timeline(r, replacement, price, allow_replace=False)
    return [timeline.plan(order), new_timeline.plan(replacement)]


def _bracket(d: Draw, t0: datetime) -> list[OrderPlan]:
    """A buy with a take-profit limit and a stop-loss stop, all submitted at t0.

    The legs are held until the parent fills; then one of them fills and the other is
    canceled with it, or both stay open, expire (day) or are canceled. A parent that never
    fills takes its legs down with it.
    """
    r = d.r
    instrument = r.choice(BY_KIND["equity"] + BY_KIND["etf"])
    price = price_on(d.seed, instrument.symbol, t0.date())
    tif = "gtc" if r.random() < 0.6 else "day"
    parent_type = "market" if r.random() < 0.5 else "limit"
    parent, _ = draw_order(d, t0)
    parent = replace(
        parent,
        instrument=instrument,
        side="buy",
        order_type=parent_type,
        time_in_force=tif,
        quantity=Decimal(r.randint(1, 100)),
        notional=None,
        limit_price=scaled(r, price, 0.98, 1.0) if parent_type == "limit" else None,
        stop_price=None,
        trail_percent=None,
        high_water_mark=None,
        order_class="bracket",
        position_intent="buy_to_open",
        extended_hours=False,
        expires_at=expires_at(tif, t0),
    )
    leg = replace(
        parent,
        side="sell",
        order_type="limit",
        limit_price=scaled(r, price, 1.04, 1.12),
        parent_order_id=parent.order_id,
        position_intent="sell_to_close",
    )
    take_profit = replace(leg, order_id=uuid4(r), client_order_id=uuid4(r))
    stop_loss = replace(
        leg,
        order_id=uuid4(r),
        client_order_id=uuid4(r),
        order_type="stop",
        limit_price=None,
        stop_price=scaled(r, price, 0.88, 0.96),
    )
    parent_timeline, _ = simple_timeline(r, parent, price, allow_partial=False, allow_replace=False)
    tp, sl = Timeline(t0, "held"), Timeline(t0, "held")
    final = parent_timeline.last
    if final.status != "filled":
        for legs in (tp, sl):
            legs.add(final.at, "canceled", stamp="canceled_at")
    else:
        _legs_after_fill(r, final.at, tif, (take_profit, tp), (stop_loss, sl))
    return [parent_timeline.plan(parent), tp.plan(take_profit), sl.plan(stop_loss)]


def may_spread(account: Account) -> bool:
    """Multi-leg options orders: Alpaca accounts that trade options (not crypto or LCT)."""
    return (
        account.venue in SPREAD_VENUES and account.account_type != "crypto" and not (account.is_lct)
    )


def _spread(d: Draw, t0: datetime) -> list[OrderPlan]:
    """A vertical spread as one multi-leg order: buy one strike, sell the other, at a net
    limit (a debit, or a credit: negative), sometimes two of the far leg per near one.
    The legs live and fill with their parent, each at its own price."""
    r = d.r
    near, far = r.choice(SPREAD_PAIRS)
    day = t0.date()
    debit = r.random() < 0.5  # a debit buys the dearer strike, a credit sells it
    ratios = (1, 2) if r.random() < 0.2 else (1, 1)
    priced = sorted(((price_on(d.seed, i.symbol, day), i) for i in (near, far)), reverse=True)
    legs = [
        (instrument, price, ("buy" if (n == 0) == debit else "sell"), Decimal(ratio))
        for n, ((price, instrument), ratio) in enumerate(zip(priced, ratios, strict=True))
    ]
    net = sum(
        (ratio * price * (1 if side == "buy" else -1) for _, price, side, ratio in legs),
        Decimal(0),
    )
    parent, _ = draw_order(d, t0)
    parent = replace(
        parent,
        instrument=legs[0][0],  # what the listing's filters see; the API names no symbol
        side="",
        order_type="limit",
        time_in_force="day",
        quantity=Decimal(r.randint(1, 10)),
        notional=None,
        limit_price=net,
        stop_price=None,
        trail_percent=None,
        high_water_mark=None,
        order_class="mleg",
        position_intent="",
        extended_hours=False,
        expires_at=expires_at("day", t0),
    )
    timeline, _ = simple_timeline(r, parent, net, allow_partial=False, allow_replace=False)
    plans = [timeline.plan(parent)]
    assert parent.quantity is not None
    for instrument, price, side, ratio in legs:
        leg = replace(
            parent,
            order_id=uuid4(r),
            client_order_id=uuid4(r),
            instrument=instrument,
            side=side,
            order_type="",  # a leg has no type of its own
            quantity=parent.quantity * ratio,
            limit_price=None,
            parent_order_id=parent.order_id,
            position_intent=f"{side}_to_open",
            ratio_quantity=ratio,
        )
        events = tuple(
            replace(
                event,
                filled_quantity=event.filled_quantity * ratio,
                filled_avg_price=price if event.filled_quantity else None,
                replaced_by=None,
            )
            for event in timeline.events
        )
        plans.append(OrderPlan(order=leg, events=events))
    return plans


def _legs_after_fill(
    r: random.Random,
    filled_at: datetime,
    tif: str,
    take_profit: tuple[Order, Timeline],
    stop_loss: tuple[Order, Timeline],
) -> None:
    for _, timeline in (take_profit, stop_loss):
        timeline.add(filled_at, "new")
    roll = r.random()
    if tif == "day":
        horizon = session_close(filled_at)
        at = between(r, filled_at, horizon - MICROSECOND)
    else:
        horizon = None
        at = filled_at + days(r, 0.01, 10)
    if roll < 0.6:
        winner, loser = (take_profit, stop_loss) if roll < 0.35 else (stop_loss, take_profit)
        order, timeline = winner
        price = order.limit_price if order.order_type == "limit" else order.stop_price
        timeline.add(at, "filled", filled=order.quantity, price=price, stamp="filled_at")
        loser[1].add(at, "canceled", stamp="canceled_at")
        return
    for _, timeline in (take_profit, stop_loss):
        if horizon is not None:
            timeline.add(horizon, "expired", stamp="expired_at")
        elif roll < 0.85:
            timeline.add(filled_at + days(r, 30, 85), "canceled", stamp="canceled_at")
        else:
            timeline.add(filled_at + days(r, 0.01, 5), "canceled", stamp="canceled_at")


def _slots(r: random.Random, daily_orders: float) -> int:
    expected = daily_orders / ORDERS_PER_SLOT * r.uniform(0.7, 1.3)
    whole = int(expected)
    return whole + (1 if r.random() < expected - whole else 0)


@lru_cache(maxsize=2048)
def day_plans(seed: int, account: Account, day: date, daily_orders: float) -> tuple[OrderPlan, ...]:
    """Every order the account submits on `day` (replacements may land up to SPILL later),
    sorted by (submitted_at, order_id). Nothing before the account was opened."""
    d = Draw(seed=seed, account=account, r=rng(seed, account.account_id, "orders", day))
    plans: list[OrderPlan] = []
    for _ in range(_slots(d.r, daily_orders)):
        t0 = submission_time(d.r, day)
        roll = d.r.random()
        if roll < P_BRACKET:
            drawn = _bracket(d, t0)
        elif roll < P_BRACKET + P_BATCH:
            drawn = [plan for _ in range(d.r.randint(2, 4)) for plan in _simple(d, t0)]
        elif roll < P_BRACKET + P_BATCH + P_SPREAD and may_spread(account):
            drawn = _spread(d, t0)
        else:
            drawn = _simple(d, t0)
        if t0 >= account.created_at:
            plans.extend(drawn)
    plans.sort(key=lambda plan: (plan.order.submitted_at, plan.order.order_id))
    return tuple(plans)
