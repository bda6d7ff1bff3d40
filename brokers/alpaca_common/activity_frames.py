"""Alpaca activities as a frame, read column-wise with the rows reading them one by one
(activities.py) gives: from a frame polars read from the pages' bytes (`activity_pages`),
or from decoded records, their fields picked in C.

The legs of a journal or a split, which point at each other, are read one by one; every
other activity is parsed by polars in bulk (`brokers.columnwise`). A fill's cash, the
opposite of units x price rounded half to even to the cent, is reckoned by polars in
decimals: the product to 18 places, exact when units and price have 18 places between
them, and otherwise rounding to the same cent as the exact product unless it lies within
10^-18 of a half cent. When an activity is not in the usual form (a value that is not
text, a timestamp without an offset, a missing id, a fill without a symbol, a number
polars does not read exactly, units or a price of 10^10 or more, a product that close
to a half cent), every record is read one by one instead, which quarantines what it
cannot read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from brokers.activity_rows import OCC_OPTION
from brokers.alpaca_common.activities import (
    JOURNAL_ID,
    STATUS,
    TRANSFERS,
    TYPES,
    UNIT_TYPES,
    activity_rows,
)
from brokers.columnwise import (
    PLAIN_DATE,
    blank_as_null,
    canonical,
    decimal_is_usual,
    parse_decimal,
    parse_timestamp,
    parsed,
    pick,
    raw_frame,
    read_frame,
    timestamp_is_usual,
)
from brokers.connector import FetchContext
from brokers.frames import Row, Unreadable
from schemas import DECIMAL, ActivityStatus, ActivityType, InstrumentType, table

TABLE = "activities"
FILL_FIELDS = (
    "id", "account_id", "transaction_time", "type", "price", "qty", "side", "symbol",
    "order_id", "order_status", "group_id",
)  # fmt: skip
OTHER_FIELDS = (
    "activity_type", "activity_sub_type", "date", "created_at", "net_amount", "status",
    "per_share_amount", "currency", "description",
)  # fmt: skip
FIELDS = (*FILL_FIELDS, *OTHER_FIELDS)  # every field either reading reads
ALWAYS = ("id", "activity_type")  # in every record: the rest are picked one by one
RAW_SCHEMA = dict.fromkeys(FIELDS, pl.String)
DECIMALS = ("price", "qty", "net_amount", "per_share_amount")
TIMESTAMPS = ("transaction_time", "created_at")
OWNER, OWNER_CURRENCY, LEG = "__owner", "__owner_currency", "__leg"
# 18 places within 10^-18 of a half cent: 0.005, or one step either side of it
HALF_CENT_NEIGHBOURS = r"\.\d\d(?:5000000000000000|4999999999999999|5000000000000001)$"
CONTROL = r"[\x00-\x1f]"  # where Python's `re` and polars' regexes differ (\s, $)
RowsFrame = Callable[[list[Row | Unreadable]], pl.DataFrame]
Records = Sequence[Mapping[str, Any]]
# A leg of a journal (which names it in its description) or of a split (a `group_id`),
# as `activities._group` tells them.
_LEG = (
    pl.col("activity_type").str.to_uppercase().str.starts_with("JNL")
    & pl.col("description").str.contains(JOURNAL_ID.pattern)
).fill_null(False) | blank_as_null("group_id").is_not_null()


def activities_frame(
    page: Records | pl.DataFrame,
    *,
    currencies: Mapping[str, str],
    rows_frame: RowsFrame,
    lineage: Sequence[pl.Expr],
    ctx: FetchContext,
    account_id: str | None = None,
) -> pl.DataFrame:
    """One listing's activities (records, or a frame of RAW_SCHEMA) as rows of the
    activities table: the Broker API's name their account, the Trading API's are
    `account_id`'s. `rows_frame` makes a frame of rows read one by one (noting in `ctx`
    the values that landed as `other`, as this does for the rows read column-wise);
    `lineage` gives the lineage columns' values."""

    def one_by_one(records: Records) -> pl.DataFrame:
        read = activity_rows(records, currencies=currencies, account_id=account_id)
        return rows_frame(read)

    split = _split(page, currencies, account_id)
    read = None if split is None else _read(split[0], lineage)
    if split is None or read is None:  # not in the usual form: every record one by one
        return one_by_one(page if not isinstance(page, pl.DataFrame) else _records(page))
    ctx.note_unknown(TABLE, read)
    legs = split[1]
    if legs.is_empty():
        return read
    rest = one_by_one(_records(legs))
    return pl.concat([read, rest], how="diagonal")  # diagonal: some may be quarantined


