"""The library sync (no Dagster) over real HTTP to the sandbox: a full sync of every table
equals the world's truth with exactly the fewest requests the benchmark computes from
the world; an hour later an orders sync from the trade events stream, and another hour
later one from per-account cursors (a mark too old for the stream), bring the table to the
world's new truth, again with the fewest requests; a snapshot the API dates another day is
refused and nothing is written."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assets.order_sync import CHANGES_KEPT, CHANGES_OVERLAP, OrdersRead, plan_read
from assets.sync import sync_source
from benchmarks import minimum
from benchmarks.sources import sandbox_sources_of
from brokers.errors import SourceError
from brokers.registry import connector_for
from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.oracle import TABLE_NAMES, alpaca_broker_truth, rows, warehouse_rows
from warehouse import Catalog, Lake
from warehouse.keyed import KeyedWriter

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

        lake = Lake(tmp_path)
        assert lake.read_mark("orders", source.name) == CLOCK  # the API's clock, not ours
        key = TABLES["orders"].key

        # an hour on: every account's changes from the trade events stream
        sandbox.set_clock(CLOCK + timedelta(hours=1))
        read = planned(source, lake)
        assert read.changes_after == CLOCK - CHANGES_OVERLAP
        no_orders = {a.account_id for a in sandbox.world.broker_accounts()} - {
            o.account_id for a in sandbox.world.broker_accounts()
            for o in sandbox.world.at(CLOCK).orders(a.account_id)
        }  # fmt: skip
        assert set(read.listed.get_column("account_id")) == no_orders  # listed, in case
        _, moved = synced(sandbox, tmp_path, tables=("orders",))
        assert set(moved.tables) == {"orders"}
        assert moved.tables["orders"].counts.written > 0
        truth = alpaca_broker_truth(sandbox.world, source.name)
        orders = warehouse_rows(tmp_path / "warehouse.duckdb", "orders", key)
        assert orders == rows(truth["orders"], key)
        fewest = minimum.incremental_sync(sandbox.world, source, sandbox.manifest(), read)
        assert moved.requests == fewest == 2 + len(no_orders)  # the clock, one stream
        assert lake.read_mark("orders", source.name) == CLOCK + timedelta(hours=1)

        # a mark too old for the stream (a lake not synced for weeks): per-account cursors
        writer = KeyedWriter(lake, "orders", source.name, "old")
        writer.write(writer.empty(), mark=CLOCK - CHANGES_KEPT - timedelta(days=1))
        sandbox.set_clock(CLOCK + timedelta(hours=2))
        read = planned(source, lake)
        assert read.changes_after is None and read.since
        _, listed = synced(sandbox, tmp_path, tables=("orders",))
        truth = alpaca_broker_truth(sandbox.world, source.name)
        orders = warehouse_rows(tmp_path / "warehouse.duckdb", "orders", key)
        assert orders == rows(truth["orders"], key)
        fewest = minimum.incremental_sync(sandbox.world, source, sandbox.manifest(), read)
        assert listed.requests == fewest <= report.tables["orders"].requests
        assert lake.read_mark("orders", source.name) == CLOCK + timedelta(hours=2)


def planned(source, lake: Lake) -> OrdersRead:
    """How an orders sync of `source` would read now (asks the API for its clock)."""

    async def plan() -> OrdersRead:
        connector = connector_for(source)
        try:
            accounts = lake.read("accounts", source.name)
            return await plan_read(connector, lake, source.name, accounts)
        finally:
            await connector.aclose()

    return asyncio.run(plan())


def test_a_snapshot_of_another_day_is_refused_and_nothing_written(tmp_path):
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        [source] = sandbox_sources_of(sandbox.manifest(), {"alpaca_broker"})
        lake = Lake(tmp_path)
        day = CLOCK.date() - timedelta(days=1)
        with pytest.raises(SourceError, match=f"balances for {day}: the API dates its answer"):
            asyncio.run(sync_source(source, lake, day=day, log=log, tables=("balances",)))
        assert lake.open(lake.uri("balances")) is None
