"""The world's activities in canonical terms, per API: what the warehouse's `activities`
must hold, row for row.

Written from the world's ledger, the APIs' documented shapes (an Alpaca activity's id
is its time to the millisecond, `::`, then its own id; a journal names its id in its
description; SnapTrade prices per share) and the contract, not from the connectors'
code. Only executed activities are listed by the APIs; the Broker API's journals not
executed are rows under the journal's id."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox import World
from sandbox.world import Activity

ALPACA_TYPES = {  # world kind -> (activity_type, raw_type, raw_subtype)
    "deposit": ("deposit", "CSD", None),
    "withdrawal": ("withdrawal", "CSW", None),
    "transfer_in": ("transfer_in", "ACATS", None),
    "dividend": ("dividend", "DIV", "CDIV"),
    "interest": ("interest", "INT", "CDT"),
    "fee": ("fee", "FEE", None),
    "journal": ("journal", "JNLC", None),
}
SNAPTRADE_TYPES = {
    "deposit": ("deposit", "CONTRIBUTION"),
    "withdrawal": ("withdrawal", "WITHDRAWAL"),
    "transfer_in": ("transfer_in", "EXTERNAL_ASSET_TRANSFER_IN"),
    "dividend": ("dividend", "DIVIDEND"),
    "interest": ("interest", "INTEREST"),
    "fee": ("fee", "FEE"),
    "split": ("split", "SPLIT"),
}
ALPACA_KIND = {"equity": "equity", "etf": "equity", "option": "option", "crypto": "crypto"}
SNAPTRADE_KIND = {
    "equity": ("equity", "cs"), "etf": ("etf", "et"), "option": ("option", "option"),
    "crypto": ("crypto", "crypto"), "future": ("future", "fut"),
}  # fmt: skip
TRADR_OPERATION = {"add": "deposit", "sub": "withdrawal"}
NONE = dict.fromkeys(
    ("raw_subtype", "raw_status", "settle_date", "symbol", "instrument_type",
     "raw_instrument_type", "quantity", "price", "fee", "fx_rate", "order_id",
     "related_activity_id", "description")
)  # fmt: skip


def alpaca_id(activity: Activity) -> str:
    at = activity.at.astimezone(UTC)
    return f"{at:%Y%m%d%H%M%S}{at.microsecond // 1000:03d}::{activity.activity_id}"


def _base(activity: Activity, activity_id: str, activity_type: str, **columns: Any) -> dict:
    return {
        **NONE,
        "account_id": activity.account_id,
        "activity_id": activity_id,
        "activity_type": activity_type,
        "status": "executed",
        "occurred_at": activity.at,
        "trade_date": activity.at.astimezone(UTC).date(),
        "amount": activity.amount,
        "currency": activity.currency,
        **columns,
    }


def alpaca_activities(world: World, account_ids: list[str]) -> list[dict[str, Any]]:
    """Canonical rows of the accounts' activities as Alpaca's APIs list them, and, for a
    Broker API partner, its journals not executed."""
    found = []
    for account_id in account_ids:
        executed = [a for a in world.activities(account_id) if a.is_executed]
        ids = {a.activity_id: alpaca_id(a) for a in executed}
        for a in executed:
            symbol = None if a.instrument is None else a.instrument.symbol
            kind = None if a.instrument is None else ALPACA_KIND[a.instrument.kind]
            related = ids.get(a.related_id or "")
            if a.kind == "fill":
                assert a.order_quantity is not None and a.cum_quantity is not None
                partial = a.cum_quantity < a.order_quantity
                found.append(_base(
                    a, ids[a.activity_id], "trade", raw_type="FILL",
                    raw_subtype="partial_fill" if partial else "fill",
                    raw_status="partially_filled" if partial else "filled",
                    symbol=symbol, instrument_type=kind, quantity=a.quantity, price=a.price,
                    order_id=a.order_id,
                ))  # fmt: skip
                continue
            if a.kind == "split":
                activity_type, raw_type = "split", "SPLIT"
                raw_subtype = "FSPLIT" if (a.cum_quantity or 0) > 1 else "RSPLIT"
                text = f"{'REMOVE' if a.quantity < 0 else 'ADD'}, {a.description}"
            else:
                activity_type, raw_type, raw_subtype = ALPACA_TYPES[a.kind]
                text = a.description
            if a.kind == "journal":
                text = f"ID: {a.group_id} - {a.description}"
                related = _other_leg(world, a)
            found.append(_base(
                a, ids[a.activity_id], activity_type, raw_type=raw_type,
                raw_subtype=raw_subtype, raw_status="executed", symbol=symbol,
                instrument_type=kind, description=text, related_activity_id=related,
                quantity=a.quantity if a.kind in ("transfer_in", "split") else None,
                price=a.per_share if a.kind == "dividend" else a.price,
            ))  # fmt: skip
    return found


def _other_leg(world: World, leg: Activity) -> str:
    """The Alpaca id of a journal's other leg (in the other account's ledger)."""
    for journal in world.journals():
        if journal.journal_id == leg.group_id:
            other = journal.to_account if leg.amount < 0 else journal.from_account
            return next(
                alpaca_id(a) for a in world.activities(other) if a.activity_id == leg.related_id
            )
    raise KeyError(leg.group_id)


def broker_journal_rows(world: World) -> list[dict[str, Any]]:
    """The partner's journals not executed: a row per account under the journal's id."""
    found = []
    for journal in world.journals():
        status = journal.status_at(world.clock)
        if status == "executed":
            continue
        for account_id, sign in ((journal.from_account, -1), (journal.to_account, 1)):
            found.append({
                **NONE, "account_id": account_id, "activity_id": journal.journal_id,
                "activity_type": "journal", "raw_type": "JNLC",
                "status": "pending" if status == "pending" else "canceled",
                "raw_status": status, "occurred_at": journal.created_at,
                "trade_date": journal.created_at.date(), "amount": sign * journal.amount,
                "currency": journal.currency, "related_activity_id": journal.journal_id,
                "description": journal.description,
            })  # fmt: skip
    return found


def snaptrade_activities(world: World, account_ids: list[str]) -> list[dict[str, Any]]:
    """Canonical rows of the accounts' transactions as SnapTrade lists them: prices per
    share (per point for a future), 0 where there is none."""
    found = []
    for account_id in account_ids:
        for a in world.activities(account_id):
            if not a.is_executed:
                continue
            instrument = a.instrument
            per = Decimal(1) if instrument is None else instrument.multiplier
            kind, raw_kind = (None, None)
            if instrument is not None:
                kind, raw_kind = SNAPTRADE_KIND[instrument.kind]
            if a.kind == "fill":
                activity_type, raw_type = "trade", "BUY" if a.side == "buy" else "SELL"
            elif a.kind == "transfer":
                activity_type = "transfer_out" if a.amount < 0 else "transfer_in"
                raw_type = "TRANSFER"
            else:
                activity_type, raw_type = SNAPTRADE_TYPES[a.kind]
            price = a.per_share if a.kind == "dividend" else a.price
            moved = a.kind in ("fill", "transfer_in", "split")
            found.append(_base(
                a, a.activity_id, activity_type, raw_type=raw_type,
                settle_date=a.settle_date, symbol=None if instrument is None else instrument.symbol,
                instrument_type=kind, raw_instrument_type=raw_kind,
                quantity=a.quantity if moved else None,
                price=Decimal(0) if price is None else price / per,
                fee=a.fee, related_activity_id=a.related_id, description=a.description,
            ))  # fmt: skip
    return found


def tradr_activities(world: World, account_ids: list[int]) -> list[dict[str, Any]]:
    """Canonical rows of TradrAPI accounts: balance operations, both deals of each closed
    trade, and the opening deal of each open position."""
    found = []
    for number in account_ids:
        account_id = str(number)
        currency = world.tradr_account(number).currency
        for t in world.tradr_transactions(number):
            found.append({
                **NONE, "account_id": account_id, "activity_id": str(t.transaction_id),
                "activity_type": TRADR_OPERATION.get(t.operation, "other"),
                "raw_type": t.operation, "status": "executed", "occurred_at": t.created_at,
                "trade_date": t.created_at.date(), "amount": t.signed,
                "currency": t.currency, "description": t.comment,
            })  # fmt: skip
        for trade in world.tradr_trades(number):
            sign = 1 if trade.side == "BUY" else -1
            found.append(_deal(account_id, currency, trade.ticket, trade.symbol, trade.side,
                               "open", "CLOSED", sign * trade.volume, trade.open_price,
                               trade.opened_at, Decimal(0), None, trade.ticket))  # fmt: skip
            close = f"{trade.ticket}-close"
            fee = -trade.commission if trade.commission else None
            found.append(_deal(account_id, currency, close, trade.symbol, trade.side, "close",
                               "CLOSED", -sign * trade.volume, trade.close_price,
                               trade.closed_at, trade.net, fee, close))  # fmt: skip
        for p in world.tradr_positions(number):
            sign = 1 if p.side == "BUY" else -1
            found.append(_deal(account_id, currency, p.ticket, p.symbol, p.side, "open",
                               "OPEN", sign * p.volume, p.open_price, p.opened_at,
                               Decimal(0), None, None))  # fmt: skip
    return found


def _deal(
    account_id: str,
    currency: str,
    activity_id: str,
    symbol: Any,
    side: str,
    stage: str,
    status: str,
    quantity: Decimal,
    price: Decimal,
    at: datetime,
    amount: Decimal,
    fee: Decimal | None,
    order_id: str | None,
) -> dict[str, Any]:
    return {
        **NONE, "account_id": account_id, "activity_id": activity_id, "activity_type": "trade",
        "raw_type": side, "raw_subtype": stage, "raw_status": status, "status": "executed",
        "occurred_at": at, "trade_date": at.date(), "symbol": symbol.name,
        "instrument_type": symbol.kind, "quantity": quantity, "price": price, "amount": amount,
        "currency": currency, "fee": fee, "order_id": order_id,
    }  # fmt: skip