def columnwise_rows(
    page: Records | pl.DataFrame,
    currencies: Mapping[str, str],
    lineage: Sequence[pl.Expr],
    account_id: str | None = None,
) -> pl.DataFrame | None:
    """The rows of every activity but the legs of journals and splits, read column-wise;
    None when one is not in the usual form (and the page is read one by one)."""
    split = _split(page, currencies, account_id)
    return None if split is None else _read(split[0], lineage)


def _split(
    page: Records | pl.DataFrame, currencies: Mapping[str, str], account_id: str | None
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The page's fields as text, with each activity's account and its currency: the
    activities read column-wise, and the legs of journals and splits (read one by one,
    paired); None when a record's fields are not text."""
    raw = page if isinstance(page, pl.DataFrame) else _picked(page)
    if raw is None:
        return None
    owner = pl.coalesce(blank_as_null("account_id"), pl.lit(account_id, pl.String))
    raw = raw.with_columns(owner.alias(OWNER)).with_columns(
        pl.col(OWNER)
        .replace_strict(dict(currencies), default="USD", return_dtype=pl.String)
        .alias(OWNER_CURRENCY),
        _LEG.alias(LEG),
    )
    alone, legs = raw.filter(~pl.col(LEG)), raw.filter(pl.col(LEG))
    return alone.drop(LEG), legs.drop(LEG)


def _picked(records: Records) -> pl.DataFrame | None:
    """Decoded records' fields as text (a number in a decimal field as its text); None
    when a record is not an object or a field holds something else."""
    picked = pick(records, FIELDS, [name for name in FIELDS if name not in ALWAYS])
    if picked is None:
        return None
    columns = {name: list(values) for name, values in zip(FIELDS, picked, strict=True)}
    return raw_frame(columns, RAW_SCHEMA, DECIMALS)


def _records(raw: pl.DataFrame) -> list[dict[str, Any]]:
    """Text fields back as records, for the reading one by one (a field absent from the
    page reads as null, as `record.get` reads it)."""
    return raw.select(FIELDS).to_dicts()


def _read(raw: pl.DataFrame, lineage: Sequence[pl.Expr]) -> pl.DataFrame | None:
    """Every activity's row, or None when one is not in the usual form."""
    schema = table(TABLE).schema
    raw_type = pl.col("activity_type").str.to_uppercase()
    fill = raw_type == "FILL"
    symbol = blank_as_null("symbol")
    units = pl.col(parsed("qty")).abs()
    selling = pl.col("side").fill_null("").str.to_lowercase().str.starts_with("sell")
    fill_units = pl.when(selling).then(pl.lit(0, DECIMAL) - units).otherwise(units)
    moved = pl.when(raw_type.is_in(sorted(UNIT_TYPES))).then(pl.col(parsed("qty")))
    net = pl.col(parsed("net_amount"))
    cash, cash_exact = _cash(fill_units, pl.col(parsed("price")), fill)
    per_share = pl.col(parsed("per_share_amount"))
    day = blank_as_null("date").str.to_date("%Y-%m-%d", strict=False)
    midnight = day.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    occurred = (
        pl.when(fill)
        .then(pl.col(parsed("transaction_time")))
        .otherwise(pl.coalesce(pl.col(parsed("created_at")), midnight))
    )
    transfer = pl.when(pl.coalesce(moved, net) < 0)
    values = {
        "account_id": pl.col(OWNER),
        "activity_id": pl.col("id"),
        "activity_type": pl.when(fill)
        .then(pl.lit(ActivityType.TRADE.value))
        .when(raw_type.is_in(list(TRANSFERS)))
        .then(
            transfer.then(pl.lit(ActivityType.TRANSFER_OUT.value)).otherwise(
                pl.lit(ActivityType.TRANSFER_IN.value)
            )
        )
        .otherwise(
            raw_type.replace_strict(
                {raw: kind.value for raw, kind in TYPES.items()},
                default=ActivityType.OTHER.value,
                return_dtype=pl.String,
            )
        ),
        "raw_type": pl.when(fill).then(pl.lit("FILL")).otherwise(raw_type),
        "raw_subtype": pl.when(fill).then(pl.col("type")).otherwise(pl.col("activity_sub_type")),
        "status": pl.when(fill | pl.col("status").is_null())
        .then(pl.lit(ActivityStatus.EXECUTED.value))
        .otherwise(canonical(pl.col("status"), STATUS, ActivityStatus.OTHER)),
        "raw_status": pl.when(fill).then(pl.col("order_status")).otherwise(pl.col("status")),
        "occurred_at": occurred,
        "trade_date": pl.when(fill)
        .then(occurred.dt.date())
        .otherwise(pl.coalesce(day, occurred.dt.date())),
        "symbol": symbol,
        "instrument_type": pl.when(symbol.is_null())
        .then(pl.lit(None, pl.String))
        .when(symbol.str.contains(OCC_OPTION.pattern))
        .then(pl.lit(InstrumentType.OPTION.value))
        .when(symbol.str.contains("/", literal=True))
        .then(pl.lit(InstrumentType.CRYPTO.value))
        .otherwise(pl.lit(InstrumentType.EQUITY.value)),
        "quantity": pl.when(fill).then(fill_units).otherwise(moved),
        "price": pl.when(fill | per_share.is_null() | (per_share == 0))
        .then(pl.col(parsed("price")))
        .otherwise(per_share),
        "amount": pl.when(fill).then(cash).otherwise(net),
        "currency": pl.when(fill)
        .then(pl.col(OWNER_CURRENCY))
        .otherwise(
            pl.coalesce(blank_as_null("currency"), pl.col(OWNER_CURRENCY)).str.to_uppercase()
        ),
        "order_id": pl.when(fill).then(pl.col("order_id")),
        "description": pl.when(~fill).then(pl.col("description")),
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
    a_fill_has = symbol.is_not_null() & blank_as_null("transaction_time").is_not_null()
    usual = (
        blank_as_null("id").is_not_null().all()
        & pl.col("activity_type").is_not_null().all()
        & pl.col(OWNER).is_not_null().all()
        & (~fill | a_fill_has).all()
        & (blank_as_null("date").is_null() | pl.col("date").str.contains(f"^{PLAIN_DATE}$")).all()
        & (day.is_not_null() | blank_as_null("date").is_null()).all()
        & pl.all_horizontal(timestamp_is_usual(name) for name in TIMESTAMPS)
        & ~pl.col("symbol").str.contains(CONTROL).any()
        & ~(raw_type.str.starts_with("JNL") & pl.col("description").str.contains(CONTROL)).any()
        & pl.all_horizontal(decimal_is_usual(name) for name in DECIMALS)
        & cash_exact
    )
    parse = [
        *(parse_timestamp(name) for name in TIMESTAMPS),
        *(parse_decimal(name) for name in DECIMALS),
    ]
    return read_frame(TABLE, raw, RAW_SCHEMA, parse, output, usual)


def _cash(units: pl.Expr, price: pl.Expr, fill: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A fill's cash from its signed units and price, and whether every fill's is the
    cent the exact product rounds to (see the module's docstring; the reading one by one
    reckons it from the exact product)."""
    small = (units.abs() < 10**10) & (price.abs() < 10**10)  # the product fits: no overflow
    value = pl.when(fill & small).then(units * price)
    places = sum(
        (
            pl.col(name).str.extract(r"\.(\d*?)0*$", 1).str.len_chars().fill_null(0)
            for name in ("price", "qty")
        ),
        start=pl.lit(0),
    )
    near_half = value.cast(pl.String).str.contains(HALF_CENT_NEIGHBOURS)
    exact = small & (value.abs() < 10**10) & ((places <= 18) | ~near_half)
    cash = (pl.lit(0, DECIMAL) - value).round(2, mode="half_to_even")
    return cash, (exact | ~fill | units.is_null() | price.is_null()).all()
