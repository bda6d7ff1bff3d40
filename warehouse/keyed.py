"""One run's writes to a keyed table (orders): each write merged on the contract's key
into the source's partition, in one commit.

The incoming rows are de-duplicated first (the latest by the table's `latest_by`:
`updated_at`, then `fetched_at`), so a key read twice in one write lands once; a row
then updates the table's where it is newer and is inserted where its key is new, so the
table holds one row per key whatever the order the versions arrive in.

While the source's partition held nothing when the run began and a write's keys are new
to the run, merging is appending: the write is appended, and a same-source run that
committed meanwhile makes the append fail (each commit carries the source's application
transaction), after which every write is merged. The change feed's mark goes in the
commit of the run's last write (`mark`), so it never moves without its rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import datetime

import polars as pl
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from schemas import table
from warehouse.commits import mark_app_id, properties, retrying, writer_app_id
from warehouse.lake import WRITER, Lake, conform, literal


@dataclass
class MergeCounts:
    """What writes did with their rows (one per key: a write keeps only the latest
    version of a key it is given): each was inserted, updated, or unchanged (the table
    held that version or a newer one)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # rows whose key an earlier write of the same run held: such a row may replace the
    # run's own, so the run leaves between inserted + updated - repeated and
    # inserted + updated rows of its own in the table
    repeated: int = 0
    version: int | None = None  # the table's version after the last write

    def add(self, other: MergeCounts) -> None:
        for f in fields(self):
            if f.name != "version":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        self.version = other.version if other.version is not None else self.version


def latest_per_key(
    frame: pl.DataFrame, key: tuple[str, ...], latest_by: tuple[str, ...]
) -> pl.DataFrame:
    """One row per key: the latest by `latest_by` (later is newer; nulls oldest)."""
    return frame.sort(list(latest_by), descending=True, nulls_last=True).unique(
        subset=list(key), keep="first", maintain_order=True
    )


def newer(columns: tuple[str, ...]) -> str:
    """`s` is newer than `t` by `columns`, compared in order (a merge predicate)."""
    first, rest = columns[0], columns[1:]
    if not rest:
        return f"s.{first} > t.{first}"
    return f"(s.{first} > t.{first} OR (s.{first} = t.{first} AND {newer(rest)}))"


def micros(instant: datetime) -> int:
    return int(instant.timestamp() * 1_000_000)


class KeyedWriter:
    def __init__(self, lake: Lake, table_name: str, source: str, run_id: str) -> None:
        spec = table(table_name)
        self.table_name, self.source, self.run_id = table_name, source, run_id
        self.key, self.latest_by, self.partition_by = spec.key, spec.latest_by, spec.partition_by
        self.uri = lake.uri(table_name)
        delta = lake.open(self.uri)
        # the version this run's next append is checked against: nothing of this
        # source's may have been committed since
        self.version = None if delta is None else delta.version()
        self.appending = delta is None or all(p["source"] != source for p in delta.partitions())
        self.seen = pl.Series("seen", [], pl.UInt64)  # hashes of the keys written so far
        self.lake = lake

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=table(self.table_name).schema)

    def write(self, frame: pl.DataFrame, *, mark: datetime | None = None) -> MergeCounts:
        """Merge `frame` (valid rows of the contract, this source's) in one commit; with
        `mark`, that commit also moves the source's change-feed mark to it."""
        frame = conform(self.table_name, self.source, frame)
        incoming = latest_per_key(frame, self.key, self.latest_by)
        hashes = incoming.select(pl.struct(list(self.key)).hash()).to_series()
        repeated = int(hashes.is_in(self.seen).sum()) if self.seen.len() else 0
        counts = MergeCounts(repeated=repeated)
        transactions = {writer_app_id(self.table_name, self.source): time.time_ns() // 1000}
        if mark is not None:
            transactions[mark_app_id(self.table_name, self.source)] = micros(mark)
        commit = properties(transactions, {"brokerlake.run_id": self.run_id})
        if incoming.is_empty() and mark is None:
            pass  # nothing to commit
        elif self.appending and not repeated and self._append(incoming, commit):
            counts.inserted = incoming.height
        elif incoming.is_empty():
            self._append_to_latest(incoming, commit)
        else:
            inserted, updated, committed = retrying(
                lambda: self._merge(incoming, commit),
                f"merging {incoming.height} rows into {self.uri} ({self.source})",
            )
            counts.inserted, counts.updated = inserted, updated
            counts.unchanged = incoming.height - inserted - updated
            if not committed and mark is not None:  # nothing changed: the mark alone
                self._append_to_latest(incoming.head(0), commit)
        counts.version = self.version
        self.seen = self.seen.append(hashes)
        return counts

    def _append(self, incoming: pl.DataFrame, commit: CommitProperties) -> bool:
        """Append, unless a run of this source committed since this one's last commit
        (then False: nothing was written, and from now on every write merges)."""
        try:
            if self.version is None:  # a new table: fails if another run created it
                write_deltalake(
                    self.uri, incoming, mode="error", partition_by=list(self.partition_by),
                    writer_properties=WRITER, commit_properties=commit,
                )  # fmt: skip
                self.version = DeltaTable(self.uri).version()
                return True
            delta = DeltaTable(self.uri, version=self.version)
            write_deltalake(
                delta, incoming, mode="append", schema_mode="merge",
                writer_properties=WRITER, commit_properties=commit,
            )  # fmt: skip
            self.version = delta.version()
            return True
        except (CommitFailedError, DeltaError) as exc:
            if isinstance(exc, DeltaError) and "exists" not in str(exc).lower():
                raise
            self.appending = False
            return False

    def _append_to_latest(self, incoming: pl.DataFrame, commit: CommitProperties) -> None:
        """A commit of no rows (carrying the mark) on the table as it now is."""
        self.version = self.lake.append(self.uri, self.partition_by, incoming, commit=commit)

    def _merge(self, incoming: pl.DataFrame, commit: CommitProperties) -> tuple[int, int, bool]:
        """Merge; (rows inserted, rows updated, whether it committed: a merge that
        changes nothing commits nothing)."""
        delta = DeltaTable(self.uri)
        before = delta.version()
        on = " AND ".join(
            [f"t.source = {literal(self.source)}", *(f"t.{c} = s.{c}" for c in self.key)]
        )
        metrics = (
            delta.merge(
                incoming,
                predicate=on,
                source_alias="s",
                target_alias="t",
                merge_schema=True,
                writer_properties=WRITER,
                commit_properties=commit,
            )
            .when_matched_update_all(predicate=newer(self.latest_by))
            .when_not_matched_insert_all()
            .execute()
        )
        self.version = delta.version()
        inserted, updated = metrics["num_target_rows_inserted"], metrics["num_target_rows_updated"]
        return int(inserted), int(updated), self.version != before
