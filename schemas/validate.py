"""Validate a collected frame against its table's contract, splitting good rows from bad.

Pandera runs only schema-level checks on a polars LazyFrame, so validation always runs on a
collected DataFrame: every value check (ranges, enums, patterns, uniqueness) really runs.
Rows that fail come back with the reason, for quarantine; a frame whose shape is wrong
(missing column, wrong dtype) is a bug upstream and raises.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.errors as pa_errors
import polars as pl

from schemas.tables import table

REASON = "quarantine_reason"
ROW_INDEX = "_row"


class ContractError(ValueError):
    """The frame as a whole does not fit the table (columns or dtypes): nothing can be kept."""


@dataclass(frozen=True)
class ValidationResult:
    valid: pl.DataFrame
    quarantined: pl.DataFrame  # the failing rows, plus `quarantine_reason`

    @property
    def counts(self) -> dict[str, int]:
        return {"valid": self.valid.height, "quarantined": self.quarantined.height}


def validate(table_name: str, frame: pl.DataFrame) -> ValidationResult:
    """Check every row of `frame` against the table's model; never drops a row silently.
    Rows that arrive with a `quarantine_reason` (records a connector could not read) are
    quarantined with it as they are."""
    if REASON in frame.columns:
        unread = frame.filter(pl.col(REASON).is_not_null())
        result = validate(table_name, frame.filter(pl.col(REASON).is_null()).drop(REASON))
        quarantined = pl.concat(
            [result.quarantined, unread.select(result.quarantined.columns)], how="vertical"
        )
        return ValidationResult(result.valid, quarantined)
    spec = table(table_name)
    frame = frame.select(spec.columns) if set(spec.columns) <= set(frame.columns) else frame
    try:
        spec.model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as errors:
        failures = errors.failure_cases
    else:
        return ValidationResult(frame, frame.head(0).with_columns(pl.lit("").alias(REASON)))

    whole_frame = failures.filter(pl.col("index").is_null())
    if whole_frame.height:
        problems = "; ".join(
            f"{row['column']}: {row['check']} ({row['failure_case']})"
            for row in whole_frame.iter_rows(named=True)
        )
        raise ContractError(f"{table_name}: the frame does not fit the contract: {problems}")

    reasons = (
        failures.with_columns(
            pl.format("{} failed {}", pl.col("column"), pl.col("check")).alias(REASON)
        )
        .group_by("index")
        .agg(pl.col(REASON).unique().sort().str.join("; "))
        .rename({"index": ROW_INDEX})
        .with_columns(pl.col(ROW_INDEX).cast(pl.UInt32))
    )
    indexed = frame.with_row_index(ROW_INDEX)
    bad = indexed.join(reasons, on=ROW_INDEX, how="inner").sort(ROW_INDEX).drop(ROW_INDEX)
    good = indexed.join(reasons, on=ROW_INDEX, how="anti").drop(ROW_INDEX)
    return ValidationResult(good, bad)
