"""Alpaca order pages (Trading and Broker API share the shape) to canonical frames,
column-wise: the fields of many pages are picked in C (`itemgetter`), go to polars at
once, and are mapped and cast there in bulk, instead of a dict, a `Decimal` and a
`datetime` per field per order in Python.

The column-wise reading takes only pages in the usual form: every field a string or null
(a number in a decimal field, as JSON decoding gives it, is taken as its text), decimals
without an exponent, timestamps RFC 3339, ids and symbols present. A page with anything
else is read record by record (`by_records`: each order and each leg on its own), whose
rules (and quarantine of what cannot be read) then decide. Both readings give the same rows;
tests/unit/test_alpaca_order_frames.py holds them to it.

A page comes as decoded records, or as a frame polars read from the response bytes
(`order_pages`); a frame's fields are already columns, so nothing is picked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from brokers.alpaca_common import normalize
from brokers.columnwise import (
    Columns,
    blank_as_null,
    canonical,
    decimal_is_usual,
    nested,
    parse_decimal,
    parse_timestamp,
    parsed,
    pick,
    raw_frame,
    read_frame,
    timestamp_is_usual,
)
from brokers.connector import FetchContext
from brokers.frames import Row, Unreadable, canonical_frame, lineage_columns, salvage
from schemas import (
    DECIMAL,
    InstrumentType,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)

TABLE = "orders"
# Canonical decimal column <- the API's field, in the contract's order.
DECIMALS = {
    "quantity": "qty",
    "ratio_quantity": "ratio_qty",
    "notional": "notional",
    "filled_quantity": "filled_qty",
    "limit_price": "limit_price",
    "stop_price": "stop_price",
    "trail_percent": "trail_percent",
    "trail_price": "trail_price",
    "high_water_mark": "hwm",
    "average_fill_price": "filled_avg_price",
    "commission": "commission",
}
# An LCT order's USD figures: canonical column <- the field under `usd`; each is read
# into a raw column named as the canonical one.
USD_FIELDS = tuple(normalize.ORDER_USD_FIGURES.values())
USD_COLUMNS = tuple(normalize.ORDER_USD_FIGURES)
TIMESTAMPS = (
    "submitted_at",
    "created_at",
    "filled_at",
    "canceled_at",
    "expired_at",
    "failed_at",
    "updated_at",
)
TEXT = (
    "id",
    "client_order_id",
    "order_class",
    "replaces",
    "replaced_by",
    "symbol",
    "asset_class",
    "side",
    "position_intent",
    "type",
    "order_type",
    "time_in_force",
    "status",
)
FIELDS = (*TEXT, *DECIMALS.values(), "swap_rate", *TIMESTAMPS)
RAW_DECIMALS = (*DECIMALS.values(), "swap_rate", *USD_COLUMNS)
BATCH_ORDERS = 20_000  # orders read in one polars query: its fixed cost, spread thin
DEFAULT_CURRENCY = normalize.CURRENCY  # an account not among those listed (opened since)

Records = Sequence[Mapping[str, Any]]
AccountPage = tuple[str, Records | pl.DataFrame]  # (account id, a page of its orders)
PICKED = (*FIELDS, "usd", "legs")
# Fields many orders lack (a leg's ratio, an LCT account's, the Broker API's commission,
# a position intent older orders and multi-leg parents go without): picked apart.
OPTIONAL = frozenset({"ratio_qty", "swap_rate", "usd", "commission", "position_intent"})
# Columns the reading derives: the account's, and a multi-leg parent's from its legs.
DERIVED = ("account_id", "parent_order_id", "currency", "leg_symbols", "leg_asset_class")


class OrderBatch:
    """Order pages gathered for one query: each page of records has its fields picked as
    it arrives, while its records are fresh in memory (picking them later, from thousands
    of records gone cold, costs several times more); frames wait as they are.
    `currencies` gives each account's currency (its prices are in it)."""

    def __init__(self, currencies: Mapping[str, str] | None = None) -> None:
        self.currencies = currencies or {}
        self.pages: list[AccountPage] = []  # kept for the page-by-page reading
        self.columns: Columns | pl.DataFrame | None = {name: [] for name in RAW_SCHEMA}
        self.orders = 0
        self.sealed = False

    def currency(self, account_id: str) -> str:
        return self.currencies.get(account_id, DEFAULT_CURRENCY)

    def add(self, account_id: str, page: Records | pl.DataFrame) -> None:
        if self.sealed:
            raise RuntimeError("orders added to a batch already handed to polars")
        self.pages.append((account_id, page))
        self.orders += len(page)
        if isinstance(page, pl.DataFrame) or not isinstance(self.columns, dict):
            return  # a frame has its columns; a page before was not in the usual form
        picked = _columns([(account_id, page)], self.currency)
        if picked is None:
            self.columns = None
            return
        for name, values in picked.items():
            self.columns[name].extend(values)

    def seal(self) -> None:
        """Hand the picked text to polars, in the calling thread. Converting Python
        strings holds the GIL throughout: done by the event loop between its own work, it
        costs what it costs; done by a worker thread, it would stall the loop's every
        socket read behind it."""
        if isinstance(self.columns, dict):
            self.columns = raw_frame(self.columns, RAW_SCHEMA, RAW_DECIMALS)
        self.sealed = True

    def frame(self, *, source: str, broker: str, ctx: FetchContext) -> pl.DataFrame:
        """The batch as rows of the orders table: in one query when every page is in the
        usual form, else page by page (column-wise, or record by record). The values
        that landed as `other` are noted in `ctx`."""
        frame = self._frame(source=source, broker=broker, ctx=ctx)
        ctx.note_unknown(TABLE, frame)
        return frame

    def _frame(self, *, source: str, broker: str, ctx: FetchContext) -> pl.DataFrame:
        lineage = lineage_columns(TABLE, source=source, broker=broker, ctx=ctx)
        columns = self._raw_columns()
        if columns is not None:
            frame = _read(columns, lineage)
            if frame is not None:
                return frame
        frames = []
        for account_id, page in self.pages:
            alone = None
            if len(self.pages) > 1 or isinstance(page, pl.DataFrame):
                alone = read_columnwise(
                    [(account_id, page)], lineage=lineage, currency=self.currency
                )
            if alone is None:
                records = page.to_dicts() if isinstance(page, pl.DataFrame) else page
                rows = by_records(account_id, records, self.currency(account_id))
                alone = canonical_frame(TABLE, rows, source=source, broker=broker, ctx=ctx)
            frames.append(alone)
        return pl.concat(frames, how="diagonal")  # diagonal: some have quarantine rows

    def _raw_columns(self) -> Columns | pl.DataFrame | None:
        """Every page's raw columns, records' and frames' together; None when a page is
        not in the usual form."""
        framed = [(a, page) for a, page in self.pages if isinstance(page, pl.DataFrame)]
        if not framed or self.columns is None:
            return self.columns
        picked = self.columns
        listed = raw_frame(picked, RAW_SCHEMA, RAW_DECIMALS) if isinstance(picked, dict) else picked
        from_frames = _frame_columns(framed, self.currency)
        if listed is None or from_frames is None:
            return None
        return pl.concat([listed, from_frames])


