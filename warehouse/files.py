"""Atomic Parquet files: written under a temporary name that no `*.parquet` glob matches,
fsynced, then renamed into place, so a crash never leaves a half file for a reader."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import polars as pl

TEMP_SUFFIX = ".tmp"


def temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")


def write_atomic(frame: pl.DataFrame, target: Path) -> Path:
    return replace_atomic(
        target, lambda temp: frame.write_parquet(temp, compression="zstd", statistics=True)
    )


def replace_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Put at `target` the file `write` makes at the temporary path it is given."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_name(target)
    try:
        write(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    return target


def remove_orphans(directory: Path) -> None:
    """Temporary files left by a writer that died; only this partition's writer calls it."""
    if directory.is_dir():
        for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
