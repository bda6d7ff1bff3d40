"""Alpaca activities as a frame: the fills (most of a listing) read column-wise, the
other types record by record (activities.py), with the same rows either way.

A fill's fields are picked in C and parsed by polars in bulk (`brokers.columnwise`); its
cash, the opposite of units x price rounded half to even to the cent, is reckoned by
polars in decimals: the product to 18 places, exact when units and price have 18 places
between them, and otherwise rounding to the same cent as the exact product unless it
lies within 10^-18 of a half cent. When a fill is not in the usual form (a value that is
not text, a timestamp without an offset, a missing id or symbol, a number polars does
not read exactly, units or a price of 10^10 or more, a product that close to a half
cent, a `group_id`), every record is read one by one instead, which quarantines what
it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from brokers.activity_rows import OCC_OPTION
from brokers.alpaca_common.activities import activity_rows
from brokers.columnwise import (
    blank_as_null,
    decimal_is_usual,
    parse_decimal,
    parse_timestamp,
    parsed,
    pick,
    read_frame,
    was_read,
)
from brokers.frames import Row, Unreadable
from schemas import DECIMAL, ActivityStatus, ActivityType, InstrumentType, table

TABLE = "activities"
FIELDS = (
    "id", "account_id", "transaction_time", "type", "price", "qty", "side", "symbol",
    "order_id", "order_status", "group_id",
)  # fmt: skip
OPTIONAL = ("account_id", "group_id")  # the Trading API's fills name no account
RAW_SCHEMA = {name: pl.String for name in (*FIELDS, "currency")}
DECIMALS = ("price", "qty")
# 18 places within 10^-18 of a half cent: 0.005, or one step either side of it
HALF_CENT_NEIGHBOURS = r"\.\d\d(?:5000000000000000|4999999999999999|5000000000000001)$"
RowsFrame = Callable[[list[Row | Unreadable]], pl.DataFrame]


def activities_frame(
    records: Sequence[Mapping[str, Any]],
    *,
    currencies: Mapping[str, str],
    rows_frame: RowsFrame,
    lineage: Sequence[pl.Expr],
    account_id: str | None = None,
) -> pl.DataFrame:
    """One listing's records as rows of the activities table: the Broker API's name
    their account, the Trading API's are `account_id`'s. `rows_frame` makes a frame of
    rows read one by one; `lineage` gives the lineage columns' values."""
    is_fill = [str(record.get("activity_type")).upper() == "FILL" for record in records]
    fills = [record for record, fill in zip(records, is_fill, strict=True) if fill]
    others = [record for record, fill in zip(records, is_fill, strict=True) if not fill]
    read = fills_columnwise(fills, currencies, lineage, account_id) if fills else None
    if read is None:  # not in the usual form: every record one by one
        return rows_frame(activity_rows(records, currencies=currencies, account_id=account_id))
    if not others:
        return read
    rest = rows_frame(activity_rows(others, currencies=currencies, account_id=account_id))
    return pl.concat([read, rest], how="diagonal")  # diagonal: some may be quarantined


def fills_columnwise(
    fills: Sequence[Mapping[str, Any]],
    currencies: Mapping[str, str],
    lineage: Sequence[pl.Expr],
    account_id: str | None = None,
) -> pl.DataFrame | None:
    """The fills as rows, or None when one is not in the usual form."""
    columns = _fill_columns(fills, currencies, account_id)
    return None if columns is None else _read(columns, lineage)


def _fill_columns(
    fills: Sequence[Mapping[str, Any]], currencies: Mapping[str, str], account_id: str | None
) -> dict[str, list[Any]] | None:
    picked = pick(fills, FIELDS, OPTIONAL)
    if picked is None:
        return None
    columns: dict[str, list[Any]] = {n: list(v) for n, v in zip(FIELDS, picked, strict=True)}
    if any(group is not None for group in columns["group_id"]):
        return None  # a fill in a group pairs with another: read one by one
    owners = [str(owner or account_id) for owner in columns["account_id"]]
    columns["account_id"] = owners
    columns["currency"] = [currencies.get(owner, "USD") for owner in owners]
    for name in DECIMALS:  # a JSON number (an exact Decimal or an int) as its text
        columns[name] = [str(v) if type(v) in (int, Decimal) else v for v in columns[name]]
    return columns


def _read(columns: dict[str, list[Any]], lineage: Sequence[pl.Expr]) -> pl.DataFrame | None:
    schema = table(TABLE).schema
    quantity = pl.col(parsed("qty")).abs()
    selling = pl.col("side").fill_null("").str.to_lowercase().str.starts_with("sell")
    symbol = pl.col("symbol")
    occurred = pl.col(parsed("transaction_time"))
    signed_quantity = pl.when(selling).then(pl.lit(0, DECIMAL) - quantity).otherwise(quantity)
    cash, cash_exact = _cash(signed_quantity, pl.col(parsed("price")))
    values = {
        "account_id": pl.col("account_id"),
        "activity_id": pl.col("id"),
        "activity_type": pl.lit(ActivityType.TRADE.value),
        "raw_type": pl.lit("FILL"),
        "raw_subtype": pl.col("type"),
        "status": pl.lit(ActivityStatus.EXECUTED.value),
        "raw_status": pl.col("order_status"),
        "occurred_at": occurred,
        "trade_date": occurred.dt.date(),
        "symbol": symbol,
        "instrument_type": pl.when(symbol.str.contains(OCC_OPTION.pattern))
        .then(pl.lit(InstrumentType.OPTION.value))
        .when(symbol.str.contains("/", literal=True))
        .then(pl.lit(InstrumentType.CRYPTO.value))
        .otherwise(pl.lit(InstrumentType.EQUITY.value)),
        "quantity": signed_quantity,
        "price": pl.col(parsed("price")),
        "amount": cash,
        "currency": pl.col("currency"),
        "order_id": pl.col("order_id"),
    }
    lineage_names = {expr.meta.output_name() for expr in lineage}
    output = [
        *lineage,
        *(
            values.get(name, pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
            if name not in lineage_names
        ),
    ]
    usual = (
        blank_as_null("id").is_not_null().all()
        & blank_as_null("symbol").is_not_null().all()
        & pl.col("account_id").is_not_null().all()
        & blank_as_null("transaction_time").is_not_null().all()
        & was_read("transaction_time")
        & decimal_is_usual("qty")
        & decimal_is_usual("price")
        & cash_exact
    )
    parse = [parse_timestamp("transaction_time"), *(parse_decimal(name) for name in DECIMALS)]
    return read_frame(TABLE, columns, RAW_SCHEMA, parse, output, usual)


def _cash(units: pl.Expr, price: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A fill's cash from its signed units and price, and whether every fill's is the
    cent the exact product rounds to (see the module's docstring; the reading one by one
    reckons it from the exact product)."""
    small = (units.abs() < 10**10) & (price.abs() < 10**10)  # the product fits: no overflow
    value = pl.when(small).then(units * price)
    places = sum(
        (
            pl.col(name).str.extract(r"\.(\d*?)0*$", 1).str.len_chars().fill_null(0)
            for name in DECIMALS
        ),
        start=pl.lit(0),
    )
    near_half = value.cast(pl.String).str.contains(HALF_CENT_NEIGHBOURS)
    exact = small & (value.abs() < 10**10) & ((places <= 18) | ~near_half)
    cash = (pl.lit(0, DECIMAL) - value).round(2, mode="half_to_even")
    return cash, (exact | units.is_null() | price.is_null()).all()
