"""Canonical rows to typed frames: lineage columns added, the table's exact schema applied,
and records that could not be read kept, with why, for quarantine."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

import polars as pl

from brokers.connector import FetchContext
from brokers.parse import ParseError
from schemas import table
from schemas.validate import REASON

Row = Mapping[str, Any]
READ_ERRORS = (ValueError, KeyError, TypeError, AttributeError, InvalidOperation)


@dataclass(frozen=True)
class Unreadable:
    """A broker record that could not be read into a row (a field of the wrong type, a
    required field missing): it goes to quarantine under what identifies it, with the
    field and the raw value, rather than failing its page or vanishing."""

    reason: str
    identity: dict[str, Any]  # canonical columns known without reading the record


def salvage(
    records: Iterable[Mapping[str, Any]],
    read: Callable[[Mapping[str, Any]], Iterable[Row] | Row],
    identity: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> list[Row | Unreadable]:
    """`read(record)` for each record (one row, or several); a record it cannot read
    becomes an Unreadable carrying `identity(record)`."""
    rows: list[Row | Unreadable] = []
    for record in records:
        try:
            read_rows = read(record)
            rows.extend([read_rows] if isinstance(read_rows, Mapping) else list(read_rows))
        except READ_ERRORS as error:
            rows.append(Unreadable(_why(error, record), identity(record)))
    return rows


def stamp(rows: Iterable[Row | Unreadable], **columns: Any) -> None:
    """Set `columns` on every row, unreadable ones too (a snapshot's date, ...)."""
    for row in rows:
        (row.identity if isinstance(row, Unreadable) else row).update(columns)  # type: ignore[union-attr]


def _why(error: Exception, record: Mapping[str, Any]) -> str:
    if isinstance(error, KeyError):
        return f"unreadable record: required field {error.args[0]!r} is missing or null"
    if isinstance(error, ParseError):
        field = next((k for k, v in record.items() if v is error.value), None)
        if field is not None:
            return f"unreadable record: {field}: {error}"
    return f"unreadable record: {error}"


def canonical_frame(
    table_name: str,
    rows: Iterable[Row | Unreadable],
    *,
    source: str,
    broker: str,
    ctx: FetchContext,
) -> pl.DataFrame:
    """Rows (dicts of canonical columns, no lineage) as a frame with the table's schema;
    Unreadable records add the `quarantine_reason` column that sends them to quarantine.
    The values that landed as `other` are noted in `ctx`."""
    spec = table(table_name)
    lineage = _lineage(source, broker, ctx)
    records = [
        {**lineage, **row.identity, REASON: row.reason}
        if isinstance(row, Unreadable)
        else {**lineage, **row}
        for row in rows
    ]
    schema = dict(spec.schema)
    if any(REASON in record for record in records):
        schema[REASON] = pl.String
    unknown = {key for record in records for key in record} - set(schema)
    if unknown:
        raise KeyError(f"{table_name}: columns not in the contract: {sorted(unknown)}")
    frame = pl.DataFrame(records, schema=schema, strict=True)
    ctx.note_unknown(table_name, frame)
    return frame


def lineage_columns(
    table_name: str, *, source: str, broker: str, ctx: FetchContext
) -> list[pl.Expr]:
    """The lineage columns' values, typed, for a frame built column-wise."""
    schema = table(table_name).schema
    values = _lineage(source, broker, ctx)
    return [pl.lit(value, schema[name]).alias(name) for name, value in values.items()]


def _lineage(source: str, broker: str, ctx: FetchContext) -> dict[str, Any]:
    """What every row carries: which source, which broker API, when, in which run."""
    return {"source": source, "broker": broker, "fetched_at": ctx.fetched_at, "run_id": ctx.run_id}


def position_key(symbol: str, instrument_type: str) -> str:
    """A holding's identity where the broker gives none: one position per instrument."""
    return f"{instrument_type}:{symbol}"
