"""The Parquet lake: `lake/<table>/source=<name>/[as_of_date=YYYY-MM-DD/]*.parquet`.

- current tables (users, connections, accounts): one `data.parquet` per source, replaced;
- daily tables (balances, positions): one `data.parquet` per (source, day), replaced;
- append tables (orders): `part-<run>-<seq>.parquet` per write, de-duplicated on read and
  compacted into one file while small, or once a source has more than `MAX_PARTS` files.
Quarantine mirrors the same layout under `lake/_quarantine/`. Current tables also keep
each day's observation under `lake/_history/<table>/source=<name>/as_of_date=<day>/`
(replaced on re-run), from which the catalog derives when each row changed. `lake/_marks/`
holds, per append table and source, how far a change feed has been read (a JSON file).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from schemas import table
from schemas.tables import Storage
from schemas.validate import REASON
from warehouse.compaction import write_latest
from warehouse.files import remove_orphans, replace_atomic, write_atomic

QUARANTINE = "_quarantine"
HISTORY = "_history"
MARKS = "_marks"
# The day column: daily tables' partitions, and the column an observation adds to a
# current table's rows in its history.
DAY_COLUMN = "as_of_date"
DATA_FILE = "data.parquet"
COMPACTED_PREFIX = "compacted-"
# When a run compacts an append table's parts: past this many per source (reads collapse
# duplicates anyway, so compaction bounds the file count), or while the source's rows are
# fewer than SMALL_ROWS (rewriting them costs about a second at most).
MAX_PARTS = 64
SMALL_ROWS = 100_000


@dataclass(frozen=True)
class WriteResult:
    table: str
    source: str
    rows: int
    files: list[Path]
    partition: str


class Lake:
    def __init__(self, home: Path | str) -> None:
        self.root = Path(home) / "lake"

    # -- paths -------------------------------------------------------------------------
    def source_dir(self, table_name: str, source: str, *, quarantine: bool = False) -> Path:
        base = self.root / QUARANTINE if quarantine else self.root
        return base / table_name / f"source={source}"

    def files(self, table_name: str | None = None, *, quarantine: bool = False) -> list[Path]:
        base = self.root / QUARANTINE if quarantine else self.root
        pattern = f"{table_name}/**/*.parquet" if table_name else "**/*.parquet"
        return sorted(
            path
            for path in base.glob(pattern)
            if quarantine or not {QUARANTINE, HISTORY} & set(path.relative_to(self.root).parts)
        )

    def history_dir(self, table_name: str, source: str) -> Path:
        return self.root / HISTORY / table_name / f"source={source}"

    # -- writing -----------------------------------------------------------------------
    def write(
        self,
        table_name: str,
        source: str,
        frame: pl.DataFrame,
        *,
        run_id: str,
        seq: int = 0,
        as_of_date: date | None = None,
    ) -> list[WriteResult]:
        """Write one step's rows of one source; replaces or appends per the table's storage."""
        return self._write(table_name, source, frame, run_id, seq, as_of_date, quarantine=False)

    def write_quarantine(
        self,
        table_name: str,
        source: str,
        frame: pl.DataFrame,
        *,
        run_id: str,
        seq: int = 0,
        as_of_date: date | None = None,
    ) -> list[WriteResult]:
        return self._write(table_name, source, frame, run_id, seq, as_of_date, quarantine=True)

    def _write(
        self,
        table_name: str,
        source: str,
        frame: pl.DataFrame,
        run_id: str,
        seq: int,
        as_of_date: date | None,
        *,
        quarantine: bool,
    ) -> list[WriteResult]:
        spec = table(table_name)
        frame = _conform(table_name, source, frame, quarantine=quarantine)
        directory = self.source_dir(table_name, source, quarantine=quarantine)
        if spec.storage is Storage.APPEND:
            if frame.is_empty():
                return []
            target = directory / f"part-{_safe(run_id)}-{seq:05d}.parquet"
            return [self._put(table_name, source, frame, target)]
        if spec.storage is Storage.CURRENT:
            return [self._put(table_name, source, frame, directory / DATA_FILE)]
        dates = frame[DAY_COLUMN].unique().to_list()
        if as_of_date is not None and any(day != as_of_date for day in dates):
            raise ValueError(f"{table_name}: rows dated {dates} in a write for {as_of_date}")
        days = dates or ([as_of_date] if as_of_date else [])
        if not days:
            raise ValueError(f"{table_name}: an empty daily write needs its as_of_date")
        return [
            self._put(
                table_name,
                source,
                frame.filter(pl.col(DAY_COLUMN) == day),
                _day_file(directory, day),
            )
            for day in days
        ]

    def write_history(
        self, table_name: str, source: str, frame: pl.DataFrame, *, day: date
    ) -> WriteResult:
        """One day's observation of a current table (valid rows), replacing that day's."""
        if table(table_name).storage is not Storage.CURRENT:
            raise ValueError(f"{table_name}: only current tables keep a history")
        frame = _conform(table_name, source, frame, quarantine=False)
        observed = frame.with_columns(pl.lit(day).alias(DAY_COLUMN))
        target = _day_file(self.history_dir(table_name, source), day)
        return self._put(table_name, source, observed, target)

    def history_days(self, table_name: str, source: str) -> list[date]:
        """The days a source's current table was observed, oldest first."""
        directory = self.history_dir(table_name, source)
        prefix = f"{DAY_COLUMN}="
        return sorted(
            date.fromisoformat(part.parent.name.removeprefix(prefix))
            for part in directory.glob(f"{prefix}*/{DATA_FILE}")
        )

    def read_history_day(self, table_name: str, source: str, day: date) -> pl.DataFrame:
        """A current table as observed on `day`; the current state if that day was not."""
        target = _day_file(self.history_dir(table_name, source), day)
        if not target.exists():
            return self.read(table_name, source)
        return pl.read_parquet(target).select(table(table_name).columns)

    def _put(self, table_name: str, source: str, frame: pl.DataFrame, target: Path) -> WriteResult:
        remove_orphans(target.parent)
        write_atomic(frame, target)
        partition = str(target.parent.relative_to(self.root))
        return WriteResult(table_name, source, frame.height, [target], partition)

    def compact(
        self, table_name: str, source: str, *, max_parts: int = 0, small_rows: int = 0
    ) -> bool:
        """Rewrite a source's appended parts as one file of the latest rows per key, when
        it has more than `max_parts` of them or fewer than `small_rows` rows in all (runs
        pass `MAX_PARTS` and `SMALL_ROWS`: a small table stays one file, a large one is
        not rewritten whole for each run's few new rows; the defaults always compact).

        The parts are streamed, never read whole (see `warehouse.compaction`). The new
        file lands before the old parts go, so a crash in between leaves only rows the
        de-duplicating read already collapses."""
        directory = self.source_dir(table_name, source)
        parts = sorted(directory.glob("*.parquet"))
        if len(parts) <= 1:
            return False
        if len(parts) <= max_parts and _rows_in(parts) >= small_rows:
            return False
        stamp = max(part.stem for part in parts).removeprefix(COMPACTED_PREFIX)
        target = directory / f"{COMPACTED_PREFIX}{stamp}.parquet"
        replace_atomic(target, lambda temp: write_latest(table_name, parts, temp))
        for part in parts:
            if part != target:
                part.unlink(missing_ok=True)
        return True

    # -- how far a change feed has been read -------------------------------------------
    def mark_path(self, table_name: str, source: str) -> Path:
        return self.root / MARKS / table_name / f"source={source}.json"

    def read_mark(self, table_name: str, source: str) -> datetime | None:
        """The instant up to which every change of a source's table has landed, as the
        last successful run left it (None: no run has)."""
        path = self.mark_path(table_name, source)
        if not path.exists():
            return None
        return datetime.fromisoformat(json.loads(path.read_text())["complete_until"])

    def write_mark(self, table_name: str, source: str, until: datetime, run_id: str) -> None:
        """Record, after a run has written all its parts, that changes up to `until` landed."""
        document = json.dumps({"complete_until": until.isoformat(), "run_id": run_id})
        replace_atomic(self.mark_path(table_name, source), lambda temp: temp.write_text(document))

    # -- reading -----------------------------------------------------------------------
    def read(
        self,
        table_name: str,
        source: str | None = None,
        *,
        run_id: str | None = None,
        columns: list[str] | None = None,
    ) -> pl.DataFrame:
        """Every row of a table (one source, or all), de-duplicated for append tables.
        `run_id`: only the rows that run wrote; `columns`: only these. Both apply as the
        files are scanned, so a large table is never read whole for a few columns."""
        spec = table(table_name)
        wanted = columns or spec.columns
        files = self._files_of(table_name, source, quarantine=False)
        if not files:
            return pl.DataFrame(schema={c: spec.schema[c] for c in wanted})
        needed = [*dict.fromkeys([*wanted, *spec.key, *spec.latest_by])]
        scan = pl.scan_parquet(files).select(needed)
        if run_id is not None:
            scan = scan.filter(pl.col("run_id") == run_id)
        frame = scan.collect()
        if spec.storage is Storage.APPEND:
            frame = _latest(table_name, frame)
        return frame.select(wanted)

    def scan_written(self, table_name: str, source: str) -> pl.LazyFrame:
        """Every row written for a source, not de-duplicated: for questions any version
        of a row answers (which accounts have orders), without the de-duplicating sort."""
        files = self._files_of(table_name, source, quarantine=False)
        if not files:
            return pl.LazyFrame(schema=table(table_name).schema)
        return pl.scan_parquet(files)

    def read_run(
        self, table_name: str, source: str, run_id: str, *, batch_rows: int = 100_000
    ) -> Iterator[pl.DataFrame]:
        """The rows one run appended, as they were written (not de-duplicated), in
        batches of at most `batch_rows`: a run of millions of orders is checked without
        holding it whole, even once compacted into one file with other runs' rows."""
        spec = table(table_name)
        for path in self._files_of(table_name, source, quarantine=False):
            for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                rows = frame.filter(pl.col("run_id") == run_id)
                if rows.height:
                    yield rows.select(spec.columns).cast(dict(spec.schema))  # type: ignore[arg-type]

    def read_day(self, table_name: str, source: str, day: date) -> pl.DataFrame:
        """One source's partition of a daily table."""
        spec = table(table_name)
        target = _day_file(self.source_dir(table_name, source), day)
        if not target.exists():
            return pl.DataFrame(schema=spec.schema)
        return pl.read_parquet(target).select(spec.columns)

    def read_quarantine(self, table_name: str, source: str | None = None) -> pl.DataFrame:
        files = self._files_of(table_name, source, quarantine=True)
        if not files:
            return pl.DataFrame(schema={**table(table_name).schema, REASON: pl.String})
        return pl.read_parquet(files)

    def _files_of(self, table_name: str, source: str | None, *, quarantine: bool) -> list[Path]:
        if source is None:
            return self.files(table_name, quarantine=quarantine)
        return sorted(
            self.source_dir(table_name, source, quarantine=quarantine).glob("**/*.parquet")
        )


