"""TradrAPI's ledger -> canonical activities: balance operations, and the deals of each
trade (the one that opened it, the one that closed it).

- A balance operation (`balances.list`) is its own activity under TradrAPI's id: a
  deposit (`add`), a withdrawal (`sub`), a fee (`commission`), interest (`swap`), or
  `other` (`adjustment`, `credit`, `debit`). Its `amount` is absolute; the operation
  gives the sign (add, credit and debit increase the balance, sub, commission and swap
  decrease it, an adjustment is signed as written), as the sandbox reads the SDK's enum.
- A closed trade (an account-summary record of type BUY or SELL) is two deals, as in
  `orders`: the one that opened it, under the platform's ticket, moving its lots in at
  no cash (MT books a trade's result when it closes), and the one that closed it
  (`<ticket>-close`), moving them out and booking the trade's profit, swap and
  commission (the commission is its `fee`). Each points at its order.
- A position still open has had its opening deal: it is read from the positions list,
  under the same ticket (no order yet: the trade's fills are orders once it closes).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from brokers.activity_rows import activity_row, signed
from brokers.parse import required, to_decimal, to_utc
from brokers.tradr.normalize import CLOSE_SUFFIX, instrument_type
from schemas import ActivityType

OPERATIONS = {
    "add": (ActivityType.DEPOSIT, 1),
    "sub": (ActivityType.WITHDRAWAL, -1),
    "commission": (ActivityType.FEE, -1),
    "swap": (ActivityType.INTEREST, -1),
    "credit": (ActivityType.OTHER, 1),
    "debit": (ActivityType.OTHER, 1),
    "adjustment": (ActivityType.OTHER, 0),  # signed as written
}
UNITS_IN = {"BUY": 1, "SELL": -1}


def transaction_row(
    transaction: Mapping[str, Any], *, account_id: str, currency: str
) -> dict[str, Any]:
    operation = str(transaction.get("operation") or "").lower()
    kind, sign = OPERATIONS.get(operation, (ActivityType.OTHER, 0))
    amount = to_decimal(transaction.get("amount"))
    return activity_row(
        account_id=account_id,
        activity_id=required(transaction, "balanceTransactionId"),
        activity_type=kind,
        occurred_at=to_utc(transaction.get("createdAt")),
        raw_type=operation or None,
        amount=signed(amount, sign) if sign else amount,
        currency=str(transaction.get("currency") or currency).upper(),
        description=transaction.get("comment"),
    )


def _deal(
    record: Mapping[str, Any],
    *,
    account_id: str,
    currency: str,
    activity_id: str,
    units: Decimal | None,
    price: object,
    at: object,
    stage: str,
) -> dict[str, Any]:
    symbol = str(record["symbol"])
    return activity_row(
        account_id=account_id,
        activity_id=activity_id,
        activity_type=ActivityType.TRADE,
        occurred_at=to_utc(at),
        raw_type=str(record.get("type") or "").upper() or None,
        raw_subtype=stage,
        raw_status=record.get("status"),
        symbol=symbol,
        instrument_type=instrument_type(symbol).value,
        quantity=units,
        price=to_decimal(price),
        amount=Decimal(0),
        currency=currency,
    )


def trade_rows(
    record: Mapping[str, Any], *, account_id: str, currency: str
) -> list[dict[str, Any]]:
    """A closed trade's opening deal and closing deal."""
    ticket = required(record, "exchangeOperationId")
    lots = to_decimal(record.get("volume"))
    direction = UNITS_IN.get(str(record.get("type") or "").upper(), 1)
    opened = _deal(
        record, account_id=account_id, currency=currency, activity_id=ticket,
        units=signed(lots, direction), price=record.get("openPrice"),
        at=record.get("openedAt"), stage="open",
    )  # fmt: skip
    closed = _deal(
        record, account_id=account_id, currency=currency, activity_id=ticket + CLOSE_SUFFIX,
        units=signed(lots, -direction), price=record.get("closePrice"),
        at=record.get("closedAt"), stage="close",
    )  # fmt: skip
    parts = [to_decimal(record.get(name)) for name in ("profit", "swap", "commission")]
    commission = parts[2]
    closed["amount"] = sum((p for p in parts if p is not None), Decimal(0))
    closed["fee"] = -commission if commission else None
    opened["order_id"], closed["order_id"] = ticket, ticket + CLOSE_SUFFIX
    return [opened, closed]


def open_deal_row(position: Mapping[str, Any], *, account_id: str, currency: str) -> dict[str, Any]:
    """The deal that opened a position still open."""
    lots = to_decimal(position.get("volume"))
    direction = UNITS_IN.get(str(position.get("type") or "").upper(), 1)
    return _deal(
        {**position, "status": "OPEN"},
        account_id=account_id,
        currency=currency,
        activity_id=required(position, "exchangeOperationId"),
        units=signed(lots, direction),
        price=position.get("openPrice"),
        at=position.get("openedAt") or position.get("createdAt"),
        stage="open",
    )
