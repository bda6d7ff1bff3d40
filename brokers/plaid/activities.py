"""Plaid investment transactions -> canonical activity rows.

Plaid's amounts are positive when cash leaves the account: the row's `amount` is the
opposite, positive into the account. A transaction's `quantity` is signed as Plaid
writes it (positive into the account); an option's counts options, so the row holds
contracts and its price stays per share. `type`/`subtype` are kept raw beside the
canonical type; a transfer is in or out by the units' (else the cash's) sign. Plaid lists
posted transactions only: each is executed. `occurred_at` is `transaction_datetime`
where the institution gives one, else the start of `date` in UTC. Plaid links no
transactions to orders (it has none) nor legs to each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from brokers.activity_rows import activity_row
from brokers.frames import Row, Unreadable, salvage
from brokers.parse import required, to_decimal, to_utc
from brokers.plaid.normalize import instrument, per_share
from schemas import ActivityType

CASH = {
    "deposit": ActivityType.DEPOSIT,
    "contribution": ActivityType.DEPOSIT,
    "withdrawal": ActivityType.WITHDRAWAL,
    "distribution": ActivityType.WITHDRAWAL,
    "interest": ActivityType.INTEREST,
    "interest receivable": ActivityType.INTEREST,
    "dividend": ActivityType.DIVIDEND,
    "qualified dividend": ActivityType.DIVIDEND,
    "non-qualified dividend": ActivityType.DIVIDEND,
    "tax": ActivityType.TAX,
    "tax withheld": ActivityType.TAX,
    "non-resident tax": ActivityType.TAX,
}
TRANSFER = {
    "split": ActivityType.SPLIT,
    "merger": ActivityType.CORPORATE_ACTION,
    "spin off": ActivityType.CORPORATE_ACTION,
    "stock distribution": ActivityType.CORPORATE_ACTION,
    "exercise": ActivityType.OPTION_EXERCISE,
    "assignment": ActivityType.OPTION_ASSIGNMENT,
    "expire": ActivityType.OPTION_EXPIRATION,
}
DIRECTED = frozenset({"transfer", "send", "request"})  # in or out by the sign
UNITS_MOVE = frozenset(
    {ActivityType.TRADE, ActivityType.TRANSFER_IN, ActivityType.TRANSFER_OUT, ActivityType.SPLIT,
     ActivityType.CORPORATE_ACTION, ActivityType.OPTION_EXERCISE,
     ActivityType.OPTION_ASSIGNMENT, ActivityType.OPTION_EXPIRATION}
)  # fmt: skip


def activity_type(kind: str, subtype: str, units: Decimal, cash: Decimal) -> ActivityType:
    """The canonical type of Plaid's (type, subtype); `units` and `cash` signed into the
    account."""
    if kind in ("buy", "sell"):
        return ActivityType.TRADE
    if kind == "fee":
        return ActivityType.FEE
    if subtype in DIRECTED and kind in ("transfer", "cash"):
        inward = units > 0 if units else cash > 0
        return ActivityType.TRANSFER_IN if inward else ActivityType.TRANSFER_OUT
    if kind == "cash":
        return CASH.get(subtype, ActivityType.OTHER)
    if kind == "transfer":
        return TRANSFER.get(subtype, ActivityType.OTHER)
    return ActivityType.OTHER  # cancel, and types to come


def activity_rows(
    records: Iterable[Mapping[str, Any]], securities: Mapping[str, Mapping[str, Any]]
) -> list[Row | Unreadable]:
    return salvage(
        records,
        lambda record: _row(record, securities),
        lambda record: {
            "account_id": str(record.get("account_id")),
            "activity_id": str(record.get("investment_transaction_id")),
        },
    )


def _row(record: Mapping[str, Any], securities: Mapping[str, Mapping[str, Any]]) -> Row:
    kind, subtype = required(record, "type"), str(record.get("subtype") or "")
    security_id = record.get("security_id")
    symbol, instrument_type, raw_instrument_type = instrument(
        securities[security_id] if security_id else None
    )
    units = to_decimal(record.get("quantity")) or Decimal(0)
    charged = to_decimal(record.get("amount"))
    cash = None if charged is None else -charged
    canonical = activity_type(kind, subtype, units, cash or Decimal(0))
    traded_on = date.fromisoformat(required(record, "date"))
    occurred = to_utc(record.get("transaction_datetime")) or datetime.combine(
        traded_on, time.min, UTC
    )
    moved = canonical in UNITS_MOVE and symbol is not None
    return activity_row(
        account_id=required(record, "account_id"),
        activity_id=required(record, "investment_transaction_id"),
        activity_type=canonical,
        occurred_at=occurred,
        raw_type=kind,
        raw_subtype=subtype or None,
        trade_date=traded_on,
        symbol=symbol,
        instrument_type=instrument_type,
        raw_instrument_type=raw_instrument_type,
        quantity=units / per_share(instrument_type) if moved else None,
        price=to_decimal(record.get("price")) if symbol is not None else None,
        amount=cash,
        currency=record.get("iso_currency_code"),
        fee=to_decimal(record.get("fees")),
        description=record.get("name"),
    )
