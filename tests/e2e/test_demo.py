"""`brokerlake demo` as a user runs it: a fresh process starts the sandbox, materializes
every asset through Dagster, and the DuckDB catalog then equals the world's truth."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from sandbox import World
from schemas import TABLES
from tests.e2e.demo_runs import CLOCK, demo, snapshot, steps
from tests.oracle import (
    TABLE_NAMES,
    alpaca_broker_truth,
    alpaca_truth,
    rows,
    snaptrade_truth,
    warehouse_rows,
    without_raw,
)
from warehouse import Lake

BROKER_SOURCE = "sandbox-alpaca-broker"
TRADING = f"WHERE broker = 'alpaca' AND source <> '{BROKER_SOURCE}'"


def files_per_partition(home: Path) -> Counter:
    """The files each partition's current version reads (older versions' stay until
    maintenance removes them)."""
    lake = Lake(home)
    return Counter(
        str(Path(uri).parent.relative_to(home))
        for table in lake.uris().values()
        for uri in (DeltaTable(table).file_uris() if DeltaTable.is_deltatable(table) else [])
    )


def world_sources(world: World) -> dict[str, str]:
    return {f"sandbox-alpaca-{n}": key.account_id for n, key in enumerate(world.alpaca_keys(), 1)}


def test_the_demo_says_it_uses_the_sandbox_and_prints_what_landed(first_run):
    _, result = first_run
    assert result.stdout.startswith("The built-in sandbox (seed 0, clock ")
    for source in ("sandbox-alpaca-1", "sandbox-snaptrade", BROKER_SOURCE):
        assert steps(result.stdout, source) == {
            "snapshots": "ok", "orders": "ok", "activities": "ok",
        }  # fmt: skip
    assert "7 of 7 sources ok" in result.stdout
    assert "failed check" not in result.stdout  # the ledger and order links included
    assert "Sample query:" in result.stdout


def test_the_demo_says_only_what_a_user_reads(first_run):
    """Progress per step, the summary and the tables: no Dagster event log, banner or
    instance warning on the terminal (they stay in the run's log)."""
    home, result = first_run
    lines = result.stdout.splitlines()
    # 7 sources x 3 steps, the analytics line, the summary, the tables and the sample
    assert len(lines) <= 52, result.stdout
    assert result.stderr == "", result.stderr[-3000:]
    for noise in ("dagster - ", "STEP_", "Telemetry", "dagster.yaml", "Traceback"):
        assert noise not in result.stdout, noise
    assert (home / "dagster" / "dagster.yaml").exists()  # the run's log is kept for the UI


@pytest.mark.parametrize("name", ["accounts", "balances", "positions", "orders", "activities"])
def test_the_warehouse_equals_the_worlds_truth_row_for_row(first_run, name):
    home, _ = first_run
    world = World(seed=0, clock=CLOCK)
    expected = alpaca_truth(world, world_sources(world))[name]
    assert len(expected) > 0
    key = TABLES[name].key
    landed = warehouse_rows(home / "warehouse.duckdb", name, key, TRADING)
    assert landed == rows(expected, key)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_the_snaptrade_tables_equal_the_worlds_truth(first_run, name):
    home, _ = first_run
    expected = snaptrade_truth(World(seed=0, clock=CLOCK), "sandbox-snaptrade")[name]
    assert len(expected) > 0
    key = TABLES[name].key
    landed = warehouse_rows(home / "warehouse.duckdb", name, key, "WHERE broker = 'snaptrade'")
    assert without_raw(landed) == rows(without_raw(expected), key)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_the_alpaca_broker_tables_equal_the_worlds_truth(first_run, name):
    home, _ = first_run
    expected = alpaca_broker_truth(World(seed=0, clock=CLOCK), BROKER_SOURCE)[name]
    assert len(expected) > 0
    key = TABLES[name].key
    where = f"WHERE source = '{BROKER_SOURCE}'"
    assert warehouse_rows(home / "warehouse.duckdb", name, key, where) == rows(expected, key)


def test_users_and_connections_are_derived_from_the_keys(first_run):
    home, _ = first_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        kinds = con.execute(f"SELECT DISTINCT user_kind FROM users {TRADING}").fetchall()
        count = con.execute(
            f"SELECT count(*) FROM connections {TRADING} AND status = 'active'"
        ).fetchone()
        holdings = con.execute("SELECT count(*) FROM holdings").fetchone()
    assert kinds == [("derived",)]
    assert count == (3,)
    assert holdings[0] > 0


def test_running_again_changes_no_row_and_adds_no_file_to_a_version(first_run):
    home, _ = first_run
    database = home / "warehouse.duckdb"
    before = snapshot(database)
    files_before = files_per_partition(home)
    result = demo(home)
    assert result.returncode == 0, result.stdout[-3000:]
    assert snapshot(database) == before
    after = files_per_partition(home)
    assert set(after) == set(files_before)
    assert all(after[partition] <= files_before[partition] for partition in after)


def test_the_demo_holds_every_shape_real_payloads_carry(first_run):
    """Beside equalling the world's truth (above), the tables hold each shape: options
    spreads (debit and credit, leg ratios), Local Currency Trading accounts, long-decimal
    values, numbers sent as JSON numbers, futures, crypto positions with their orders."""
    home, _ = first_run
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:

        def one(sql: str) -> tuple:
            return con.execute(sql).fetchone()

        parents = "FROM orders WHERE order_class = 'mleg' AND parent_order_id IS NULL"
        assert one(f"SELECT count(*) FILTER (limit_price > 0), count(*) FILTER (limit_price < 0) "
                   f"{parents}") >= (1, 1)  # fmt: skip
        assert one(f"SELECT bool_and(symbol LIKE '%+%' AND side = 'other') {parents}") == (True,)
        assert one("SELECT count(*) FROM orders WHERE ratio_quantity = 2") > (0,)
        lct = "WHERE source = 'sandbox-alpaca-broker' AND currency <> 'USD'"
        assert one(f"SELECT count(DISTINCT currency) FROM balances {lct}") >= (2,)
        assert one(
            f"SELECT bool_and(swap_rate IS NOT NULL AND usd_market_value IS NOT NULL) "
            f"FROM positions {lct}"
        ) == (True,)
        assert one(f"SELECT count(*) FROM orders {lct} AND usd_average_fill_price > 0") > (0,)
        assert one(  # values past 18 places landed, rounded to the contract's scale
            f"SELECT count(*) FROM positions {lct} AND market_value <> round(market_value, 12)"
        ) > (0,)
        assert one(
            "SELECT count(*) FROM orders WHERE source = 'sandbox-alpaca-2' AND commission = 0"
        ) > (0,)  # an account whose API writes qty and commission as JSON numbers
        assert one(
            "SELECT bool_and(abs(abs(market_value::DOUBLE) - quantity::DOUBLE "
            "* market_price::DOUBLE * contract_size::DOUBLE) < 0.01) "  # (a decimal product
            # would outgrow DuckDB's 38 places)
            "FROM positions WHERE instrument_type = 'future' AND contract_size = 50"
        ) == (True,)
        assert one(
            "SELECT count(*) FROM positions p JOIN orders o USING (source, account_id, symbol) "
            "WHERE p.instrument_type = 'crypto' AND o.instrument_type = 'crypto' "
            "AND p.broker = 'alpaca'"
        ) > (0,)
        assert one(
            "SELECT count(*) FROM positions WHERE instrument_type = 'crypto' "
            "AND symbol NOT LIKE '%/%'"
        ) == (0,)
        assert one(
            "SELECT bool_and(equity IS NOT NULL) FROM balances b JOIN accounts a "
            "USING (source, account_id) WHERE b.broker = 'snaptrade' "
            "AND b.currency = a.base_currency"
        ) == (True,)
        for name in ("orders", "positions", "balances"):
            assert one(f"SELECT count(*) FROM quarantine_{name}") == (0,), name
