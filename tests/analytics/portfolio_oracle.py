"""What the analytics must show, computed from the world's truth (the canonical rows each
API's oracle expects, day by day), by plain Python: no SQL, no warehouse.

Conversions go through the euro at the sandbox ECB's rates of the day (the last published
one over a weekend or holiday), the cross rate rounded to 12 places and the amount to 8,
as the models state; everything in one currency is exact.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox import Sandbox
from sandbox.ecb import rate_on
from sandbox.ecb.rates import is_business_day
from tests.oracle import (
    SCALE,
    WIDE,
    alpaca_broker_truth,
    alpaca_truth,
    snaptrade_truth,
    tradr_truth,
)

ZERO = Decimal(0)
MARGINED = ("cfd", "fx")
FLOW_TYPES = ("deposit", "withdrawal", "transfer_in", "transfer_out", "journal")
INCOME_TYPES = ("dividend", "interest", "fee", "tax")


def truth(sandbox: Sandbox, source: Any, moment: datetime) -> dict[str, list[dict]]:
    world = sandbox.world.at(moment)
    if source.kind == "alpaca":
        key_id = source.key_id.get_secret_value()
        account = next(k.account_id for k in world.alpaca_keys() if k.key_id == key_id)
        return alpaca_truth(world, {source.name: account})
    if source.kind == "alpaca_broker":
        return alpaca_broker_truth(world, source.name)
    if source.kind == "snaptrade":
        return snaptrade_truth(world, source.name)
    key = sandbox.tradr_keys.lookup(source.api_key.get_secret_value())
    return tradr_truth(world, source.name, key)


def eur_rate(currency: str, day: date, seed: int = 0) -> Decimal:
    """Units of `currency` per euro on `day`: the last rate published by then."""
    if currency == "EUR":
        return Decimal(1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return rate_on(seed, currency, day)


def convert(value: Decimal, source: str, target: str, day: date) -> Decimal:
    if source == target:
        return value
    cross = float(eur_rate(target, day)) / float(eur_rate(source, day))
    rounded = Decimal(cross).quantize(Decimal("1e-12"), ROUND_HALF_UP)
    return value.quantize(Decimal("1e-8"), ROUND_HALF_UP) * rounded


def held(value: Decimal | None) -> Decimal:
    """A value as the contract holds it: 18 decimal places, half to even."""
    return ZERO if value is None else value.quantize(SCALE, context=WIDE)


def flow_value(row: dict) -> Decimal:
    if row["amount"]:
        return row["amount"]
    return (row["quantity"] or ZERO) * (row["price"] or ZERO)


@dataclass
class AccountDay:
    source: str
    account_id: str
    user_id: str
    day: date
    as_of: datetime
    currency: str
    cash: dict[str, Decimal] = field(default_factory=dict)  # by currency
    market_value: dict[str, Decimal] = field(default_factory=dict)
    equity: Decimal = ZERO  # the account's currency
    equity_base: Decimal = ZERO
    net_flows: Decimal = ZERO
    net_flows_base: Decimal = ZERO


def portfolio_days(
    days: dict[date, dict[str, list[dict]]], activities: list[dict], base: str = "USD"
) -> dict[tuple[str, str, date], AccountDay]:
    """Per account and day, from each day's truth: cash and market value per currency,
    equity in the account's and the base currency, the external flows since the
    previous snapshot."""
    found: dict[tuple[str, str, date], AccountDay] = {}
    for day, rows in sorted(days.items()):
        accounts = {(a["source"], a["account_id"]): a for a in rows["accounts"]}
        for b in rows["balances"]:
            entry = _entry(found, accounts, b, day)
            entry.cash[b["currency"]] = entry.cash.get(b["currency"], ZERO) + held(b["cash"])
        for p in rows["positions"]:
            entry = _entry(found, accounts, p, day)
            value = p["unrealized_pnl"] if p["instrument_type"] in MARGINED else p["market_value"]
            so_far = entry.market_value.get(p["currency"], ZERO)
            entry.market_value[p["currency"]] = so_far + held(value)
    for entry in found.values():
        for currency in set(entry.cash) | set(entry.market_value):
            value = entry.cash.get(currency, ZERO) + entry.market_value.get(currency, ZERO)
            entry.equity += convert(value, currency, entry.currency, entry.day)
            entry.equity_base += convert(value, currency, base, entry.day)
    flows = [
        a for a in activities if a["status"] == "executed" and a["activity_type"] in FLOW_TYPES
    ]
    by_account: dict[tuple[str, str], list[AccountDay]] = defaultdict(list)
    for entry in found.values():
        by_account[(entry.source, entry.account_id)].append(entry)
    for (source, account_id), entries in by_account.items():
        entries.sort(key=lambda e: e.day)
        for before, entry in itertools.pairwise(entries):
            for f in flows:
                if (f["source"], f["account_id"]) != (source, account_id):
                    continue
                if before.as_of < f["occurred_at"] <= entry.as_of:
                    day, currency = f["occurred_at"].date(), f["currency"] or entry.currency
                    entry.net_flows += convert(flow_value(f), currency, entry.currency, day)
                    entry.net_flows_base += convert(flow_value(f), currency, base, day)
    return found


def _entry(found: dict, accounts: dict, row: dict, day: date) -> AccountDay:
    key = (row["source"], row["account_id"], day)
    if key not in found:
        account = accounts[(row["source"], row["account_id"])]
        found[key] = AccountDay(
            row["source"], row["account_id"], account["user_id"], day, row["as_of"],
            account["base_currency"],
        )  # fmt: skip
    return found[key]


def chain_linked(series: list[tuple[Decimal, Decimal]]) -> float:
    """The time-weighted return of (value, flows since the previous) in day order; a day
    after one worth nothing has no return."""
    growth = 1.0
    for (previous, _), (value, flows) in itertools.pairwise(series):
        if previous:
            growth *= float(value - flows) / float(previous)
    return growth - 1


def xirr(flows: list[tuple[float, float]]) -> float:
    """The rate r per unit of t at which sum(cf / (1 + r) ** t) = 0, by bisection."""

    def npv(rate: float) -> float:
        return sum(cf / (1 + rate) ** t for t, cf in flows)

    low, high = -0.5, 1.0
    for _ in range(400):
        middle = (low + high) / 2
        if (npv(low) > 0) == (npv(middle) > 0):
            low = middle
        else:
            high = middle
    return (low + high) / 2


def money_weighted(series: list[tuple[date, Decimal, Decimal]]) -> float:
    """The period return at the XIRR of: the first value in, each day's flows in, the
    last value out."""
    start = series[0][0]
    flows = [(0.0, -float(series[0][1]))]
    flows += [((day - start).days, -float(f)) for day, _, f in series[1:]]
    days = (series[-1][0] - start).days
    flows.append((days, float(series[-1][1])))
    if not any(cf for _, cf in flows):
        return 0.0
    return (1 + xirr(flows)) ** days - 1


def fifo_realized(activities: Iterable[dict]) -> dict[tuple[str, str, str], Decimal]:
    """Realized profit or loss per (source, account, symbol): lots held in a queue, a sale
    closing the oldest long units first and a purchase the oldest short ones, each at
    the cash per unit its activity moved; splits scale the units held."""
    moves = sorted(
        (
            a for a in activities
            if a["status"] == "executed" and a["symbol"] and a["quantity"]
            and a["activity_type"] in ("trade", "transfer_in", "transfer_out", "split")
        ),
        key=lambda a: (a["occurred_at"], a["activity_id"]),
    )  # fmt: skip
    lots: dict[tuple[str, str, str], deque] = defaultdict(deque)  # [units, cash per unit]
    realized: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    splits: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for a in moves:
        if a["activity_type"] == "split":
            legs = splits[(a["source"], a["account_id"], a["symbol"], a["occurred_at"])]
            legs[0 if a["quantity"] > 0 else 1] += abs(a["quantity"])
    applied = set()
    for a in moves:
        key = (a["source"], a["account_id"], a["symbol"])
        if a["activity_type"] == "split":
            at = (*key, a["occurred_at"])
            if at not in applied:
                applied.add(at)
                new, old = splits[at]
                for lot in lots[key]:
                    lot[0] *= new / old
                    lot[1] /= new / old
            continue
        quantity = a["quantity"]
        if a["activity_type"] == "trade":
            per_unit = (a["amount"] or ZERO) / abs(quantity)  # cash in per unit (< 0 buying)
        elif a["activity_type"] == "transfer_in":
            per_unit = -(a["price"] or ZERO)
        else:
            per_unit = None  # moved out: closes units, realizes nothing
        queue, left = lots[key], abs(quantity)
        while left and queue and (queue[0][0] > 0) != (quantity > 0):
            units, lot_cash = queue[0]
            matched = min(left, abs(units))
            if per_unit is not None and lot_cash is not None:  # both legs' cash known
                realized[key] += matched * (per_unit + lot_cash)
            if matched == abs(units):
                queue.popleft()
            else:
                queue[0][0] = units - matched if units > 0 else units + matched
            left -= matched
        if left:
            queue.append([left if quantity > 0 else -left, per_unit])
    return dict(realized)


def income_by_month(activities: Iterable[dict]) -> dict[tuple, dict[str, Decimal]]:
    found: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for a in activities:
        if a["status"] != "executed":
            continue
        month = a["occurred_at"].date().replace(day=1)
        key = (a["source"], a["account_id"], month, a["currency"])
        if a["activity_type"] in INCOME_TYPES:
            found[key][a["activity_type"]] += a["amount"] or ZERO
        elif a["activity_type"] == "trade" and a["fee"]:
            found[key]["commission"] -= a["fee"]
    return {k: dict(v) for k, v in found.items()}
