"""The library sync (no Dagster) over real HTTP to the sandbox: a full sync of every table
equals the world's truth with exactly the fewest requests the benchmark computes from
the world; an hour later an orders sync from the cursors brings the table to the world's
new truth, again with the fewest requests; a snapshot the API dates another day is
refused and nothing is written."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assets.order_sync import DEFAULT_LOOKBACK, landed_cursors
from assets.sync import sync_source
from benchmarks import minimum
from benchmarks.sources import sandbox_sources_of
from brokers.errors import SourceError
from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.oracle import TABLE_NAMES, alpaca_broker_truth, rows, warehouse_rows
from warehouse import Catalog, Lake

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SIZES = WorldSizes(
    alpaca_accounts=0, snaptrade_users=0, tradr_users=0, broker_accounts=30,
    positions_per_account=5, orders_per_account=40,
)  # fmt: skip
log = logging.getLogger("test")


def synced(sandbox: Sandbox, home: Path, **options) -> tuple[object, object]:
    manifest = sandbox.manifest()
    [source] = sandbox_sources_of(manifest, {"alpaca_broker"})
    report = asyncio.run(sync_source(source, Lake(home), day=CLOCK.date(), log=log, **options))
    Catalog(home).refresh()
    return source, report


def test_a_full_then_an_incremental_sync_equal_the_world(tmp_path):
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        source, report = synced(sandbox, tmp_path)
        truth = alpaca_broker_truth(sandbox.world, source.name)
        for name in TABLE_NAMES:
            key = TABLES[name].key
            assert warehouse_rows(tmp_path / "warehouse.duckdb", name, key) == rows(
                truth[name], key
            ), name
        fewest = minimum.full_sync(sandbox.world, source, sandbox.manifest())
        assert {name: report.tables[name].requests for name in fewest} == fewest

        cursors = landed_cursors(Lake(tmp_path), source.name, DEFAULT_LOOKBACK)
        sandbox.set_clock(CLOCK + timedelta(hours=1))
        _, moved = synced(sandbox, tmp_path, tables=("orders",))
        assert set(moved.tables) == {"orders"}
        truth = alpaca_broker_truth(sandbox.world, source.name)
        key = TABLES["orders"].key
        orders = warehouse_rows(tmp_path / "warehouse.duckdb", "orders", key)
        assert orders == rows(truth["orders"], key)
        fewest = minimum.incremental_sync(sandbox.world, source, sandbox.manifest(), cursors)
        assert moved.requests == fewest < report.tables["orders"].requests + 1


def test_a_snapshot_of_another_day_is_refused_and_nothing_written(tmp_path):
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        [source] = sandbox_sources_of(sandbox.manifest(), {"alpaca_broker"})
        lake = Lake(tmp_path)
        day = CLOCK.date() - timedelta(days=1)
        with pytest.raises(SourceError, match=f"balances for {day}: the API dates its answer"):
            asyncio.run(sync_source(source, lake, day=day, log=log, tables=("balances",)))
        assert lake.files("balances") == []
