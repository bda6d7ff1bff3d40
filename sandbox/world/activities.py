"""An account's ledger: every movement of its cash and units since it opened, in time
order, and the book it adds up to (book.py).

- the opening: the deposit that funded the account (and some US dollars for a Canadian
  one), then the positions it transferred in the next day;
- each execution of its orders (a partial fill and the rest apart), at the fill's
  price, the cash rounded to the cent as a broker books it;
- a contribution on the 1st of each month, interest on the 15th, a fee now and then, a
  withdrawal on the 22nd some months;
- dividends on the units held when an instrument pays (ETFs monthly, most equities
  quarterly), in the instrument's currency (an LCT account's, converted);
- the splits of prices.py, in two legs: the old units removed, the new ones added;
- legs the world hands in that involve other accounts: a transfer between two accounts
  of one user, journals between two of a partner's accounts.

Apart from the opening, nothing happens before the world's history begins (`since`), so
the ledger stays as small as the history. Everything is drawn from the order plans and
seeded streams, so the ledger at a later clock extends the one at an earlier clock.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from sandbox.world.book import Book
from sandbox.world.holdings import CENT, opening_cash, opening_holdings
from sandbox.world.instruments import BASE_PRICES, BY_KIND, CAD_INSTRUMENTS
from sandbox.world.lifecycle import OrderPlan
from sandbox.world.model import Account, Activity, Instrument
from sandbox.world.prices import Split, splits_between, swap_rate
from sandbox.world.randomness import decimal_between, rng, stable_int

ZERO = Decimal(0)
RATE_PLACES = Decimal("0.0001")
LCT_RATE_PLACES = Decimal("0.00000001")
TRANSFER_DELAY = timedelta(days=1)  # positions arrive the day after the deposit
PAY_TIME = time(13, 0)  # dividends are paid at 13:00 UTC
# Equities that pay no dividend (one in three, by symbol).
NO_DIVIDEND_EVERY = 3
# Order of things booked at one instant: splits first (they take effect at midnight).
FIRST, LATER = 0, 1


def _settlement(at: datetime, instrument: Instrument | None) -> date:
    if instrument is None or instrument.kind == "crypto":
        return at.date()
    return at.date() + timedelta(days=1)  # T+1


def _id(*parts: object) -> str:
    """A version-4 UUID fixed by the parts (a digest: many are made per account)."""
    digest = hashlib.sha256(":".join(("activity", *map(str, parts))).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def opening(seed: int, account: Account, positions_per_account: int) -> list[Activity]:
    """The deposit(s) the account opened with, and the long positions transferred in the
    next day, at their cost (an LCT account's in its currency, converted at the rate it
    paid)."""
    opened = account.created_at
    found = [
        Activity(
            activity_id=_id(seed, account.account_id, "opening", currency),
            account_id=account.account_id,
            kind="deposit",
            at=opened,
            instrument=None,
            quantity=ZERO,
            price=None,
            amount=amount,
            currency=currency,
            settle_date=opened.date(),
            description="Initial deposit",
        )
        for currency, amount in sorted(opening_cash(seed, account).items())
    ]
    arrived = opened + TRANSFER_DELAY
    for holding in opening_holdings(seed, account, positions_per_account):
        instrument = holding.instrument
        rate = holding.entry_swap_rate
        found.append(
            Activity(
                activity_id=_id(seed, account.account_id, "opening", instrument.symbol),
                account_id=account.account_id,
                kind="transfer_in",
                at=arrived,
                instrument=instrument,
                quantity=holding.quantity,
                price=holding.average_cost * (rate or 1),
                amount=ZERO,
                currency=account.base_currency if rate is not None else instrument.currency,
                settle_date=arrived.date(),
                description=f"Position transferred in: {holding.quantity} {instrument.name}",
                usd_price=holding.average_cost if rate is not None else None,
                swap_rate=rate,
            )
        )
    return found


def fills(account: Account, plans: Iterable[OrderPlan], until: datetime) -> Iterator[Activity]:
    """Each execution of the orders up to `until`: the units filled since the order's
    previous event, at its fill price (a multi-leg order fills through its legs)."""
    for plan in plans:
        order = plan.order
        if order.is_multi_leg_parent:
            continue
        instrument = order.instrument
        buying = order.side == "buy"
        filled = ZERO
        for number, event in enumerate(plan.events):
            if event.at > until:
                break
            units = event.filled_quantity - filled
            if units <= 0:
                continue
            filled = event.filled_quantity
            price = event.filled_avg_price
            assert price is not None
            gross = (units * price).quantize(CENT, ROUND_HALF_EVEN)
            currency = account.base_currency if order.swap_rate is not None else instrument.currency
            yield Activity(
                activity_id=_id(order.order_id, "fill", number),
                account_id=account.account_id,
                kind="fill",
                at=event.at,
                instrument=instrument,
                quantity=units if buying else -units,
                price=price,
                amount=-gross if buying else gross,
                currency=currency,
                settle_date=_settlement(event.at, instrument),
                description=f"{'Bought' if buying else 'Sold'} {units} {instrument.name}",
                order_id=order.order_id,
                side=order.side,
                cum_quantity=filled,
                order_quantity=order.quantity if order.quantity is not None else filled,
                usd_price=event.usd_filled_avg_price,
                swap_rate=order.swap_rate,
            )


def _cash(account: Account, kind: str, amount: Decimal, at: datetime, text: str) -> Activity:
    return Activity(
        activity_id=_id(account.account_id, kind, at.isoformat(), str(amount)),
        account_id=account.account_id,
        kind=kind,
        at=at,
        instrument=None,
        quantity=ZERO,
        price=None,
        amount=amount,
        currency=account.base_currency,
        settle_date=at.date(),
        description=text,
        fee=-amount if kind == "fee" else ZERO,
    )


def cash_movements(
    seed: int, account: Account, since: datetime, until: datetime
) -> Iterator[Activity]:
    """A contribution on the 1st and interest on the 15th of each month at noon UTC, an
    account fee with the interest now and then, a withdrawal on the 22nd some months."""
    month = since.date().replace(day=1)
    while month <= until.date():
        r = rng(seed, account.account_id, "activity", "CONTRIBUTION", month.isoformat())
        contribution = decimal_between(r, Decimal(100), Decimal(5000), 0)
        r = rng(seed, account.account_id, "activity", "INTEREST", month.replace(day=15))
        interest = decimal_between(r, Decimal("0.05"), Decimal(40), 2)
        charged = r.random() < 0.3
        w = rng(seed, account.account_id, "activity", "WITHDRAWAL", month.isoformat())
        withdrawn = decimal_between(w, Decimal(50), Decimal(2000), 2) if w.random() < 0.25 else None
        planned = [
            (month, "deposit", contribution, "Contribution"),
            (month.replace(day=15), "interest", interest, "Interest"),
        ]
        if charged:
            planned.append((month.replace(day=15), "fee", -Decimal("4.95"), "Account fee"))
        if withdrawn is not None:
            planned.append((month.replace(day=22), "withdrawal", -withdrawn, "Withdrawal"))
        for day, kind, amount, text in planned:
            at = datetime.combine(day, time(12, 0), tzinfo=UTC)
            if since <= at <= until:
                yield _cash(account, kind, amount, at, text)
        month = (month + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True, slots=True)
class Payout:
    """An instrument paying a dividend per unit held at `at`."""

    instrument: Instrument
    at: datetime
    per_unit: Decimal  # in the instrument's currency


def _pays(instrument: Instrument, day: date) -> Decimal | None:
    """What an instrument pays per unit on `day`, if it pays then: ETFs monthly, two in
    three equities quarterly, on a day of the month fixed by the symbol."""
    if instrument.kind not in ("equity", "etf"):
        return None
    key = stable_int("dividend", instrument.symbol)
    if day.day != key % 28 + 1:
        return None
    if instrument.kind == "equity":
        if key % NO_DIVIDEND_EVERY == 0 or day.month % 3 != key % 3:
            return None
        periods = 4
    else:
        periods = 12
    annual_yield = Decimal(5 + key % 35) / 1000  # 0.5% to 3.9%
    return (BASE_PRICES[instrument.symbol] * annual_yield / periods).quantize(RATE_PLACES)


PAYERS = tuple(
    i for i in (*BY_KIND["equity"], *BY_KIND["etf"], *CAD_INSTRUMENTS) if i.kind != "crypto"
)


@lru_cache(maxsize=64)
def payouts(since: datetime, until: datetime) -> tuple[Payout, ...]:
    """Every payout in [since, until] (the same for every account: kept)."""
    found = []
    day = since.date()
    while day <= until.date():
        at = datetime.combine(day, PAY_TIME, tzinfo=UTC)
        if since <= at <= until:
            for instrument in PAYERS:
                per_unit = _pays(instrument, day)
                if per_unit is not None:
                    found.append(Payout(instrument, at, per_unit))
        day += timedelta(days=1)
    return tuple(found)


def dividend(seed: int, account: Account, payout: Payout, units: Decimal) -> Activity:
    instrument = payout.instrument
    per_unit, currency = payout.per_unit, instrument.currency
    if account.is_lct:  # paid in the account's currency, at the day's rate
        rate = swap_rate(seed, account.base_currency, payout.at.date())
        per_unit, currency = (per_unit * rate).quantize(LCT_RATE_PLACES), account.base_currency
    amount = (units * per_unit).quantize(CENT, ROUND_HALF_EVEN)
    return Activity(
        activity_id=_id(account.account_id, "dividend", instrument.symbol, payout.at.isoformat()),
        account_id=account.account_id,
        kind="dividend",
        at=payout.at,
        instrument=instrument,
        quantity=ZERO,
        price=per_unit,
        amount=amount,
        currency=currency,
        settle_date=payout.at.date(),
        description=f"Dividend {instrument.symbol}: {per_unit} a unit on {units}",
        per_share=per_unit,
        cum_quantity=units,  # the units that earned it
    )


def split_legs(account: Account, split: Split, units: Decimal) -> tuple[Activity, Activity]:
    """The old units removed and the new ones added, each pointing at the other."""
    group = _id(account.account_id, "split", split.symbol, split.at.isoformat())
    removed_id, added_id = _id(group, "remove"), _id(group, "add")
    instrument = next(i for i in BY_KIND["equity"] if i.symbol == split.symbol)
    new_units = units * split.ratio
    text = f"{split.kind.title()} split {split.symbol}: {units} units become {new_units}"

    def leg(activity_id: str, quantity: Decimal, related: str) -> Activity:
        return Activity(
            activity_id=activity_id,
            account_id=account.account_id,
            kind="split",
            at=split.at,
            instrument=instrument,
            quantity=quantity,
            price=None,
            amount=ZERO,
            currency=instrument.currency if not account.is_lct else account.base_currency,
            settle_date=split.at.date(),
            description=text,
            group_id=group,
            related_id=related,
            cum_quantity=split.ratio,  # new units per old one
        )

    return leg(removed_id, -units, added_id), leg(added_id, new_units, removed_id)


def ledger(
    seed: int,
    account: Account,
    plans: Iterable[OrderPlan],
    *,
    since: datetime,
    until: datetime,
    positions_per_account: int,
    links: Iterable[Activity] = (),
) -> tuple[list[Activity], Book]:
    """Every activity of the account booked by `until` (pending and canceled ones too), in
    time order, and the book its executed ones add up to."""
    if account.created_at > until:
        return [], Book()
    if account.status == "closed":  # funded, emptied and closed before any history
        return [], Book()
    lines: list[tuple[datetime, int, int, object]] = []

    def add(at: datetime, priority: int, item: object) -> None:
        lines.append((at, priority, len(lines), item))

    for activity in opening(seed, account, positions_per_account):
        add(activity.at, LATER, activity)
    for activity in fills(account, plans, until):
        add(activity.at, LATER, activity)
    for activity in cash_movements(seed, account, since, until):
        add(activity.at, LATER, activity)
    for activity in links:
        if activity.at <= until:
            add(activity.at, LATER, activity)
    for payout in payouts(since, until):
        add(payout.at, FIRST, payout)
    for split in splits_between(since, until):
        add(split.at, FIRST, split)
    lines.sort(key=lambda line: line[:3])
    book = Book()
    found: list[Activity] = []
    for _, _, _, item in lines:
        booked: tuple[Activity, ...]
        if isinstance(item, Payout):
            units = book.units(item.instrument.symbol)
            booked = (dividend(seed, account, item, units),) if units > 0 else ()
        elif isinstance(item, Split):
            units = book.units(item.symbol)
            booked = split_legs(account, item, units) if units != 0 else ()
        else:
            assert isinstance(item, Activity)
            booked = (item,)
        for activity in booked:
            book.apply(activity)
            found.append(activity)
    return found, book
