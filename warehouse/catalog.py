"""The DuckDB catalog: `warehouse.duckdb` holds views over each Delta table's current
files (and the analytics built on them), so analysts query plain SQL.

It is never changed in place: each refresh writes a new database file beside it and
renames it over `warehouse.duckdb` (or, for a home on object storage, uploads it in one
request), so a connection open on it, read-only, in any process, never blocks a run nor
fails: it keeps the catalog it opened, and sees the new data when it reconnects. Old
versions' files stay until maintenance removes them (after the retention period), so an
open catalog stays readable that long.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from schemas import REFERENCE_TABLES, TABLES, table
from schemas.tables import DAY_COLUMN, Storage
from schemas.validate import REASON
from warehouse.lake import AsOf, Lake
from warehouse.location import ObjectStore, get_file, is_remote, join, put_file
from warehouse.models import SETTINGS, models

DATABASE = "warehouse.duckdb"
# A refresh re-checks the tables' versions once its file is in place, and builds again
# while another writer committed meanwhile (its own refresh may have landed first).
REFRESH_ROUNDS = 10


def duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMPTZ" if dtype.time_zone else "TIMESTAMP"
    return {pl.String: "VARCHAR", pl.Date: "DATE", pl.Boolean: "BOOLEAN"}[dtype.base_type()]


def _typed_select(
    schema: dict[str, pl.DataType], relation: str | None, present: set[str] | None = None
) -> str:
    """The contract's columns, typed, from `relation` (None: no rows); a column not in
    `present` (added to the contract since the files were written) is NULL."""
    if relation is None:
        columns = ", ".join(f"CAST(NULL AS {duckdb_type(t)}) AS {c}" for c, t in schema.items())
        return f"SELECT {columns} WHERE false"
    columns = ", ".join(
        f"CAST({c if present is None or c in present else 'NULL'} AS {duckdb_type(t)}) AS {c}"
        for c, t in schema.items()
    )
    return f"SELECT {columns} FROM {relation}"


def _parquet(files: list[str]) -> str | None:
    """The files as one relation; partition values (source, day) come from their paths."""
    if not files:
        return None
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return (
        f"read_parquet([{listed}], union_by_name = true, hive_partitioning = true, "
        "hive_types_autocast = false)"
    )


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


def history_sql(name: str, observed: str) -> str:
    """The versions of a current table's rows: one row per key and state, valid from the
    first day it was observed so to `valid_to`, the first observed day it no longer held
    (changed, or gone); NULL while it still holds. Built from the daily observations
    (`observed`: a typed SELECT of them)."""
    spec = table(name)
    key = ", ".join(spec.key)
    state = " || '|' || ".join(
        f"coalesce(CAST({column} AS VARCHAR), '<null>')"
        for column in spec.columns
        if column not in LINEAGE
    )
    columns = ", ".join(spec.columns)
    return f"""
        WITH observed AS (
            SELECT *, md5({state}) AS state FROM ({observed})
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


DEFAULT_BASE_CURRENCY = "USD"


def base_currency_setting(value: str | None = None) -> str:
    """The currency the analytics consolidate in: `value`, else BROKERLAKE_BASE_CURRENCY,
    else USD."""
    chosen = (value or os.environ.get("BROKERLAKE_BASE_CURRENCY") or DEFAULT_BASE_CURRENCY).upper()
    if len(chosen) != 3 or not chosen.isalpha():
        raise ValueError(f"base currency {chosen!r} is not an ISO 4217 code (USD, EUR, ...)")
    return chosen


class Catalog:
    def __init__(self, home: object, base_currency: str | None = None) -> None:
        self.base_currency = base_currency_setting(base_currency)
        self.lake = Lake(home)
        self.home = self.lake.home
        self.location = join(self.home, DATABASE)
        self.remote = is_remote(self.home)

    @property
    def path(self) -> Path:
        """The catalog file to open (for a remote home, a local copy: see `connect`)."""
        if self.remote:
            raise ValueError(f"{self.location} is remote: open it with Catalog.connect()")
        return Path(self.location)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the catalog. For a home on object storage, the
        catalog is downloaded and the lake's files are read through pyarrow's filesystem
        (DuckDB's httpfs extension is not needed)."""
        if not self.remote:
            return duckdb.connect(str(self.path), read_only=True)
        local = Path(tempfile.mkdtemp(prefix="brokerlake-catalog-")) / DATABASE
        if not get_file(self.location, local):
            raise FileNotFoundError(f"no catalog at {self.location}: run a sync first")
        con = duckdb.connect(str(local), read_only=True)
        con.register_filesystem(ObjectStore(self.home))
        return con

    def view_sql(self, con: duckdb.DuckDBPyConnection, as_of: AsOf = None) -> dict[str, str]:
        """Every view's SELECT, in creation order, over the tables as of now (or
        `as_of`); `con` reads the files' columns."""
        views: dict[str, str] = {}
        for name, spec in TABLES.items():
            views[name] = self._select(con, self.lake.uri(name), dict(spec.schema), as_of)
        views.update(ANALYTICS)
        for name, spec in TABLES.items():
            if spec.storage is Storage.CURRENT:
                schema = {**dict(spec.schema), DAY_COLUMN: pl.Date()}
                observed = self._select(con, self.lake.uri(name, history=True), schema, as_of)
                views[f"{name}_history"] = history_sql(name, observed)
        for name, spec in REFERENCE_TABLES.items():
            views[name] = self._select(con, self.lake.uri(name), dict(spec.schema), as_of)
        for name in [*TABLES, *REFERENCE_TABLES]:
            schema = {**dict(table(name).schema), REASON: pl.String()}
            uri = self.lake.uri(name, quarantine=True)
            views[f"quarantine_{name}"] = self._select(con, uri, schema, as_of)
        views[SETTINGS] = f"SELECT '{self.base_currency}' AS base_currency"
        views.update({model.name: model.sql for model in models()})
        return views

    def _select(
        self,
        con: duckdb.DuckDBPyConnection,
        uri: str,
        schema: dict[str, pl.DataType],
        as_of: AsOf,
    ) -> str:
        delta = self.lake.open(uri, as_of)
        relation = _parquet(delta.file_uris()) if delta is not None else None
        if relation is None:
            return _typed_select(schema, None)
        present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        return _typed_select(schema, relation, present)

    def build(self, target: Path, as_of: AsOf = None) -> dict[str, int | None]:
        """Write a catalog of the tables as of now (or `as_of`) to `target` (a new file);
        returns the versions it shows."""
        versions = self.lake.versions(as_of)
        with duckdb.connect(str(target)) as con:
            con.execute("SET TimeZone = 'UTC'")
            if self.remote:
                con.register_filesystem(ObjectStore(self.home))
            for name, sql in self.view_sql(con, as_of).items():
                con.execute(f"CREATE VIEW {name} AS {sql}")
            con.execute(
                "CREATE TABLE lake_versions (lake_table VARCHAR, version BIGINT, "
                "built_at TIMESTAMPTZ)"
            )
            built = datetime.now().astimezone()
            con.executemany(
                "INSERT INTO lake_versions VALUES (?, ?, ?)",
                [(name, version, built) for name, version in versions.items()],
            )
        return versions

    def refresh(self) -> None:
        """Put a new catalog of the tables as they now are in place of the old one."""
        for _ in range(REFRESH_ROUNDS):
            with tempfile.TemporaryDirectory(prefix="brokerlake-catalog-") as work:
                built = self._publish(Path(work))
            if self.lake.versions() == built:
                return

    def _publish(self, work: Path) -> dict[str, int | None]:
        if self.remote:
            target = work / DATABASE
            versions = self.build(target)
            put_file(target, self.location)
            return versions
        self.path.parent.mkdir(parents=True, exist_ok=True)
        target = self.path.with_name(f".{DATABASE}.{uuid.uuid4().hex}.tmp")
        try:
            versions = self.build(target)
            os.replace(target, self.path)
        finally:
            target.unlink(missing_ok=True)
        return versions
