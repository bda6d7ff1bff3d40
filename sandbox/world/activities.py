"""Account activities (transactions): one per fill, plus the cash movements and income an
account sees each month. Derived from the orders, so the two always agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sandbox.world.model import Account, Activity, Order
from sandbox.world.randomness import decimal_between, rng, uuid4

CENT = Decimal("0.01")
SETTLEMENT = timedelta(days=1)


def activities_of(
    seed: int, account: Account, orders: list[Order], since: datetime, until: datetime
) -> list[Activity]:
    """Every activity of the account dated in [since, until], by (trade_date, id)."""
    found = [
        _fill(order)
        for order in orders
        if order.status == "filled" and order.filled_at and not order.is_multi_leg_parent
    ]  # a multi-leg order fills through its legs
    found += _cash_movements(seed, account, since, until)
    found = [a for a in found if since <= a.trade_date <= until]
    found.sort(key=lambda a: (a.trade_date, a.activity_id))
    return found


def _fill(order: Order) -> Activity:
    instrument = order.instrument
    per_share = (order.filled_avg_price or Decimal(0)) / instrument.multiplier
    gross = order.filled_quantity * per_share * instrument.multiplier
    buying = order.side == "buy"
    assert order.filled_at is not None
    return Activity(
        activity_id=uuid4(rng("activity", order.order_id)),
        account_id=order.account_id,
        type="BUY" if buying else "SELL",
        symbol=None if instrument.kind == "option" else instrument.symbol,
        option_symbol=instrument.symbol if instrument.kind == "option" else None,
        units=order.filled_quantity,
        price=per_share,
        amount=-gross if buying else gross,
        currency=instrument.currency,
        trade_date=order.filled_at,
        settlement_date=order.filled_at.date() + SETTLEMENT,
        description=f"{'Bought' if buying else 'Sold'} {order.filled_quantity} {instrument.name}",
        order_id=order.order_id,
        fee=Decimal("0.00"),
    )


def _cash_movements(
    seed: int, account: Account, since: datetime, until: datetime
) -> list[Activity]:
    """A contribution on the 1st and interest on the 15th of each month, a fee now and then."""
    if account.status == "closed":
        return []
    found = []
    day = since.date().replace(day=1)
    while day <= until.date():
        for on, kind in ((day, "CONTRIBUTION"), (day.replace(day=15), "INTEREST")):
            r = rng(seed, account.account_id, "activity", kind, on.isoformat())
            amount = (
                decimal_between(r, Decimal(100), Decimal(5000), 0)
                if kind == "CONTRIBUTION"
                else decimal_between(r, Decimal("0.05"), Decimal(40), 2)
            )
            found.append(_cash(account, kind, amount, on))
            if kind == "INTEREST" and r.random() < 0.3:
                found.append(_cash(account, "FEE", -Decimal("4.95"), on))
        day = (day + timedelta(days=32)).replace(day=1)
    return found


def _cash(account: Account, kind: str, amount: Decimal, on: date) -> Activity:
    moment = datetime.combine(on, time(12, 0), tzinfo=UTC)
    return Activity(
        activity_id=uuid4(rng(account.account_id, kind, on.isoformat(), str(amount))),
        account_id=account.account_id,
        type=kind,
        symbol=None,
        option_symbol=None,
        units=Decimal(0),
        price=Decimal(0),
        amount=amount,
        currency=account.base_currency,
        trade_date=moment,
        settlement_date=on,
        description={"CONTRIBUTION": "Deposit", "INTEREST": "Interest", "FEE": "Account fee"}[kind],
        fee=Decimal("4.95") if kind == "FEE" else Decimal("0.00"),
    )
