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

from brokers.alpaca_common import normalize
from brokers.alpaca_common.order_frames import crypto_pair
from brokers.columnwise import (
    Columns,
    canonical,
    decimal_is_usual,
    nested,
    parse_decimal,
    parsed,
    pick,
    read_frame,
)
from brokers.connector import FetchContext
from brokers.frames import canonical_frame, lineage_columns, salvage, stamp
from schemas import DECIMAL, UTC_DATETIME, InstrumentType, PositionSide

TABLE = "positions"
FIGURES = normalize.POSITION_FIGURES  # canonical column <- the API's field
# Canonical decimal column <- the API's field.
DECIMALS = {"quantity": "qty", **FIGURES, "swap_rate": "swap_rate"}
USD_COLUMNS = {f"usd_{column}": field for column, field in FIGURES.items()}  # <- under `usd`
FIELDS = ("symbol", "asset_class", "side", *DECIMALS.values())
RAW_DECIMALS = (*DECIMALS.values(), *USD_COLUMNS)
OPTIONAL = frozenset({"swap_rate", "usd"})  # an LCT account's: picked apart


class PositionBatch:
    """The position pages of a snapshot, picked as they arrive."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, datetime, str, Sequence[Mapping[str, Any]]]] = []
        self.columns: Columns | None = {name: [] for name in RAW_SCHEMA}

    def add(
        self, account_id: str, as_of: datetime, page: Sequence[Mapping[str, Any]], currency: str
    ) -> None:
        """One account's positions, as of `as_of`, in its `currency`."""
        self.pages.append((account_id, as_of, currency, page))
        if self.columns is None:
            return  # a page before was not in the usual form
        picked = pick(page, (*FIELDS, "usd"), OPTIONAL) if type(page) is list else None
        usd = None if picked is None else nested(picked[-1], USD_COLUMNS)
        if picked is None or usd is None:
            self.columns = None
            return
        for name, values in zip(FIELDS, picked, strict=False):
            self.columns[name].extend(values)
        for name, values in usd.items():
            self.columns[name].extend(values)
        self.columns["account_id"].extend([account_id] * len(page))
        self.columns["as_of"].extend([as_of] * len(page))
        self.columns["currency"].extend([currency] * len(page))

    def frame(self, *, day: date, source: str, broker: str, ctx: FetchContext) -> pl.DataFrame:
        """The snapshot's rows, dated `day`: in one query when every page is in the usual
        form, else record by record. The values that landed as `other` are noted in
        `ctx`."""
        frame = self._frame(day=day, source=source, broker=broker, ctx=ctx)
        ctx.note_unknown(TABLE, frame)
        return frame

    def _frame(self, *, day: date, source: str, broker: str, ctx: FetchContext) -> pl.DataFrame:
        lineage = lineage_columns(TABLE, source=source, broker=broker, ctx=ctx)
        if self.columns is not None:
            output = [*lineage, *_output(day)]
            frame = read_frame(TABLE, self.columns, RAW_SCHEMA, PARSE, output, USUAL, RAW_DECIMALS)
            if frame is not None:
                return frame
        rows = [
            row
            for account_id, as_of, currency, page in self.pages
            for row in salvage(
                page,
                lambda p, a=account_id, t=as_of, c=currency: normalize.position_row(
                    p, account_id=a, as_of=t, currency=c
                ),
                lambda p, a=account_id, t=as_of: normalize.position_identity(p, a, t),
            )
        ]
        stamp(rows, as_of_date=day)
        return canonical_frame(TABLE, rows, source=source, broker=broker, ctx=ctx)


RAW_SCHEMA = {
    **dict.fromkeys((*FIELDS, *USD_COLUMNS, "account_id", "currency"), pl.String),
    "as_of": UTC_DATETIME,
}
PARSE = [parse_decimal(field) for field in RAW_DECIMALS]
USUAL = pl.all_horizontal(
    pl.col("symbol").is_not_null().all(),
    *[decimal_is_usual(field) for field in RAW_DECIMALS],
)
_INSTRUMENT = canonical(pl.col("asset_class"), normalize.ASSET_CLASS, InstrumentType.OTHER)
_SYMBOL = crypto_pair(pl.col("symbol"), pl.col("asset_class"))


def _output(day: date) -> list[pl.Expr]:
    """The canonical columns after the lineage, in the contract's order."""
    return [
        pl.col("account_id"),
        pl.concat_str(_INSTRUMENT, pl.lit(":"), _SYMBOL).alias("position_key"),
        pl.lit(day, pl.Date).alias("as_of_date"),
        pl.col("as_of"),
        _SYMBOL.alias("symbol"),
        _INSTRUMENT.alias("instrument_type"),
        pl.col("asset_class").alias("raw_instrument_type"),
        canonical(pl.col("side"), normalize.POSITION_SIDE, PositionSide.OTHER).alias("side"),
        pl.col(parsed("qty")).abs().alias("quantity"),
        pl.lit(None, DECIMAL).alias("contract_size"),
        *[pl.col(parsed(field)).alias(column) for column, field in FIGURES.items()],
        pl.col("currency"),
        pl.col(parsed("swap_rate")).alias("swap_rate"),
        *[pl.col(parsed(column)).alias(column) for column in USD_COLUMNS],
    ]
