"""Alpaca position pages (one per account, as of the API's time for that account) to a
positions snapshot, column-wise (see `brokers.columnwise`): each page's fields are picked
as it arrives, and each chunk of pages is read in one polars query once it holds
`CHUNK_POSITIONS` records, its records then dropped (a partner's 200,000 positions are
never held as dicts all at once). When a chunk holds a value not in the usual form, its
pages are read record by record by `normalize.position_row`, whose rules (and
quarantine) then decide; tests/unit/test_alpaca_position_frames.py holds both readings
to the same rows.
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
CHUNK_POSITIONS = 20_000  # records read into rows at a time (about 1,000 accounts)
Page = tuple[str, datetime, str, Sequence[Mapping[str, Any]]]  # account, as of, currency


class PositionBatch:
    """The position pages of one snapshot, read into rows a chunk at a time as they
    arrive. The snapshot's date is known only once every account is read (the API's
    date for the first), so chunks are read undated and `frame` dates the whole."""

    def __init__(
        self, *, source: str, broker: str, ctx: FetchContext, chunk: int = CHUNK_POSITIONS
    ) -> None:
        self.source, self.broker, self.ctx, self.chunk = source, broker, ctx, chunk
        self.read: list[pl.DataFrame] = []  # the chunks read, in order
        self.by_records = 0  # chunks read record by record
        self._new_chunk()

    def _new_chunk(self) -> None:
        self.pages: list[Page] = []
        self.columns: Columns | None = {name: [] for name in RAW_SCHEMA}
        self.records = 0

    def add(
        self, account_id: str, as_of: datetime, page: Sequence[Mapping[str, Any]], currency: str
    ) -> None:
        """One account's positions, as of `as_of`, in its `currency`."""
        self.pages.append((account_id, as_of, currency, page))
        self.records += len(page)
        self._pick(account_id, as_of, page, currency)
        if self.records >= self.chunk:
            self._read_chunk()

    def _pick(
        self, account_id: str, as_of: datetime, page: Sequence[Mapping[str, Any]], currency: str
    ) -> None:
        if self.columns is None:
            return  # a page before, in this chunk, was not in the usual form
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

    def frame(self, *, day: date) -> pl.DataFrame:
        """The snapshot's rows, dated `day`. The values that landed as `other` are noted
        in the context."""
        if self.pages or not self.read:
            self._read_chunk()
        frames, self.read = self.read, []
        frame = pl.concat(frames, how="diagonal")  # diagonal: some may have quarantine rows
        frame = frame.with_columns(pl.lit(day, pl.Date).alias("as_of_date"))
        self.ctx.note_unknown(TABLE, frame)
        return frame

    def _read_chunk(self) -> None:
        """The chunk's rows, undated: in one query when its every page is in the usual
        form, else record by record; then a new chunk."""
        lineage = lineage_columns(TABLE, source=self.source, broker=self.broker, ctx=self.ctx)
        frame = None
        if self.columns is not None:
            output = [*lineage, *_OUTPUT]
            frame = read_frame(TABLE, self.columns, RAW_SCHEMA, PARSE, output, USUAL, RAW_DECIMALS)
        if frame is None:
            frame = self._by_records()
            self.by_records += 1
        self.read.append(frame)
        self._new_chunk()

    def _by_records(self) -> pl.DataFrame:
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
        stamp(rows, as_of_date=None)  # dated with the whole snapshot
        return canonical_frame(TABLE, rows, source=self.source, broker=self.broker, ctx=self.ctx)


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


# The canonical columns after the lineage, in the contract's order; undated.
_OUTPUT = [
    pl.col("account_id"),
    pl.concat_str(_INSTRUMENT, pl.lit(":"), _SYMBOL).alias("position_key"),
    pl.lit(None, pl.Date).alias("as_of_date"),
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
