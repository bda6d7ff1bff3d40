"""Recognising a lake written by an earlier brokerlake: plain Parquet files per
partition (`lake/<table>/source=<name>/.../*.parquet`, orders appended in parts and
de-duplicated on read) with change-feed marks in JSON files (`lake/_marks/`). Such a
lake is refused with what to do: `brokerlake lake migrate` converts it."""

from __future__ import annotations

from pathlib import Path

from schemas import TABLES

EARLIER_FOLDERS = ("", "_quarantine", "_history")
EARLIER_MARKS = "_marks"


class EarlierLayout(RuntimeError):
    """The lake is in the earlier Parquet layout: nothing can be written to it as it is."""


DELTA_FILE_MARK = "-c000."  # in the name of every data file delta-rs writes


def earlier_tables(root: Path) -> list[Path]:
    """The folders of `root` in the earlier layout: tables without a Delta log holding
    Parquet files the earlier brokerlake named (`data.parquet`, `part-<run>-<seq>`,
    `compacted-*`; not the data files of a Delta table another process is creating)."""
    found = []
    for base in EARLIER_FOLDERS:
        for name in TABLES:
            folder = root / base / name
            if folder.is_dir() and not (folder / "_delta_log").is_dir():
                files = folder.glob("source=*/**/*.parquet")
                if any(DELTA_FILE_MARK not in path.name for path in files):
                    found.append(folder)
    return found


def check_layout(root: str) -> None:
    lake = Path(root)
    if not lake.is_dir():
        return
    if (lake / EARLIER_MARKS).is_dir() or earlier_tables(lake):
        raise EarlierLayout(
            f"{lake} is a lake in the earlier Parquet layout, which this brokerlake does not "
            f"write. Convert it with `brokerlake lake migrate --home {lake.parent}` (the old "
            "files are removed only once the new tables hold every row), or move it away "
            "and run again to rebuild it from the sources."
        )