def _latest(table_name: str, frame: pl.DataFrame) -> pl.DataFrame:
    spec = table(table_name)
    return (
        frame.sort(list(spec.latest_by), descending=True, nulls_last=True)
        .unique(subset=list(spec.key), keep="first", maintain_order=True)
        .sort(list(spec.key))
    )


def _rows_in(parts: list[Path]) -> int:
    """Rows in Parquet files, from their footers (no data read)."""
    return sum(pq.ParquetFile(part).metadata.num_rows for part in parts)


def _day_file(directory: Path, day: date) -> Path:
    """A day's file under a source's directory (daily tables, and current tables' history)."""
    return directory / f"{DAY_COLUMN}={day.isoformat()}" / DATA_FILE


def _conform(
    table_name: str, source: str, frame: pl.DataFrame, *, quarantine: bool
) -> pl.DataFrame:
    """The frame in the contract's column order and types, all of one source."""
    schema = dict(table(table_name).schema)
    if quarantine:
        schema[REASON] = pl.String
    if set(frame.columns) != set(schema):
        missing = sorted(set(schema) - set(frame.columns))
        extra = sorted(set(frame.columns) - set(schema))
        raise ValueError(
            f"{table_name}: columns differ from the contract: missing {missing}, extra {extra}"
        )
    if (frame["source"] != source).any():
        raise ValueError(f"{table_name}: rows of another source in a write for {source!r}")
    return frame.select(list(schema)).cast(schema)  # type: ignore[arg-type]


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)
