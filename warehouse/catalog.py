"""The DuckDB catalog: `warehouse.duckdb` holds views over the lake, so analysts query
plain SQL (read-only) while the pipeline writes. The database is opened only for the
moment a refresh takes."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import polars as pl

from schemas import TABLES, table
from schemas.tables import Storage
from schemas.validate import REASON
from warehouse.lake import DAY_COLUMN, HISTORY, QUARANTINE

DATABASE = "warehouse.duckdb"
LOCK_RETRIES = 50
LOCK_WAIT_SECONDS = 0.2


def duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMPTZ" if dtype.time_zone else "TIMESTAMP"
    return {pl.String: "VARCHAR", pl.Date: "DATE", pl.Boolean: "BOOLEAN"}[dtype.base_type()]


def _typed_select(schema: dict[str, pl.DataType], relation: str | None) -> str:
    if relation is None:
        columns = ", ".join(f"CAST(NULL AS {duckdb_type(t)}) AS {c}" for c, t in schema.items())
        return f"SELECT {columns} WHERE false"
    columns = ", ".join(f"CAST({c} AS {duckdb_type(t)}) AS {c}" for c, t in schema.items())
    return f"SELECT {columns} FROM {relation}"


def _parquet(directory: Path) -> str | None:
    if not any(directory.glob("**/*.parquet")):
        return None
    pattern = str(directory / "**" / "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}', union_by_name = true, hive_partitioning = false)"


ANALYTICS = {
    "balances_latest": """
        SELECT * FROM balances
        QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY source, account_id)""",
    "positions_latest": """
        SELECT * FROM positions
        QUALIFY as_of_date = max(as_of_date) OVER (PARTITION BY source, account_id)""",
    "holdings": """
        SELECT symbol, instrument_type, currency,
               sum(CASE WHEN side = 'short' THEN -quantity ELSE quantity END) AS quantity,
               sum(market_value) AS market_value,
               count(DISTINCT source || '/' || account_id) AS accounts,
               count(DISTINCT source) AS sources
        FROM positions_latest
        GROUP BY symbol, instrument_type, currency""",
}


LINEAGE = ("fetched_at", "run_id")  # stamped per fetch: not part of a row's state
VERSION_COLUMNS = {"valid_from": pl.Date(), "valid_to": pl.Date(), "is_current": pl.Boolean()}


def history_sql(name: str, relation: str | None) -> str:
    """The versions of a current table's rows: one row per key and state, valid from the
    first day it was observed so to `valid_to`, the first observed day it no longer held
    (changed, or gone); NULL while it still holds. Built from the daily observations."""
    spec = table(name)
    schema = {**dict(spec.schema), DAY_COLUMN: pl.Date()}
    if relation is None:
        return _typed_select({**dict(spec.schema), **VERSION_COLUMNS}, None)
    key = ", ".join(spec.key)
    state = " || '|' || ".join(
        f"coalesce(CAST({column} AS VARCHAR), '<null>')"
        for column in spec.columns
        if column not in LINEAGE
    )
    columns = ", ".join(spec.columns)
    return f"""
        WITH observed AS (
            SELECT *, md5({state}) AS state FROM ({_typed_select(schema, relation)})
        ),
        source_days AS (
            SELECT source, {DAY_COLUMN},
                   lag({DAY_COLUMN}) OVER (PARTITION BY source ORDER BY {DAY_COLUMN}) AS prev_day,
                   lead({DAY_COLUMN}) OVER (PARTITION BY source ORDER BY {DAY_COLUMN}) AS next_day
            FROM (SELECT DISTINCT source, {DAY_COLUMN} FROM observed)
        ),
        marked AS (
            SELECT o.*, d.prev_day, d.next_day,
                   CASE WHEN lag(o.state) OVER w = o.state
                         AND lag(o.{DAY_COLUMN}) OVER w = d.prev_day THEN 0 ELSE 1 END AS starts
            FROM observed o JOIN source_days d USING (source, {DAY_COLUMN})
            WINDOW w AS (PARTITION BY {key} ORDER BY o.{DAY_COLUMN})
        ),
        versioned AS (
            SELECT *, sum(starts) OVER (PARTITION BY {key} ORDER BY {DAY_COLUMN}) AS version
            FROM marked
        )
        SELECT {columns},
               {DAY_COLUMN} AS valid_from,
               last_value(next_day) OVER v AS valid_to,
               last_value(next_day) OVER v IS NULL AS is_current
        FROM versioned
        WINDOW v AS (PARTITION BY {key}, version ORDER BY {DAY_COLUMN}
                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        QUALIFY row_number() OVER (PARTITION BY {key}, version ORDER BY {DAY_COLUMN}) = 1"""


class Catalog:
    def __init__(self, home: Path | str) -> None:
        self.home = Path(home)
        self.path = self.home / DATABASE
        self.lake_root = self.home / "lake"

    def view_sql(self) -> dict[str, str]:
        """Every view's SELECT, in creation order."""
        views: dict[str, str] = {}
        for name, spec in TABLES.items():
            schema = dict(spec.schema)
            select = _typed_select(schema, _parquet(self.lake_root / name))
            if spec.storage is Storage.APPEND and "FROM" in select:
                order = ", ".join(f"{column} DESC NULLS LAST" for column in spec.latest_by)
                select += (
                    f" QUALIFY row_number() OVER (PARTITION BY {', '.join(spec.key)} "
                    f"ORDER BY {order}) = 1"
                )
            views[name] = select
        views.update(ANALYTICS)
        for name, spec in TABLES.items():
            if spec.storage is Storage.CURRENT:
                views[f"{name}_history"] = history_sql(
                    name, _parquet(self.lake_root / HISTORY / name)
                )
        for name in TABLES:
            schema = {**dict(table(name).schema), REASON: pl.String()}
            views[f"quarantine_{name}"] = _typed_select(
                schema, _parquet(self.lake_root / QUARANTINE / name)
            )
        return views

    def refresh(self) -> None:
        """(Re)create every view; waits briefly if another process holds the file."""
        self.home.mkdir(parents=True, exist_ok=True)
        statements = [f"CREATE OR REPLACE VIEW {n} AS {sql}" for n, sql in self.view_sql().items()]
        for attempt in range(LOCK_RETRIES):
            try:
                with duckdb.connect(str(self.path)) as con:
                    con.execute("SET TimeZone = 'UTC'")
                    for statement in statements:
                        con.execute(statement)
                return
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or attempt == LOCK_RETRIES - 1:
                    raise RuntimeError(
                        f"cannot update the catalog {self.path}: {exc}. Close other programs "
                        "that hold it open for writing (read-only connections are fine)."
                    ) from None
                time.sleep(LOCK_WAIT_SECONDS)
