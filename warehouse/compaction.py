"""Compacting an append table's parts into one file of the latest row per key, out of
core: DuckDB ranks and sorts under a memory limit and spills to disk past it, so a
source's millions of orders never sit in the pipeline's memory at once."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from schemas import table

MEMORY_LIMIT = "512MB"  # DuckDB's working memory for one compaction; the rest spills
THREADS = 2


def write_latest(table_name: str, parts: Sequence[Path], target: Path) -> None:
    """Write to `target` the latest row per key of `parts` (by the table's `latest_by`,
    then the later part), sorted by key, in the contract's column order."""
    spec = table(table_name)
    columns = ", ".join(_quoted(c) for c in spec.columns)
    key = ", ".join(_quoted(c) for c in spec.key)
    newest_first = ", ".join(
        [*(f"{_quoted(c)} DESC NULLS LAST" for c in spec.latest_by), "filename DESC"]
    )
    query = f"""
        COPY (
            SELECT {columns}
            FROM read_parquet($parts, filename = true, hive_partitioning = false)
            QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {newest_first}) = 1
            ORDER BY {key}
        ) TO {_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"""
    with tempfile.TemporaryDirectory(prefix="brokerlake-compact-") as spill:
        config = {
            "memory_limit": MEMORY_LIMIT,
            "threads": THREADS,
            "temp_directory": spill,
            "preserve_insertion_order": False,
        }
        with duckdb.connect(config=config) as con:
            con.execute(query, {"parts": [str(part) for part in parts]})


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