def _read(columns: Columns | pl.DataFrame, lineage: Sequence[pl.Expr]) -> pl.DataFrame | None:
    output = [*lineage, *OUTPUT]
    return read_frame(TABLE, columns, RAW_SCHEMA, PARSE, output, USUAL, RAW_DECIMALS)


def orders_frame(
    pages: Sequence[AccountPage],
    *,
    source: str,
    broker: str,
    ctx: FetchContext,
    currencies: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Pages of orders (with their legs) as rows of the orders table."""
    batch = OrderBatch(currencies)
    for account_id, page in pages:
        batch.add(account_id, page)
    return batch.frame(source=source, broker=broker, ctx=ctx)


def read_columnwise(
    pages: Sequence[AccountPage],
    *,
    lineage: Sequence[pl.Expr],
    currency: Any = lambda account_id: DEFAULT_CURRENCY,
) -> pl.DataFrame | None:
    """The pages as rows of the orders table (`lineage`: the lineage columns' values;
    `currency`: an account's currency), or None when a record is not in the usual form
    and the pages must be read record by record."""
    columns = _columns(pages, currency)
    return None if columns is None else _read(columns, lineage)


def _columns(pages: Sequence[AccountPage], currency: Any) -> Columns | pl.DataFrame | None:
    """The raw columns of the pages' orders and their legs; None when a record is not an
    order object."""
    if all(isinstance(page, pl.DataFrame) for _, page in pages):
        return _frame_columns(pages, currency)  # type: ignore[arg-type]
    if not all(type(page) is list for _, page in pages):
        return None
    records: list[Mapping[str, Any]] = [record for _, page in pages for record in page]
    accounts = [account_id for account_id, page in pages for _ in page]
    parents: list[str | None] = [None] * len(records)
    picked = pick(records, PICKED, OPTIONAL)
    if picked is None:
        return None
    if any(picked[-1]):  # orders with legs: each leg is a row too, after the orders
        with_legs = [n for n, legs in enumerate(picked[-1]) if legs]
        legs = _legs([accounts[n] for n in with_legs], [records[n] for n in with_legs])
        if legs is None:
            return None
        picked_legs = pick(legs[1], PICKED, OPTIONAL)
        if picked_legs is None:
            return None
        picked = [
            (*column, *leg_column) for column, leg_column in zip(picked, picked_legs, strict=True)
        ]
        records = [*records, *legs[1]]
        accounts, parents = accounts + legs[0], parents + legs[2]
    usd = nested(picked[-2], normalize.ORDER_USD_FIGURES)
    if usd is None:
        return None
    return {
        **{name: list(values) for name, values in zip(FIELDS, picked, strict=False)},
        **usd,
        "account_id": accounts,
        "parent_order_id": parents,
        "currency": [currency(account_id) for account_id in accounts],
        **_from_legs(records, picked[-1]),
    }


def _from_legs(records: Sequence[Mapping[str, Any]], legs: Sequence[Any]) -> Columns:
    """What a multi-leg parent takes from its legs (symbol, asset class), by the record
    reading's own rules; null for orders without legs."""
    symbols: list[str | None] = [None] * len(records)
    classes: list[str | None] = [None] * len(records)
    for n, has_legs in enumerate(legs):
        if has_legs:
            symbols[n] = normalize.leg_symbols(records[n])
            classes[n] = normalize.leg_asset_class(records[n])
    return {"leg_symbols": symbols, "leg_asset_class": classes}


def _frame_columns(pages: Sequence[tuple[str, pl.DataFrame]], currency: Any) -> pl.DataFrame | None:
    """The raw columns of frame pages (`order_pages.PAGE_SCHEMA`): their orders, then the
    legs under them; None when a parent of legs has no id or a leg lists legs (nulls)."""
    if not pages:
        return pl.DataFrame(schema=RAW_SCHEMA)
    frame = pl.concat(
        [
            page.with_columns(
                account_id=pl.lit(account_id, pl.String),
                currency=pl.lit(currency(account_id), pl.String),
            )
            for account_id, page in pages
        ]
    ).with_row_index(ROW)
    orders = frame.select(
        *FIELDS,
        *_USD,
        "account_id",
        ROW,
        parent_order_id=pl.lit(None, pl.String),
        currency="currency",
    )
    parents = frame.filter(pl.col("legs").list.len() > 0)
    columns = list(RAW_SCHEMA)
    if parents.is_empty():
        return orders.with_columns(_NO_LEGS).select(columns)
    if parents.get_column("id").null_count():
        return None
    legs = (
        parents.select(ROW, "account_id", "currency", pl.col("id").alias("parent_order_id"), "legs")
        .explode("legs")
        .unnest("legs")
    )
    if (legs.get_column("legs").list.len() > 0).any():
        return None
    # What a multi-leg parent takes from its legs, by `normalize.leg_symbols` and
    # `leg_asset_class`'s rules (by the parent's row, not its id: a page may repeat one).
    symbol = pl.col("symbol")
    from_legs = (
        legs.group_by(ROW)
        .agg(
            symbol.filter(symbol.fill_null("") != "")
            .str.join(normalize.LEG_SEPARATOR)
            .alias("leg_symbols"),
            pl.col("asset_class").first().alias("leg_asset_class"),
        )
        .with_columns(blank_as_null("leg_symbols"), blank_as_null("leg_asset_class"))
    )
    orders = orders.join(from_legs, on=ROW, how="left", maintain_order="left")
    leg_rows = legs.with_columns(*_USD, *_NO_LEGS).select(columns)
    return pl.concat([orders.select(columns), leg_rows])


def _legs(
    accounts: list[str], orders: list[Mapping[str, Any]]
) -> tuple[list[str], list[Mapping[str, Any]], list[str | None]] | None:
    """The legs of `orders` (and theirs), each with its account and its parent's id; None
    when a leg is not an order."""
    leg_accounts: list[str] = []
    legs: list[Mapping[str, Any]] = []
    parents: list[str | None] = []

    def visit(account_id: str, parent: Mapping[str, Any]) -> bool:
        children = parent.get("legs")
        if not children:
            return True
        if not isinstance(children, list) or not isinstance(parent.get("id"), str):
            return False
        for leg in children:
            if not isinstance(leg, Mapping):
                return False
            leg_accounts.append(account_id)
            legs.append(leg)
            parents.append(parent["id"])
            if not visit(account_id, leg):
                return False
        return True

    if all(visit(account_id, order) for account_id, order in zip(accounts, orders, strict=True)):
        return leg_accounts, legs, parents
    return None


def by_records(account_id: str, page: Records, currency: str) -> list[Row | Unreadable]:
    """A page read record by record: each order and each of its legs on its own, a record
    that cannot be read quarantined without its parent's or its legs' rows."""
    records = [pair for order in page for pair in normalize.order_records(order)]
    parents = {id(record): parent for record, parent in records}
    return salvage(
        [record for record, _ in records],
        lambda record: normalize.order_row(
            record, account_id=account_id, currency=currency, parent_order_id=parents[id(record)]
        ),
        lambda record: normalize.order_identity(record, account_id),
    )


def _side() -> pl.Expr:
    """`normalize.order_side`, column-wise."""
    side = pl.col("side").fill_null("").str.to_lowercase()
    intent = pl.col("position_intent").fill_null("").str.to_lowercase()
    sell = pl.when(intent == "sell_to_open").then(pl.lit(OrderSide.SELL_SHORT.value))
    buy = pl.when(intent == "buy_to_close").then(pl.lit(OrderSide.BUY_TO_COVER.value))
    return (
        pl.when(side == "sell")
        .then(sell.otherwise(pl.lit(OrderSide.SELL.value)))
        .when(side == "buy")
        .then(buy.otherwise(pl.lit(OrderSide.BUY.value)))
        .otherwise(pl.lit(OrderSide.OTHER.value))
    )


def crypto_pair(symbol: pl.Expr, asset_class: pl.Expr) -> pl.Expr:
    """`normalize.crypto_pair`, column-wise."""
    unslashed = asset_class.str.to_lowercase().is_in(normalize.CRYPTO_CLASSES) & ~(
        symbol.str.contains("/", literal=True)
    )
    paired = symbol.str.replace(normalize.UNSLASHED_PAIR, "${1}/${2}")
    return pl.when(unslashed.fill_null(False)).then(paired).otherwise(symbol)


RAW_SCHEMA = dict.fromkeys((*FIELDS, *USD_COLUMNS, *DERIVED), pl.String)
_USD = [pl.col("usd").struct.field(f).alias(c) for c, f in normalize.ORDER_USD_FIGURES.items()]
ROW = "__row"
_NO_LEGS = [pl.lit(None, pl.String).alias(name) for name in ("leg_symbols", "leg_asset_class")]
PARSE = [
    *[parse_decimal(field) for field in RAW_DECIMALS],
    *[parse_timestamp(field) for field in TIMESTAMPS],
]
# The pages are in the usual form: ids and symbols present (a multi-leg parent's from its
# legs); every decimal plain and read; every timestamp read (RFC 3339 as `to_utc` reads
# it too, in nanoseconds' range).
USUAL = pl.all_horizontal(
    pl.col("id").is_not_null().all(),
    (pl.col("symbol").is_not_null() | pl.col("leg_symbols").is_not_null()).all(),
    *[decimal_is_usual(field) for field in RAW_DECIMALS],
    *[timestamp_is_usual(field) for field in TIMESTAMPS],
)
_RAW_TYPE = pl.coalesce(blank_as_null("type"), pl.col("order_type"))  # `type or order_type`
_SUBMITTED = pl.coalesce(parsed("submitted_at"), parsed("created_at"))
_SYMBOL = pl.when(blank_as_null("symbol").is_null() & pl.col("leg_symbols").is_not_null())
_CLASS = pl.coalesce(blank_as_null("asset_class"), pl.col("leg_asset_class"))
# The canonical columns after the lineage, in the contract's order.
OUTPUT = [
    pl.col("account_id"),
    pl.col("id").alias("order_id"),
    pl.col("parent_order_id"),
    pl.col("client_order_id"),
    canonical(pl.col("order_class").fill_null(""), normalize.ORDER_CLASS, OrderClass.OTHER).alias(
        "order_class"
    ),
    pl.col("order_class").alias("raw_order_class"),
    pl.col("replaces").alias("replaces_order_id"),
    pl.col("replaced_by").alias("replaced_by_order_id"),
    crypto_pair(
        _SYMBOL.then(pl.col("leg_symbols")).otherwise(pl.col("symbol")), pl.col("asset_class")
    ).alias("symbol"),
    canonical(_CLASS, normalize.ASSET_CLASS, InstrumentType.OTHER).alias("instrument_type"),
    pl.col("asset_class").alias("raw_instrument_type"),
    _side().alias("side"),
    pl.col("side").alias("raw_side"),
    canonical(_RAW_TYPE, normalize.ORDER_TYPE, OrderType.OTHER).alias("order_type"),
    _RAW_TYPE.alias("raw_order_type"),
    canonical(pl.col("time_in_force"), normalize.TIME_IN_FORCE, TimeInForce.OTHER).alias(
        "time_in_force"
    ),
    pl.col("time_in_force").alias("raw_time_in_force"),
    canonical(pl.col("status"), normalize.ORDER_STATUS, OrderStatus.OTHER).alias("status"),
    pl.col("status").alias("raw_status"),
    *[
        pl.col(parsed(field)).fill_null(pl.lit(0, DECIMAL)).alias(column)
        if column == "filled_quantity"  # absent before a fill: none filled
        else pl.col(parsed(field)).alias(column)
        for column, field in DECIMALS.items()
    ],
    _SUBMITTED.alias("submitted_at"),
    pl.col(parsed("filled_at")).alias("filled_at"),
    pl.col(parsed("canceled_at")).alias("canceled_at"),
    pl.col(parsed("expired_at")).alias("expired_at"),
    pl.col(parsed("failed_at")).alias("failed_at"),
    pl.coalesce(parsed("updated_at"), _SUBMITTED).alias("updated_at"),
    pl.col("currency"),
    pl.col(parsed("swap_rate")).alias("swap_rate"),
    *[pl.col(parsed(column)).alias(column) for column in USD_COLUMNS],
]
