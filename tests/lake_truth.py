"""What any Delta reader sees against what the catalog shows: for every table, the rows
read with deltalake (no brokerlake code) equal the rows of the catalog's view, with no
duplicate key."""

from __future__ import annotations

import duckdb
import polars as pl
from deltalake import DeltaTable

from schemas import TABLES
from tests.oracle import plain
from warehouse import Lake


def delta_rows(uri: str, columns: list[str]) -> list[tuple]:
    if not DeltaTable.is_deltatable(uri):
        return []
    frame = pl.from_arrow(DeltaTable(uri).to_pyarrow_table())
    assert isinstance(frame, pl.DataFrame)
    present = [c for c in columns if c in frame.columns]
    return sorted(
        (tuple(plain(row.get(c)) for c in columns) for row in frame.select(present).to_dicts()),
        key=str,
    )


def view_rows(con: duckdb.DuckDBPyConnection, view: str, columns: list[str]) -> list[tuple]:
    result = con.execute(f"SELECT {', '.join(columns)} FROM {view}").fetchall()
    return sorted((tuple(plain(v) for v in row) for row in result), key=str)


def assert_delta_equals_catalog(lake: Lake, con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every table and quarantine, read straight from Delta, equals its view; the tables
    hold one row per key. Returns the rows per table."""
    rows = {}
    for name, spec in TABLES.items():
        for view, uri in ((name, lake.uri(name)), (f"quarantine_{name}", None)):
            uri = uri or lake.uri(name, quarantine=True)
            columns = spec.columns + (["quarantine_reason"] if view != name else [])
            direct = delta_rows(uri, columns)
            assert direct == view_rows(con, view, columns), view
            rows[view] = len(direct)
        keys = [spec.columns.index(c) for c in spec.key]
        direct = delta_rows(lake.uri(name), spec.columns)
        assert len({tuple(row[i] for i in keys) for row in direct}) == len(direct), name
    return rows
