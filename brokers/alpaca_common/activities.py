"""Alpaca account activities (Trading API and Broker API) -> canonical rows.

A FILL is a trade: its units signed by its side, its cash the opposite of units x price
rounded to the cent (the activity states no amount), in the account's currency. Every
other type is a non-trade activity with its `net_amount`; only the types that move units
(ACATS, JNLS, SPLIT, option exercises, assignments and expirations, mergers and
spin-offs) carry a quantity, as signed by the API (a dividend's `qty`, the units that
earned it, is not a movement). `occurred_at` is a fill's `transaction_time` or an
activity's `created_at` (its `date` when that is missing); `trade_date` is a non-trade
activity's `date`. `correct` (corrected, replaced by a new activity) and `canceled` are
canceled. A journal's legs name the journal in their description (`ID: <journal> - ...`)
and a split's share a `group_id`: each leg points at the other.

A journal the Broker API has not executed yet (or never will) is not an activity: it is
read from the journals listing, a row for each account under the journal's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from brokers.activity_rows import activity_row, pair_legs, signed, symbol_type, trade_cash
from brokers.frames import Row, Unreadable, salvage
from brokers.parse import required, to_decimal, to_utc
from schemas import ActivityStatus, ActivityType

TYPES = {
    "FILL": ActivityType.TRADE,
    "OPTRD": ActivityType.TRADE,
    **dict.fromkeys(
        ("DIV", "DIVCGL", "DIVCGS", "DIVROC", "DIVTXEX", "CGD", "SPD"), ActivityType.DIVIDEND
    ),
    **dict.fromkeys(
        ("DIVNRA", "DIVFT", "DIVTW", "DIVWH", "WH", "INTNRA", "INTTW"), ActivityType.TAX
    ),
    **dict.fromkeys(("INT", "INTPNL", "SWP"), ActivityType.INTEREST),
    **dict.fromkeys(("FEE", "CFEE", "DIVFEE", "PTC", "PTR"), ActivityType.FEE),
    "CSD": ActivityType.DEPOSIT,
    "CSW": ActivityType.WITHDRAWAL,
    **dict.fromkeys(("JNL", "JNLC", "JNLS"), ActivityType.JOURNAL),
    "SPLIT": ActivityType.SPLIT,
    **dict.fromkeys(("MA", "NC", "REORG", "SPIN", "OPCA", "VOF"), ActivityType.CORPORATE_ACTION),
    "OPEXC": ActivityType.OPTION_EXERCISE,
    "OPASN": ActivityType.OPTION_ASSIGNMENT,
    "OPEXP": ActivityType.OPTION_EXPIRATION,
    "FXTRD": ActivityType.FX_CONVERSION,
}
TRANSFERS = ("ACATC", "ACATS", "FOPT", "TRANS")  # in or out by their sign
UNIT_TYPES = frozenset(
    {"ACATS", "FOPT", "JNLS", "SPLIT", "OPASN", "OPEXC", "OPEXP", "OPTRD", "MA", "SPIN", "REORG"}
)
STATUS = {
    "executed": ActivityStatus.EXECUTED,
    "correct": ActivityStatus.CANCELED,
    "canceled": ActivityStatus.CANCELED,
    "cancelled": ActivityStatus.CANCELED,
    "pending": ActivityStatus.PENDING,
}
JOURNAL_STATUS = {
    "executed": ActivityStatus.EXECUTED,
    **dict.fromkeys(("queued", "sent_to_clearing", "pending"), ActivityStatus.PENDING),
    **dict.fromkeys(
        ("canceled", "rejected", "deleted", "refused", "correct"), ActivityStatus.CANCELED
    ),
}
JOURNAL_ID = re.compile(r"^ID:\s*([0-9A-Za-z-]+)")


def _type(raw: str, direction: Any) -> ActivityType:
    if raw in TRANSFERS:
        negative = direction is not None and direction < 0
        return ActivityType.TRANSFER_OUT if negative else ActivityType.TRANSFER_IN
    return TYPES.get(raw, ActivityType.OTHER)


def _fill(record: Mapping[str, Any], account_id: str, currency: str) -> dict[str, Any]:
    side = str(record.get("side") or "").lower()
    units = signed(to_decimal(record.get("qty")), -1 if side.startswith("sell") else 1)
    price = to_decimal(record.get("price"))
    symbol = required(record, "symbol")
    occurred = to_utc(record.get("transaction_time"))
    return activity_row(
        account_id=account_id,
        activity_id=required(record, "id"),
        activity_type=ActivityType.TRADE,
        occurred_at=occurred,
        raw_type="FILL",
        raw_subtype=record.get("type"),
        raw_status=record.get("order_status"),
        symbol=symbol,
        instrument_type=symbol_type(symbol),
        quantity=units,
        price=price,
        amount=trade_cash(units, price),
        currency=currency,
        order_id=record.get("order_id"),
    )


def _non_trade(record: Mapping[str, Any], account_id: str, currency: str) -> dict[str, Any]:
    raw = required(record, "activity_type").upper()
    amount = to_decimal(record.get("net_amount"))
    quantity = to_decimal(record.get("qty")) if raw in UNIT_TYPES else None
    raw_status = record.get("status")
    status = STATUS.get(str(raw_status).lower(), ActivityStatus.OTHER)
    day = to_utc(record.get("date"))
    occurred = to_utc(record.get("created_at")) or day
    symbol = record.get("symbol") or None
    price = to_decimal(record.get("per_share_amount")) or to_decimal(record.get("price"))
    row = activity_row(
        account_id=account_id,
        activity_id=required(record, "id"),
        activity_type=_type(raw, quantity if quantity is not None else amount),
        occurred_at=occurred,
        raw_type=raw,
        raw_subtype=record.get("activity_sub_type"),
        status=(ActivityStatus.EXECUTED if raw_status is None else status).value,
        raw_status=raw_status,
        symbol=symbol,
        instrument_type=symbol_type(symbol),
        quantity=quantity,
        price=price,
        amount=amount,
        currency=str(record.get("currency") or currency).upper(),
        description=record.get("description"),
    )
    if day is not None:
        row["trade_date"] = day.date()
    return row


def _group(record: Mapping[str, Any], account_id: str) -> object:
    """What links a leg to the other: its journal (whose legs are in two accounts), or
    the group of a split's legs (in one)."""
    match = JOURNAL_ID.match(str(record.get("description") or ""))
    if match and str(record.get("activity_type")).upper().startswith("JNL"):
        return ("journal", match[1])
    group = record.get("group_id")
    return None if not group else ("group", account_id, group)


