"""Reading broker records column-wise: their fields picked in C (`itemgetter`), their
values parsed by polars in bulk, and one check that every value was in the form the bulk
reading takes exactly. When a value is not, the caller reads those records one by one by
its own rules (and quarantines what it cannot read), so both readings give the same rows.

Polars casts decimal text to the contract's Decimal(38, 18) as `brokers.parse.to_decimal`
reads it, more than 18 places rounded half to even; what it cannot read (more than 20
integer digits, spaces, `NaN`) comes out null, and those records are read one by one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

import polars as pl

from schemas import DECIMAL, table

RFC3339_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%#z"
# What both polars and `brokers.parse.to_utc` read alike: a year from 0001, hours to 23,
# seconds to 59 (polars reads a leap second, `to_utc` does not), an upper-case Z.
YEAR = r"(?:[1-9]\d{3}|0[1-9]\d\d|00[1-9]\d|000[1-9])"
RFC3339 = YEAR + r"-\d\d-\d\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"
PLAIN_DATE = YEAR + r"-\d\d-\d\d"
USUAL_COLUMN = "__usual"

Columns = dict[str, list[Any]]


def pick(
    records: Sequence[Any], fields: Sequence[str], optional: Collection[str] = ()
) -> list[tuple[Any, ...]] | None:
    """The records' `fields`, a column each; an absent field is null (as `record.get`);
    None when a record is not an object. The fields in `optional` (which many records
    lack) are picked apart, so their absence does not cost the others the fast picking."""
    if not records:
        return [()] * len(fields)
    usual = [name for name in fields if name not in optional]
    try:
        rows = list(map(itemgetter(*usual), records))
        if len(usual) == 1:  # itemgetter of one field gives the value, not a tuple
            rows = [(row,) for row in rows]
    except KeyError:
        if not all(isinstance(record, Mapping) for record in records):
            return None
        rows = [tuple(record.get(name) for name in usual) for record in records]
    except TypeError:  # a record that is not an object
        return None
    columns = dict(zip(usual, zip(*rows, strict=True), strict=True))
    for name in fields:
        if name not in columns:
            columns[name] = tuple(record.get(name) for record in records)
    return [columns[name] for name in fields]


def nested(values: Sequence[Any], fields: Mapping[str, str]) -> Columns | None:
    """Fields of a nested object (Alpaca's `usd`), a column each (`fields`: column <- the
    object's field; an absent object gives nulls); None when a value is not an object."""
    if not any(values):
        return {name: [None] * len(values) for name in fields}
    if not all(value is None or isinstance(value, Mapping) for value in values):
        return None
    return {
        name: [value.get(field) if value else None for value in values]
        for name, field in fields.items()
    }


def blank_as_null(value: str | pl.Expr) -> pl.Expr:
    """A column (by name) or an expression, with "" as null."""
    expr = pl.col(value) if isinstance(value, str) else value
    return pl.when(expr != "").then(expr)


def parsed(name: str) -> str:
    """The column holding `name`'s parsed value, next to the raw one."""
    return f"{name}__parsed"


def parse_decimal(field: str) -> pl.Expr:
    return blank_as_null(field).cast(DECIMAL, strict=False).alias(parsed(field))


def parse_timestamp(field: str) -> pl.Expr:
    """RFC 3339 text (offsets, 'Z', nanoseconds) as UTC, truncated to microseconds."""
    return (
        blank_as_null(field)
        .str.to_datetime(RFC3339_FORMAT, time_unit="ns", time_zone="UTC", strict=False)
        .dt.cast_time_unit("us")
        .alias(parsed(field))
    )


def decimal_is_usual(field: str) -> pl.Expr:
    """Every value plain (no exponent) and read."""
    text = pl.col(field)
    plain = ~text.str.contains("[eE]")
    return (text.is_null() | plain).all() & was_read(field)


def timestamp_is_usual(field: str) -> pl.Expr:
    """Every value RFC 3339 as both readings read it (see RFC3339), and read."""
    text = blank_as_null(field)
    return (text.is_null() | text.str.contains(f"^{RFC3339}$")).all() & was_read(field)


def was_read(field: str) -> pl.Expr:
    """Every value that is not blank was parsed."""
    return (pl.col(parsed(field)).is_not_null() | blank_as_null(field).is_null()).all()


def canonical(raw: pl.Expr, mapping: Mapping[str, Any], default: object) -> pl.Expr:
    """The lower-cased raw value mapped to its canonical one, else `default` (`other`)."""
    return raw.str.to_lowercase().replace_strict(
        {key: str(value) for key, value in mapping.items()},
        default=str(default),
        return_dtype=pl.String,
    )


def raw_frame(
    columns: Columns, raw_schema: Mapping[str, pl.DataType], decimals: Sequence[str] = ()
) -> pl.DataFrame | None:
    """The picked columns as a polars frame of text; None when a value is not text (a
    list or an object where the API sends a string, a number outside `decimals`). A
    number in one of the `decimals` columns (an exact Decimal or an int, as JSON decoding
    gives them: older Alpaca bodies send `qty` as 1) is taken as its text."""
    try:
        return pl.DataFrame(columns, schema=dict(raw_schema), strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        pass
    if not decimals:
        return None
    texts = {**columns, **{name: numbers_as_text(columns[name]) for name in decimals}}
    try:
        return pl.DataFrame(texts, schema=dict(raw_schema), strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        return None


def numbers_as_text(values: list[Any]) -> list[Any]:
    """Decimals and ints (not booleans) as their text; anything else as it is."""
    return [str(v) if type(v) is Decimal or type(v) is int else v for v in values]


def read_frame(
    table_name: str,
    raw: Columns | pl.DataFrame | None,
    raw_schema: Mapping[str, pl.DataType],
    parse: Sequence[pl.Expr],
    output: Sequence[pl.Expr],
    usual: pl.Expr,
    decimals: Sequence[str] = (),
) -> pl.DataFrame | None:
    """The table's rows from raw columns in one polars query: `parse` adds parsed columns,
    `output` gives the table's columns in order; None when a raw value is not text (but
    a number in one of the `decimals` columns) or `usual` does not hold, and the records
    must be read one by one."""
    if isinstance(raw, dict):
        raw = raw_frame(raw, raw_schema, decimals)
    if raw is None:
        return None
    frame = raw.lazy().with_columns(parse).select(*output, usual.alias(USUAL_COLUMN)).collect()
    if not frame.drop_in_place(USUAL_COLUMN).all():
        return None
    expected = table(table_name).schema
    if frame.schema != expected:
        wrong = {n: str(t) for n, t in frame.schema.items() if t != expected.get(n)}
        raise TypeError(f"{table_name}: columns read column-wise of the wrong type: {wrong}")
    return frame
