"""One run's writes to a keyed table (orders): each write merged on the contract's key
into the source's partition, in one commit.

The incoming rows are de-duplicated first (the latest by the table's `latest_by`:
`updated_at`, then `fetched_at`), so a key read twice in one write lands once; a row
then updates the table's where it is newer and is inserted where its key is new, so the
table holds one row per key whatever the order the versions arrive in.

Merging costs what it reads and rewrites: a Delta file is rewritten whole to change one
row. So the table's files are small (`KEYED_FILE_BYTES`) and each write is ordered by
the table's `cluster_by` (orders: status, then submission time); before merging, a scan
of the key columns finds the ranges of `cluster_by` the stored rows of the incoming keys
lie in, and the merge reads and rewrites only the files within them (an order changes
while it is open: an incremental merge touches the files of open orders, not the final
ones, which are nine in ten).
Where no incoming key is stored, the write is appended. While the source's partition
held nothing when the run began (a first sync), a write of keys new to the run is
appended with no scan at all. Each commit carries the source's application transaction,
so a same-source run that committed meanwhile makes an append fail (and the write merge
instead) and a merge run again on the table as it then is. The change feed's mark goes
in the commit of the run's last write (`mark`), so it never moves without its rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import datetime

import polars as pl
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from schemas import table
from warehouse.commits import Overtaken, mark_app_id, properties, retrying, writer_app_id
from warehouse.lake import STATISTICS, WRITER, Lake, conform, literal, streamed


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


SETTLED, ARRIVING = "_settled", "_arriving"  # working columns of the stored rows
# At most this many ranges bound a merge (one per value of the first clustering column).
MAX_SPANS = 16
# Files of a keyed table are about this large (some 25,000 orders): a merge rewrites the
# files holding the rows it updates, whole.
KEYED_FILE_BYTES = 2 * 1024 * 1024


def micros(instant: datetime) -> int:
    return int(instant.timestamp() * 1_000_000)


class KeyedWriter:
    def __init__(self, lake: Lake, table_name: str, source: str, run_id: str) -> None:
        spec = table(table_name)
        self.table_name, self.source, self.run_id = table_name, source, run_id
        self.key, self.latest_by, self.cluster_by = spec.key, spec.latest_by, spec.cluster_by
        self.partition_by = spec.partition_by
        self.uri = lake.uri(table_name)
        delta = lake.open(self.uri)
        # the version this run last committed (or began on): while nothing of this
        # source's was committed since, a write of keys new to the table is appended
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
        if self.cluster_by:
            incoming = incoming.sort(list(self.cluster_by))
        hashes = incoming.select(pl.struct(list(self.key)).hash()).to_series()
        repeated = int(hashes.is_in(self.seen).sum()) if self.seen.len() else 0
        counts = MergeCounts(repeated=repeated)
        self.seen = self.seen.append(hashes)
        if incoming.is_empty() and mark is None:
            counts.version = self.version
            return counts  # nothing to commit
        transactions = {writer_app_id(self.table_name, self.source): time.time_ns() // 1000}
        if mark is not None:
            transactions[mark_app_id(self.table_name, self.source)] = micros(mark)
        commit = properties(transactions, {"brokerlake.run_id": self.run_id})
        if self.appending and not repeated and self._append_to_ours(incoming, commit):
            counts.inserted = incoming.height
        else:
            self.appending = False
            counts.inserted, counts.updated = retrying(
                lambda: self._merge(incoming, commit, mark is not None),
                f"merging {incoming.height} rows into {self.uri} ({self.source})",
            )
            counts.unchanged = incoming.height - counts.inserted - counts.updated
        counts.version = self.version
        return counts

    def _append_to_ours(self, incoming: pl.DataFrame, commit: CommitProperties) -> bool:
        """Append on the version this run last committed, unless a run of this source
        committed since (then False: nothing was written)."""
        try:
            if self.version is None:
                self._create(incoming, commit)
                return True
            delta = DeltaTable(self.uri, version=self.version)
            self._append(delta, incoming, commit)
            return True
        except (CommitFailedError, Overtaken):
            return False

    def _create(self, incoming: pl.DataFrame, commit: CommitProperties) -> None:
        """A new table, its files of a size a merge rewrites cheaply."""
        try:
            write_deltalake(
                self.uri, streamed(incoming), mode="error", partition_by=list(self.partition_by),
                configuration={**STATISTICS, "delta.targetFileSize": str(KEYED_FILE_BYTES)},
                writer_properties=WRITER, commit_properties=commit,
            )  # fmt: skip
        except DeltaError as exc:
            if "exists" in str(exc).lower():
                raise Overtaken(str(exc)) from exc
            raise
        self.version = DeltaTable(self.uri).version()

    def _append(self, delta: DeltaTable, rows: pl.DataFrame, commit: CommitProperties) -> None:
        write_deltalake(
            delta, streamed(rows), mode="append", schema_mode="merge",
            writer_properties=WRITER, commit_properties=commit,
        )  # fmt: skip
        self.version = delta.version()

    def _merge(
        self, incoming: pl.DataFrame, commit: CommitProperties, marking: bool
    ) -> tuple[int, int]:
        """Merge on the table as it now is; (rows inserted, rows updated: the others
        were left as they were).
        Rows whose stored version is final and not older are left as they are; keys the
        table does not hold are appended when no other incoming key is stored; a merge
        reads only the files whose `cluster_by` ranges hold the stored rows it updates."""
        delta = self.lake.open(self.uri)
        if delta is None:
            self._create(incoming, commit)
            return incoming.height, 0
        stored = self._stored(delta, incoming)
        settled = stored.filter(pl.col(SETTLED))
        if settled.height:
            incoming = incoming.join(settled.select(self.key), on=list(self.key), how="anti")
            stored = stored.filter(~pl.col(SETTLED))
        if stored.is_empty():  # no incoming key to update: merging is appending
            if incoming.height or marking:
                self._append(delta, incoming, commit)
            return incoming.height, 0
        before = delta.version()
        on = " AND ".join(
            [
                f"t.source = {literal(self.source)}",
                *(f"t.{c} = s.{c}" for c in self.key),
                *self._spans(stored),
            ]
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
        if self.version == before and marking:  # nothing changed: the mark alone
            self._append(delta, incoming.head(0), commit)
        inserted, updated = metrics["num_target_rows_inserted"], metrics["num_target_rows_updated"]
        return int(inserted), int(updated)

    def _stored(self, delta: DeltaTable, incoming: pl.DataFrame) -> pl.DataFrame:
        """The stored rows of the incoming keys, from a scan of a few columns only: the
        key, the clustering columns, and whether each is settled (final, and the incoming
        version no newer by `latest_by[0]`)."""
        first = self.latest_by[0]
        columns = dict.fromkeys([*self.key, *self.cluster_by, first])
        final = table(self.table_name).final_statuses
        if final:
            columns["status"] = None
        arriving = incoming.lazy().select(*self.key, pl.col(first).alias(ARRIVING))
        settled = (
            pl.col("status").is_in(final) & (pl.col(ARRIVING) <= pl.col(first))
            if final
            else pl.lit(False)
        )
        return (
            pl.scan_delta(delta)
            .filter(pl.col("source") == self.source)
            .select(list(columns))
            .join(arriving, on=list(self.key), how="inner")
            .with_columns(settled.fill_null(False).alias(SETTLED))
            .collect()
        )

    def _spans(self, stored: pl.DataFrame) -> list[str]:
        """A condition on the target every row of `stored` meets: per value of the first
        `cluster_by` column, the range of the others (none past MAX_SPANS values)."""
        if not self.cluster_by:
            return []
        first, rest = self.cluster_by[0], self.cluster_by[1:]
        groups = stored.group_by(first).agg(
            *(pl.col(c).null_count().alias(f"nulls {c}") for c in rest),
            *(pl.col(c).min().alias(f"min {c}") for c in rest),
            *(pl.col(c).max().alias(f"max {c}") for c in rest),
        )
        if groups[first].null_count() or groups.height > MAX_SPANS:
            return []  # no bound: the merge reads the source's whole partition
        spans = []
        for group in groups.iter_rows(named=True):
            bounds = [f"t.{first} = {_literal(group[first])}"]
            bounds += [
                f"t.{c} >= {_literal(group[f'min {c}'])} AND t.{c} <= {_literal(group[f'max {c}'])}"
                for c in rest
                if not group[f"nulls {c}"]
            ]
            spans.append("(" + " AND ".join(bounds) + ")")
        return ["(" + " OR ".join(spans) + ")"]


def _literal(value: object) -> str:
    return literal(value.isoformat() if isinstance(value, datetime) else value)


def delete_keys(lake: Lake, table_name: str, source: str, keys: pl.DataFrame, run_id: str) -> int:
    """Delete a source's rows of these keys (the key's columns but `source`) in one
    commit; the number deleted. What a read found no longer served goes this way."""
    if keys.is_empty():
        return 0
    *grouped, last = [c for c in table(table_name).key if c != "source"]
    groups = keys.group_by(grouped).agg(pl.col(last)) if grouped else None
    listed = groups.iter_rows(named=True) if groups is not None else [{last: keys[last]}]
    clauses = [
        " AND ".join(
            [*(f"{c} = {literal(row[c])}" for c in grouped),
             f"{last} IN ({', '.join(literal(v) for v in row[last])})"]
        )
        for row in listed
    ]  # fmt: skip
    predicate = f"source = {literal(source)} AND (" + " OR ".join(f"({c})" for c in clauses) + ")"
    commit = properties(
        {writer_app_id(table_name, source): time.time_ns() // 1000},
        {"brokerlake.run_id": run_id, "brokerlake.operation": "no longer served"},
    )

    def delete() -> int:
        delta = lake.open(lake.uri(table_name))
        if delta is None:
            return 0
        metrics = delta.delete(predicate, writer_properties=WRITER, commit_properties=commit)
        return int(metrics.get("num_deleted_rows", 0))

    return retrying(delete, f"deleting {keys.height} rows of {source} from {table_name}")
