"""SnapTrade transactions (AccountUniversalActivity) -> canonical rows.

SnapTrade's types are open strings (BUY, SELL, DIVIDEND, REI, CONTRIBUTION, TRANSFER,
SPLIT, ...), matched ignoring case and separators; an unknown one lands as `other`
beside it. A trade's units are signed by its type (brokerages write a sale's units
either way); a transfer's, a split's or an option event's are taken as written; a
dividend's units (those that earned it) are no movement. Prices are per share (per
point for a future), as SnapTrade quotes them; `amount` is as written, positive into the
account. `occurred_at` is the `trade_date`. The legs of a transfer between two of a
user's accounts, or of a split, share an `external_reference_id`: each points at the
other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from brokers.activity_rows import activity_row, pair_legs, signed
from brokers.frames import Row, Unreadable, salvage
from brokers.parse import required, to_decimal, to_utc
from brokers.snaptrade.normalize import currency_code, instrument_symbol
from brokers.snaptrade.vocabulary import SECURITY_TYPE, squash, squashed
from schemas import ActivityType, InstrumentType

TYPES = squashed(
    {
        "BUY": ActivityType.TRADE,
        "SELL": ActivityType.TRADE,
        "REI": ActivityType.TRADE,  # a dividend reinvested: units bought
        "DIVIDEND": ActivityType.DIVIDEND,
        "SUBSTITUTE_DIVIDEND": ActivityType.DIVIDEND,
        "STOCK_DIVIDEND": ActivityType.DIVIDEND,
        "INTEREST": ActivityType.INTEREST,
        "FEE": ActivityType.FEE,
        "TAX": ActivityType.TAX,
        "CONTRIBUTION": ActivityType.DEPOSIT,
        "WITHDRAWAL": ActivityType.WITHDRAWAL,
        "EXTERNAL_ASSET_TRANSFER_IN": ActivityType.TRANSFER_IN,
        "EXTERNAL_ASSET_TRANSFER_OUT": ActivityType.TRANSFER_OUT,
        "SPLIT": ActivityType.SPLIT,
        "OPTIONEXPIRATION": ActivityType.OPTION_EXPIRATION,
        "OPTIONASSIGNMENT": ActivityType.OPTION_ASSIGNMENT,
        "OPTIONEXERCISE": ActivityType.OPTION_EXERCISE,
    }
)
# Units moved, signed by the type; other unit-moving types keep the sign written.
SIGNED_BY_TYPE = {
    "buy": 1,
    "rei": 1,
    "stockdividend": 1,
    "sell": -1,
    "externalassettransferout": -1,
}
UNITS_AS_WRITTEN = frozenset(
    {"externalassettransferin", "transfer", "split", "optionexpiration", "optionassignment",
     "optionexercise", "adjustment"}
)  # fmt: skip


def _type(raw: str, direction: Any) -> ActivityType:
    key = squash(raw)
    if key == "transfer":  # between accounts: in or out by its sign
        negative = direction is not None and direction < 0
        return ActivityType.TRANSFER_OUT if negative else ActivityType.TRANSFER_IN
    return TYPES.get(key, ActivityType.OTHER)  # type: ignore[return-value]


def _instrument(record: Mapping[str, Any], currency: str | None) -> tuple[Any, Any, Any]:
    """(symbol, instrument type, raw type code) of the security it concerns, if any."""
    option = record.get("option_symbol")
    if option:
        symbol = instrument_symbol(InstrumentType.OPTION.value, option.get("ticker"), None)
        return symbol, InstrumentType.OPTION.value, "option"
    universal = record.get("symbol")
    if not universal:
        return None, None, None
    code = (universal.get("type") or {}).get("code")
    kind = SECURITY_TYPE.get(squash(code), InstrumentType.OTHER).value if code else None
    raw = universal.get("symbol")
    return instrument_symbol(kind or "", raw, currency), kind, code


def _row(record: Mapping[str, Any], account_id: str) -> dict[str, Any]:
    raw_type = required(record, "type")
    key = squash(raw_type)
    units = to_decimal(record.get("units"))
    if key in SIGNED_BY_TYPE:
        quantity = signed(units, SIGNED_BY_TYPE[key])
    elif key in UNITS_AS_WRITTEN and units:
        quantity = units
    else:
        quantity = None
    amount = to_decimal(record.get("amount"))
    currency = currency_code(record.get("currency")) or currency_code(
        (record.get("currency_universal_symbol") or {}).get("symbol")
    )
    symbol, kind, raw_kind = _instrument(record, currency)
    settled = to_utc(record.get("settlement_date"))
    return activity_row(
        account_id=account_id,
        activity_id=required(record, "id"),
        activity_type=_type(raw_type, quantity if quantity is not None else amount),
        occurred_at=to_utc(record.get("trade_date")),
        raw_type=raw_type,
        raw_subtype=record.get("option_type") or None,
        settle_date=None if settled is None else settled.date(),
        symbol=symbol,
        instrument_type=kind,
        raw_instrument_type=raw_kind,
        quantity=quantity,
        price=to_decimal(record.get("price")),
        amount=amount,
        currency=currency,
        fee=to_decimal(record.get("fee")),
        fx_rate=to_decimal(record.get("fx_rate")) or None,
        description=record.get("description"),
    )


def _legs_reference(record: Mapping[str, Any]) -> object:
    """What the two legs of a transfer, or of a split, share."""
    if squash(record.get("type")) not in ("transfer", "split"):
        return None
    return record.get("external_reference_id")


def activity_rows(
    records_by_account: Iterable[tuple[str, list[dict[str, Any]]]],
) -> list[Row | Unreadable]:
    """Rows of one user's accounts' transactions; a transfer's legs (in two of them) and
    a split's paired by their `external_reference_id`."""
    rows: list[Row | Unreadable] = []
    grouped = []
    for account_id, records in records_by_account:
        read = salvage(
            records,
            lambda record, account_id=account_id: _row(record, account_id),
            lambda record, account_id=account_id: {
                "account_id": account_id,
                "activity_id": str(record.get("id")),
            },
        )
        rows += read
        grouped += [
            (row, _legs_reference(record))
            for row, record in zip(read, records, strict=True)
            if not isinstance(row, Unreadable)
        ]
    pair_legs(grouped)
    return rows
