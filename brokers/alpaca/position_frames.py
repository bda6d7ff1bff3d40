"""Alpaca position pages (one per account, as of the API's time for that account) to a
positions snapshot, column-wise (see `brokers.columnwise`): each page's fields are picked
as it arrives and the whole snapshot is read in one polars query. When a value is not in
the usual form, the pages are read record by record by `normalize.position_row`, whose
rules (and quarantine) then decide; tests/unit/test_alpaca_position_frames.py holds both
readings to the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import polars as pl

from brokers.alpaca import normalize
from brokers.columnwise import (
    Columns,
    canonical,
    decimal_is_usual,
    parse_decimal,
    parsed,
    pick,
    read_frame,
)
from brokers.connector import FetchContext
from brokers.frames import canonical_frame, lineage_columns, salvage, stamp
from schemas import UTC_DATETIME, InstrumentType, PositionSide

TABLE = "positions"
# Canonical decimal column <- the API's field.
DECIMALS = {
    "quantity": "qty",
    "average_cost": "avg_entry_price",
    "market_price": "current_price",
    "market_value": "market_value",
    "cost_basis": "cost_basis",
    "unrealized_pnl": "unrealized_pl",
}
FIELDS = ("symbol", "asset_class", "side", *DECIMALS.values())


class PositionBatch:
    """The position pages of a snapshot, picked as they arrive."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, datetime, Sequence[Mapping[str, Any]]]] = []
        self.columns: Columns | None = {name: [] for name in RAW_SCHEMA}

    def add(self, account_id: str, as_of: datetime, page: Sequence[Mapping[str, Any]]) -> None:
        self.pages.append((account_id, as_of, page))
        if self.columns is None:
            return  # a page before was not in the usual form
        picked = pick(page, FIELDS) if type(page) is list else None
        if picked is None:
            self.columns = None
            return
        for name, values in zip(FIELDS, picked, strict=True):
            self.columns[name].extend(values)
        self.columns["account_id"].extend([account_id] * len(page))
        self.columns["as_of"].extend([as_of] * len(page))

    def frame(self, *, day: date, source: str, broker: str, ctx: FetchContext) -> pl.DataFrame:
        """The snapshot's rows, dated `day`: in one query when every page is in the usual
        form, else record by record."""
        lineage = lineage_columns(TABLE, source=source, broker=broker, ctx=ctx)
        if self.columns is not None:
            output = [*lineage, *_output(day)]
            frame = read_frame(TABLE, self.columns, RAW_SCHEMA, PARSE, output, USUAL)
            if frame is not None:
                return frame
        rows = [
            row
            for account_id, as_of, page in self.pages
            for row in salvage(
                page,
                lambda p, a=account_id, t=as_of: normalize.position_row(p, account_id=a, as_of=t),
                lambda p, a=account_id, t=as_of: normalize.position_identity(p, a, t),
            )
        ]
        stamp(rows, as_of_date=day)
        return canonical_frame(TABLE, rows, source=source, broker=broker, ctx=ctx)


RAW_SCHEMA = {**dict.fromkeys((*FIELDS, "account_id"), pl.String), "as_of": UTC_DATETIME}
PARSE = [parse_decimal(field) for field in DECIMALS.values()]
USUAL = pl.all_horizontal(
    pl.col("symbol").is_not_null().all(),
    *[decimal_is_usual(field) for field in DECIMALS.values()],
)
_INSTRUMENT = canonical(pl.col("asset_class"), normalize.ASSET_CLASS, InstrumentType.OTHER)


def _output(day: date) -> list[pl.Expr]:
    """The canonical columns after the lineage, in the contract's order."""
    return [
        pl.col("account_id"),
        pl.concat_str(_INSTRUMENT, pl.lit(":"), pl.col("symbol")).alias("position_key"),
        pl.lit(day, pl.Date).alias("as_of_date"),
        pl.col("as_of"),
        pl.col("symbol"),
        _INSTRUMENT.alias("instrument_type"),
        pl.col("asset_class").alias("raw_instrument_type"),
        canonical(pl.col("side"), normalize.POSITION_SIDE, PositionSide.OTHER).alias("side"),
        pl.col(parsed("qty")).abs().alias("quantity"),
        pl.lit(None, pl.Decimal(38, 18)).alias("contract_size"),
        *[
            pl.col(parsed(field)).alias(column)
            for column, field in DECIMALS.items()
            if column != "quantity"
        ],
        pl.lit(normalize.CURRENCY, pl.String).alias("currency"),
    ]
