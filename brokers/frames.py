"""Canonical rows to typed frames: lineage columns added, the table's exact schema applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from brokers.connector import FetchContext
from schemas import table


def canonical_frame(
    table_name: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    broker: str,
    ctx: FetchContext,
) -> pl.DataFrame:
    """Rows (dicts of canonical columns, no lineage) as a frame with the table's schema."""
    spec = table(table_name)
    lineage = {
        "source": source,
        "broker": broker,
        "fetched_at": ctx.fetched_at,
        "run_id": ctx.run_id,
    }
    records = [{**lineage, **row} for row in rows]
    unknown = {key for record in records for key in record} - set(spec.columns)
    if unknown:
        raise KeyError(f"{table_name}: columns not in the contract: {sorted(unknown)}")
    return pl.DataFrame(records, schema=spec.schema, strict=True)


def position_key(symbol: str, instrument_type: str) -> str:
    """A holding's identity where the broker gives none: one position per instrument."""
    return f"{instrument_type}:{symbol}"
