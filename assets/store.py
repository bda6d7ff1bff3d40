"""Validate a fetched frame and put it in the lake: good rows to the table, bad rows to
quarantine with their reasons. Every row fetched is accounted for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from brokers.connector import AccountsBatch
from schemas import validate
from schemas.validate import REASON
from warehouse import Lake
from warehouse.keyed import KeyedWriter, MergeCounts, latest_per_key


@dataclass
class StoreCounts:
    """Rows fetched, written (valid) and quarantined; for a keyed table, the rows
    superseded (an older version of a key read again in the same part: its latest
    version is the one validated and written) and what the merges did with the written
    rows; and the table's version the step's last commit made."""

    fetched: int = 0
    written: int = 0
    quarantined: int = 0
    superseded: int = 0
    merged: MergeCounts | None = None
    version: int | None = None

    def add(self, other: StoreCounts) -> None:
        self.fetched += other.fetched
        self.written += other.written
        self.quarantined += other.quarantined
        self.superseded += other.superseded
        if other.merged is not None:
            self.merged = self.merged or MergeCounts()
            self.merged.add(other.merged)
        self.version = other.version if other.version is not None else self.version

    @property
    def balanced(self) -> bool:
        return self.fetched == self.written + self.quarantined + self.superseded

    def metadata(self) -> dict[str, int]:
        counts = {
            "rows_fetched": self.fetched,
            "rows_written": self.written,
            "rows_quarantined": self.quarantined,
        }
        if self.merged is not None:
            counts |= {
                "rows_superseded": self.superseded,
                "rows_inserted": self.merged.inserted,
                "rows_updated": self.merged.updated,
                "rows_unchanged": self.merged.unchanged,
                "rows_repeated": self.merged.repeated,
            }
        if self.version is not None:
            counts["lake_version"] = self.version
        return counts


def store(
    lake: Lake,
    table: str,
    source: str,
    frame: pl.DataFrame,
    *,
    run_id: str,
    as_of_date: date | None = None,
) -> StoreCounts:
    """Validate `frame` and write both halves; returns the counts of each."""
    result = validate(table, frame)
    written = lake.write(table, source, result.valid, run_id=run_id, as_of_date=as_of_date)
    # Always written: an empty quarantine replaces an earlier run's for the same partition.
    lake.write_quarantine(table, source, result.quarantined, run_id=run_id, as_of_date=as_of_date)
    return StoreCounts(
        frame.height, result.valid.height, result.quarantined.height, version=written.version
    )


def store_keyed(
    lake: Lake, writer: KeyedWriter, frame: pl.DataFrame, *, mark: datetime | None = None
) -> StoreCounts:
    """One part of a run's rows of a keyed table: de-duplicated first (an order read
    twice, in two batches of a change feed, keeps its latest version), then validated;
    the quarantined rows are appended, then the valid ones merged (with `mark`, in the
    commit that moves the source's change-feed mark), so a crash in between never loses
    a row."""
    latest = latest_readable(frame, writer.key, writer.latest_by)
    result = validate(writer.table_name, latest)
    if result.quarantined.height:
        lake.write_quarantine(
            writer.table_name, writer.source, result.quarantined, run_id=writer.run_id
        )
    merged = writer.write(result.valid, mark=mark)
    return StoreCounts(
        frame.height,
        result.valid.height,
        result.quarantined.height,
        superseded=frame.height - latest.height,
        merged=merged,
        version=merged.version,
    )


def latest_readable(
    frame: pl.DataFrame, key: tuple[str, ...], latest_by: tuple[str, ...]
) -> pl.DataFrame:
    """The latest version of each key; records a connector could not read (with a
    `quarantine_reason`) stay as they are, for quarantine."""
    if REASON not in frame.columns:
        return latest_per_key(frame, key, latest_by)
    unread = pl.col(REASON).is_not_null()
    return pl.concat([latest_per_key(frame.filter(~unread), key, latest_by), frame.filter(unread)])


def store_observation(
    lake: Lake, table: str, source: str, frame: pl.DataFrame, *, run_id: str, day: date
) -> StoreCounts:
    """Validate one day's observation of a current table and keep it in the table's
    history; it also becomes the current state unless a later day was already observed
    (a backfilled day never rolls the current state back). Quarantined rows go to the
    current quarantine with the current state; a backfilled day's are counted only."""
    result = validate(table, frame)
    days = lake.history_days(table, source)
    observed = lake.write_history(table, source, result.valid, day=day)
    if not days or day >= days[-1]:
        lake.write(table, source, result.valid, run_id=run_id)
        lake.write_quarantine(table, source, result.quarantined, run_id=run_id)
    return StoreCounts(
        frame.height, result.valid.height, result.quarantined.height, version=observed.version
    )


def keep_unread_users(
    lake: Lake, table: str, source: str, frame: pl.DataFrame, users: tuple[str, ...]
) -> pl.DataFrame:
    """`frame` plus the rows last landed for users that could not be read this time, so a
    rejected secret leaves that user's connections and accounts as they were, not gone.
    The kept rows keep their own `fetched_at` and `run_id`: their age stays visible."""
    if not users:
        return frame
    previous = lake.read(table, source).filter(pl.col("user_id").is_in(list(users)))
    return pl.concat([frame, previous]) if previous.height else frame


def store_accounts(
    lake: Lake, source: str, batch: AccountsBatch, *, run_id: str, day: date
) -> dict[str, StoreCounts]:
    """Users, connections and accounts as observed on `day`, each table's counts; the rows
    of users that could not be read this time are kept as they were."""
    counts = {}
    for name in ("users", "connections", "accounts"):
        frame = getattr(batch, name)
        if name != "users":
            frame = keep_unread_users(lake, name, source, frame, batch.unread_users)
        counts[name] = store_observation(lake, name, source, frame, run_id=run_id, day=day)
    return counts
