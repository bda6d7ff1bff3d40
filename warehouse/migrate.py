"""`brokerlake lake migrate`: a lake in the earlier Parquet layout (see
`warehouse.layout`) rewritten as Delta tables. The new lake is built beside the old one
(`<home>/.migrating/lake`), checked to hold every row (one per key for orders, each
source's mark), and only then put in its place; the old files go last."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection
from datetime import date, datetime
from pathlib import Path

import polars as pl

from schemas import TABLES, table
from schemas.tables import DAY_COLUMN, Storage
from schemas.validate import REASON
from warehouse.keyed import KeyedWriter, latest_per_key
from warehouse.lake import HISTORY, QUARANTINE, Lake
from warehouse.layout import EARLIER_MARKS, earlier_tables

STAGING = ".migrating"
MIGRATION_RUN = "migration"


def needs_migration(home: Path) -> bool:
    lake = home / "lake"
    return (lake / EARLIER_MARKS).is_dir() or bool(earlier_tables(lake))


def migrate(home: Path, log: Callable[[str], None] = print) -> dict[str, int]:
    """Convert `home`'s lake; returns the rows of each new table (by its path under
    `lake/`). A lake already in Delta tables is left as it is."""
    old = home / "lake"
    if not needs_migration(home):
        log(f"{old}: already Delta tables, nothing to migrate")
        return {}
    staging = home / STAGING
    shutil.rmtree(staging, ignore_errors=True)  # an interrupted migration's leftovers
    new = Lake(staging)
    expected: dict[str, int] = {}
    for name, spec in TABLES.items():
        for quarantine in (False, True):
            folder = old / (QUARANTINE if quarantine else "") / name
            label = f"{QUARANTINE}/{name}" if quarantine else name
            expected[label] = _convert(new, name, folder, quarantine, _marks(old, name))
            log(f"  {label}: {expected[label]} rows")
        if spec.storage is Storage.CURRENT:
            label = f"{HISTORY}/{name}"
            expected[label] = _convert_history(new, name, old / HISTORY / name)
            log(f"  {label}: {expected[label]} rows")
    # the reference tables (exchange rates) came after that layout: nothing to carry over
    landed = {label: rows for label, rows in _rows(new).items() if label in expected}
    if landed != expected:
        raise RuntimeError(
            f"the new tables under {staging} do not hold every row ({landed} against "
            f"{expected}); the old lake is untouched"
        )
    for name in TABLES:
        for source, mark in _marks(old, name).items():
            if new.read_mark(name, source) != mark:
                raise RuntimeError(f"{name} of {source}: the mark did not carry over")
    earlier = home / "lake.earlier"
    old.rename(earlier)
    (staging / "lake").rename(old)
    shutil.rmtree(earlier)
    shutil.rmtree(staging)
    log(f"{old}: migrated to Delta tables")
    return landed


def _rows(lake: Lake) -> dict[str, int]:
    counts = {}
    for label, uri in lake.uris().items():
        delta = lake.open(uri)
        counts[label] = 0 if delta is None else delta.count()
    return counts


Part = tuple[str, date | None, pl.DataFrame]


def _required_enums(name: str) -> set[str]:
    """The canonical enum columns of a table that no row may leave empty."""
    columns = table(name).model.to_schema().columns.items()
    return {
        column
        for column, spec in columns
        if not spec.nullable and any(check.name == "isin" for check in spec.checks)
    }


def _gained(column: str, dtype: pl.DataType, required: Collection[str]) -> pl.Expr:
    """A column the contract gained since a file was written: null, or `other` for a
    canonical enum no row may leave empty (the file never said which value held)."""
    return pl.lit("other" if column in required else None, dtype).alias(column)


def _frames(
    folder: Path, schema: dict[str, pl.DataType], required: Collection[str] = ()
) -> list[Part]:
    """(source, day, rows) of each old Parquet file, in the contract's columns (a column
    the contract gained since reads as null, or `other` for the enums in `required`)."""
    frames = []
    for path in sorted(folder.glob("source=*/**/*.parquet")):
        parts = path.relative_to(folder).parts
        source = parts[0].removeprefix("source=")
        day_part = parts[1] if len(parts) > 2 else ""
        day = (
            date.fromisoformat(day_part.removeprefix(f"{DAY_COLUMN}="))
            if day_part.startswith(f"{DAY_COLUMN}=")
            else None
        )
        frame = pl.read_parquet(path)
        frame = frame.select(
            [
                pl.col(c).cast(t) if c in frame.columns else _gained(c, t, required)
                for c, t in schema.items()
            ]
        )
        frames.append((source, day, frame))
    return frames


def _convert(
    new: Lake, name: str, folder: Path, quarantine: bool, marks: dict[str, datetime]
) -> int:
    spec = table(name)
    schema = {**dict(spec.schema), **({REASON: pl.String()} if quarantine else {})}
    frames = _frames(folder, schema, _required_enums(name)) if folder.is_dir() else []
    if spec.storage is not Storage.KEYED:
        for source, day, frame in frames:
            write = new.write_quarantine if quarantine else new.write
            write(name, source, frame, run_id=MIGRATION_RUN, as_of_date=day)
        return sum(frame.height for _, _, frame in frames)
    if quarantine:
        for source, _, frame in frames:
            new.write_quarantine(name, source, frame, run_id=MIGRATION_RUN)
        return sum(frame.height for _, _, frame in frames)
    rows = 0
    for source in sorted({s for s, _, _ in frames} | set(marks)):
        parts = [frame for s, _, frame in frames if s == source]
        writer = KeyedWriter(new, name, source, MIGRATION_RUN)
        for frame in parts:
            writer.write(frame)
        writer.write(pl.DataFrame(schema=schema), mark=marks.get(source))
        if parts:
            rows += latest_per_key(pl.concat(parts), spec.key, spec.latest_by).height
    return rows


def _convert_history(new: Lake, name: str, folder: Path) -> int:
    if not folder.is_dir():
        return 0
    schema = {**dict(table(name).schema), DAY_COLUMN: pl.Date()}
    rows = 0
    for source, day, frame in _frames(folder, schema, _required_enums(name)):
        assert day is not None, f"{folder}: an observation outside a day's folder"
        new.write_history(name, source, frame.drop(DAY_COLUMN), day=day)
        rows += frame.height
    return rows


def _marks(old: Path, name: str) -> dict[str, datetime]:
    folder = old / EARLIER_MARKS / name
    return {
        path.stem.removeprefix("source="): datetime.fromisoformat(
            json.loads(path.read_text())["complete_until"]
        )
        for path in sorted(folder.glob("source=*.json"))
    }
