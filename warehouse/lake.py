"""The lake: one Delta table (delta-rs) per canonical table at `<home>/lake/<table>`, its
quarantine at `lake/_quarantine/<table>` and, for current tables, the daily observations
at `lake/_history/<table>`, partitioned as they are read (by source; by day for daily
snapshots and observations). Any engine that reads Delta sees exactly what brokerlake's
views show.

Each write is one commit: a current table replaces its source's rows, a daily table its
(source, day), an observation its (source, day); a keyed table (orders) is merged on its
key (see `warehouse.keyed`). Older versions stay readable (`as_of`) until maintenance
removes their files (`warehouse.maintenance`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import polars as pl
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake

from schemas import REFERENCE_TABLES, TABLES, table
from schemas.tables import DAY_COLUMN, Storage
from schemas.validate import REASON
from warehouse.commits import mark_app_id, properties, retrying
from warehouse.layout import check_layout
from warehouse.location import is_remote, join, resolve_home

QUARANTINE = "_quarantine"
HISTORY = "_history"
WRITER = WriterProperties(compression="ZSTD")
# Every column's min and max in the log (Delta's default is the first 32): a merge and
# any engine's reader skip files by the columns a table is clustered and filtered by,
# which in a wide table (orders) lie past the 32nd.
STATISTICS = {"delta.dataSkippingNumIndexedCols": "-1"}
# A version (int) or an instant: `as_of` reads a table as that commit, or the last one
# made at or before that instant, left it.
AsOf = int | datetime | None
# A frame goes to delta-rs in batches of this many rows, each made Arrow as it is taken.
STREAM_ROWS = 10_000


def streamed(frame: pl.DataFrame, rows: int = STREAM_ROWS) -> pa.RecordBatchReader:
    """`frame` as a stream of small Arrow batches, for a write: handed over whole, a
    frame is held by delta-rs beside its Parquet encoding (writing 380,000 positions
    took three times the frame's size; streamed, less than twice)."""
    schema = frame.head(0).to_arrow().schema
    batches = (
        batch
        for start in range(0, frame.height, rows)
        for batch in frame.slice(start, rows).to_arrow().to_batches()
    )
    return pa.RecordBatchReader.from_batches(schema, batches)


@dataclass(frozen=True)
class WriteResult:
    table: str
    source: str
    rows: int
    version: int  # the table's version this write committed


def literal(value: object) -> str:
    """A value in a delta-rs predicate."""
    return "'" + str(value).replace("'", "''") + "'"


def source_predicate(source: str, day: date | None = None, column: str = "source") -> str:
    predicate = f"{column} = {literal(source)}"
    if day is not None:
        predicate += f" AND {DAY_COLUMN} = {literal(day.isoformat())}"
    return predicate


class Lake:
    def __init__(self, home: object) -> None:
        self.home = resolve_home(str(home))
        self.root = join(self.home, "lake")
        if not is_remote(self.home):
            check_layout(self.root)

    # -- where -------------------------------------------------------------------------
    def uri(self, table_name: str, *, quarantine: bool = False, history: bool = False) -> str:
        table(table_name)
        if quarantine:
            return join(self.root, QUARANTINE, table_name)
        if history:
            return join(self.root, HISTORY, table_name)
        return join(self.root, table_name)

    def open(self, uri: str, as_of: AsOf = None) -> DeltaTable | None:
        """The table at `uri` (as of a version or instant), or None where there is none."""
        if not DeltaTable.is_deltatable(uri):
            return None
        delta = DeltaTable(uri)
        if as_of is not None:
            delta.load_as_version(_instant(as_of))
        return delta

    def uris(self) -> dict[str, str]:
        """Every table of the lake by its path under `lake/`: the canonical tables, the
        current tables' observations (`_history/<table>`), the quarantines
        (`_quarantine/<table>`)."""
        named = {name: self.uri(name) for name in TABLES}
        for name, spec in TABLES.items():
            if spec.storage is Storage.CURRENT:
                named[f"{HISTORY}/{name}"] = self.uri(name, history=True)
        for name in TABLES:
            named[f"{QUARANTINE}/{name}"] = self.uri(name, quarantine=True)
        for name in REFERENCE_TABLES:
            named[name] = self.uri(name)
            named[f"{QUARANTINE}/{name}"] = self.uri(name, quarantine=True)
        return named

    def versions(self, as_of: AsOf = None) -> dict[str, int | None]:
        """Each table's version, now or as of a version or instant (None: none yet)."""
        versions = {}
        for name, uri in self.uris().items():
            delta = self.open(uri, as_of)
            versions[name] = None if delta is None else delta.version()
        return versions

    # -- writing -----------------------------------------------------------------------
    def write(
        self,
        table_name: str,
        source: str,
        frame: pl.DataFrame,
        *,
        run_id: str,
        as_of_date: date | None = None,
    ) -> WriteResult:
        """One source's rows in one commit: replacing its rows (current tables) or its
        day (daily tables), or merged on the key (keyed tables)."""
        spec = table(table_name)
        frame = conform(table_name, source, frame)
        if spec.storage is Storage.KEYED:
            from warehouse.keyed import KeyedWriter

            counts = KeyedWriter(self, table_name, source, run_id).write(frame)
            assert counts.version is not None
            return WriteResult(table_name, source, frame.height, counts.version)
        day = _day_of(table_name, frame, as_of_date) if spec.storage is Storage.DAILY else None
        version = self.replace(
            self.uri(table_name), spec.partition_by, frame, source_predicate(source, day)
        )
        return WriteResult(table_name, source, frame.height, version)

    def write_quarantine(
        self,
        table_name: str,
        source: str,
        frame: pl.DataFrame,
        *,
        run_id: str,
        as_of_date: date | None = None,
    ) -> WriteResult:
        """Rows that failed the contract, with their reason. They replace the source's (or
        its day's) earlier quarantine, as the rows replace the table's; a keyed table's
        accumulate, each with the run that read it."""
        spec = table(table_name)
        frame = conform(table_name, source, frame, quarantine=True)
        uri = self.uri(table_name, quarantine=True)
        if spec.storage is Storage.KEYED:
            version = self.append(uri, spec.partition_by, frame)
        else:
            day = _day_of(table_name, frame, as_of_date) if spec.storage is Storage.DAILY else None
            version = self.replace(uri, spec.partition_by, frame, source_predicate(source, day))
        return WriteResult(table_name, source, frame.height, version)

    def write_history(
        self, table_name: str, source: str, frame: pl.DataFrame, *, day: date
    ) -> WriteResult:
        """One day's observation of a current table (valid rows), replacing that day's."""
        if table(table_name).storage is not Storage.CURRENT:
            raise ValueError(f"{table_name}: only current tables keep a history")
        observed = conform(table_name, source, frame).with_columns(pl.lit(day).alias(DAY_COLUMN))
        version = self.replace(
            self.uri(table_name, history=True),
            ("source", DAY_COLUMN),
            observed,
            source_predicate(source, day),
        )
        return WriteResult(table_name, source, observed.height, version)

    def write_reference(
        self,
        table_name: str,
        provider: str,
        frame: pl.DataFrame,
        *,
        first: date,
        last: date,
        quarantine: bool = False,
    ) -> WriteResult:
        """A provider's published rows of the days `first` to `last` (both included), in
        place of what the lake held for those days, in one commit: reading a range again
        (a backfill) replaces it, whatever the provider has corrected since."""
        schema = dict(table(table_name).schema)
        if quarantine:
            schema[REASON] = pl.String()
        frame = frame.select(list(schema)).cast(schema)  # type: ignore[arg-type]
        if (frame["provider"] != provider).any():
            raise ValueError(f"{table_name}: rows of another provider in a write for {provider!r}")
        predicate = (
            f"{source_predicate(provider, column='provider')} AND day >= "
            f"{literal(first.isoformat())} AND day <= {literal(last.isoformat())}"
        )
        uri = self.uri(table_name, quarantine=quarantine)
        version = self.replace(uri, table(table_name).partition_by, frame, predicate)
        return WriteResult(table_name, provider, frame.height, version)

    def replace(
        self, uri: str, partition_by: tuple[str, ...], frame: pl.DataFrame, predicate: str
    ) -> int:
        """Replace the rows matching `predicate` with `frame`, in one commit."""
        return self._commit(uri, partition_by, frame, predicate, properties())

    def append(
        self,
        uri: str,
        partition_by: tuple[str, ...],
        frame: pl.DataFrame,
        *,
        commit: CommitProperties | None = None,
    ) -> int:
        return self._commit(uri, partition_by, frame, None, commit or properties())

    def _commit(
        self,
        uri: str,
        partition_by: tuple[str, ...],
        frame: pl.DataFrame,
        predicate: str | None,
        commit: CommitProperties,
    ) -> int:
        """`frame` appended, or replacing the rows matching `predicate`; creates the table
        if there is none; returns the version committed."""

        def write() -> int:
            delta = self.open(uri)
            replacing = delta is not None and predicate is not None
            write_deltalake(
                delta if delta is not None else uri,
                streamed(frame),
                mode="overwrite" if replacing else "append",
                predicate=predicate if replacing else None,
                partition_by=list(partition_by),
                schema_mode="merge",
                configuration=STATISTICS if delta is None else None,
                writer_properties=WRITER,
                commit_properties=commit,
            )
            return _committed(delta, uri)

        return retrying(write, f"writing {predicate or 'rows'} to {uri}")

    # -- reading -----------------------------------------------------------------------
    def scan(
        self, table_name: str, source: str | None = None, *, as_of: AsOf = None
    ) -> pl.LazyFrame:
        """A table (one source, or all) as of now or `as_of`, in the contract's columns."""
        return self._scan(self.uri(table_name), dict(table(table_name).schema), source, as_of)

    def read(
        self,
        table_name: str,
        source: str | None = None,
        *,
        run_id: str | None = None,
        columns: list[str] | None = None,
        as_of: AsOf = None,
    ) -> pl.DataFrame:
        """Every row of a table (one source, or all; one key, one row). `run_id`: only
        the rows that run last wrote; `columns`: only these; `as_of`: the table as it was
        at a version or instant ("what did we know at 09:00?"). Filters and columns apply
        as the files are scanned."""
        scan = self.scan(table_name, source, as_of=as_of)
        if run_id is not None:
            scan = scan.filter(pl.col("run_id") == run_id)
        return scan.select(columns or table(table_name).columns).collect()

    def read_run(
        self,
        table_name: str,
        source: str,
        run_id: str,
        *,
        version: int | None = None,
        batch_rows: int = 100_000,
    ) -> Iterator[pl.DataFrame]:
        """The rows of a source that a run last wrote (as of `version`), in batches of at
        most `batch_rows`: a run of millions of orders is checked without holding it."""
        rows = self.scan(table_name, source, as_of=version).filter(pl.col("run_id") == run_id)
        for batch in rows.collect_batches(chunk_size=batch_rows, engine="streaming"):
            if batch.height:
                yield batch

    def read_day(
        self, table_name: str, source: str, day: date, *, as_of: AsOf = None
    ) -> pl.DataFrame:
        """One source's partition of a daily table."""
        return (
            self.scan(table_name, source, as_of=as_of).filter(pl.col(DAY_COLUMN) == day).collect()
        )

    def history_days(self, table_name: str, source: str) -> list[date]:
        """The days a source's current table was observed, oldest first."""
        return self.days(table_name, source, history=True)

    def days(self, table_name: str, source: str, *, history: bool = False) -> list[date]:
        """The days a source holds a partition of a daily table (of a current table's
        history, with `history`), oldest first."""
        delta = self.open(self.uri(table_name, history=history))
        if delta is None:
            return []
        return sorted(
            date.fromisoformat(str(p[DAY_COLUMN]))
            for p in delta.partitions()
            if p["source"] == source
        )

    def read_history_day(
        self, table_name: str, source: str, day: date, *, as_of: AsOf = None
    ) -> pl.DataFrame:
        """A current table as observed on `day`; the current state if that day was not."""
        if day not in self.history_days(table_name, source):
            return self.read(table_name, source, as_of=as_of)
        schema = {**dict(table(table_name).schema), DAY_COLUMN: pl.Date()}
        scan = self._scan(self.uri(table_name, history=True), schema, source, as_of)
        columns = table(table_name).columns
        return scan.filter(pl.col(DAY_COLUMN) == day).select(columns).collect()

    def read_quarantine(self, table_name: str, source: str | None = None) -> pl.DataFrame:
        schema = {**dict(table(table_name).schema), REASON: pl.String()}
        return self._scan(self.uri(table_name, quarantine=True), schema, source, None).collect()

    def _scan(
        self, uri: str, schema: dict[str, pl.DataType], source: str | None, as_of: AsOf
    ) -> pl.LazyFrame:
        delta = self.open(uri, as_of)
        if delta is None:
            return pl.LazyFrame(schema=schema)
        scan = pl.scan_delta(delta)
        if source is not None:
            scan = scan.filter(pl.col("source") == source)
        return _in_contract(scan, schema)

    # -- how far a change feed has been read -------------------------------------------
    def read_mark(self, table_name: str, source: str) -> datetime | None:
        """The instant up to which every change of a source's table has landed, as the
        last run to land them committed it with its rows (None: no run has)."""
        delta = self.open(self.uri(table_name))
        micros = (
            None if delta is None else delta.transaction_version(mark_app_id(table_name, source))
        )
        if not micros:
            return None
        return datetime.fromtimestamp(micros / 1_000_000, UTC)


def _instant(as_of: int | datetime) -> int | datetime:
    if isinstance(as_of, datetime) and as_of.tzinfo is None:
        raise ValueError(f"as_of {as_of.isoformat()}: give the instant's time zone (UTC)")
    return as_of


def _committed(delta: DeltaTable | None, uri: str) -> int:
    """The version a write through `delta` (or to a new table at `uri`) committed."""
    return delta.version() if delta is not None else DeltaTable(uri).version()


def _in_contract(scan: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """The contract's columns in its order and types; a column the contract gained after
    the table was written reads as null."""
    present = set(scan.collect_schema().names())
    return scan.select(
        [
            pl.col(name).cast(dtype) if name in present else pl.lit(None, dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


def _day_of(table_name: str, frame: pl.DataFrame, as_of_date: date | None) -> date:
    """The one day a daily write replaces."""
    days = frame[DAY_COLUMN].unique().to_list()
    if as_of_date is None:
        if len(days) != 1:
            raise ValueError(f"{table_name}: a daily write holds one day, not {days}")
        return days[0]
    if any(day != as_of_date for day in days):
        raise ValueError(f"{table_name}: rows dated {days} in a write for {as_of_date}")
    return as_of_date


def conform(
    table_name: str, source: str, frame: pl.DataFrame, *, quarantine: bool = False
) -> pl.DataFrame:
    """The frame in the contract's column order and types, all of one source."""
    schema = dict(table(table_name).schema)
    if quarantine:
        schema[REASON] = pl.String()
    if set(frame.columns) != set(schema):
        missing = sorted(set(schema) - set(frame.columns))
        extra = sorted(set(frame.columns) - set(schema))
        raise ValueError(
            f"{table_name}: columns differ from the contract: missing {missing}, extra {extra}"
        )
    if (frame["source"] != source).any():
        raise ValueError(f"{table_name}: rows of another source in a write for {source!r}")
    return frame.select(list(schema)).cast(schema)  # type: ignore[arg-type]