def activity_rows(
    records: Iterable[Mapping[str, Any]],
    *,
    currencies: Mapping[str, str],
    account_id: str | None = None,
) -> list[Row | Unreadable]:
    """Canonical rows of one listing's records: the Broker API's name their account, the
    Trading API's are `account_id`'s. A record that cannot be read is quarantined."""
    records = list(records)

    def read(record: Mapping[str, Any]) -> dict[str, Any]:
        owner = str(record.get("account_id") or account_id)
        currency = currencies.get(owner, "USD")
        if str(record.get("activity_type")).upper() == "FILL":
            return _fill(record, owner, currency)
        return _non_trade(record, owner, currency)

    def identity(record: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "account_id": str(record.get("account_id") or account_id),
            "activity_id": str(record.get("id")),
        }

    rows = salvage(records, read, identity)
    pair_legs(
        (row, _group(record, row["account_id"]))
        for row, record in zip(rows, records, strict=True)
        if not isinstance(row, Unreadable)
    )
    return rows


def journal_rows(journal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A journal not executed (pending, or never to be): a row for each of its accounts,
    under the journal's id, each pointing at the other (executed ones are activities)."""
    raw_status = str(journal.get("status") or "")
    status = JOURNAL_STATUS.get(raw_status.lower(), ActivityStatus.OTHER)
    if status is ActivityStatus.EXECUTED:
        return []
    journal_id = required(journal, "id")
    amount = to_decimal(journal.get("net_amount"))
    quantity = to_decimal(journal.get("qty"))
    created = to_utc(journal.get("created_at"))
    symbol = journal.get("symbol") or None
    rows = []
    for account, sign in ((journal.get("from_account"), -1), (journal.get("to_account"), 1)):
        if not account:
            continue
        rows.append(
            activity_row(
                account_id=str(account),
                activity_id=journal_id,
                activity_type=ActivityType.JOURNAL,
                occurred_at=created,
                raw_type=str(journal.get("entry_type") or "JNLC"),
                status=status.value,
                raw_status=raw_status,
                symbol=symbol,
                instrument_type=symbol_type(symbol),
                quantity=signed(quantity, sign) if quantity else None,
                price=to_decimal(journal.get("price")) if symbol else None,
                amount=signed(amount, sign),
                currency=str(journal.get("currency") or "USD").upper(),
                related_activity_id=journal_id,
                description=journal.get("description"),
            )
        )
    return rows
