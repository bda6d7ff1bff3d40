"""Activities through the library sync, over real HTTP to the sandbox, for every source
kind: a first read lands the world's whole ledger with the fewest requests; a day later
(a journal has executed, SnapTrade has re-added an activity under a new id, fills have
happened) an incremental read from the cursors lands the world's new truth, equal to a
full re-read, with fewer requests; a range of time can be read again (a backfill)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from assets.activity_sync import plan
from assets.sync import sync_source
from benchmarks import minimum
from benchmarks.sources import sandbox_sources_of
from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.oracle import (
    alpaca_broker_truth,
    alpaca_truth,
    rows,
    snaptrade_truth,
    tradr_truth,
)
from warehouse import Lake
from warehouse.keyed import delete_keys

CLOCK = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # a default world: history ends here
LATER = CLOCK + timedelta(days=1)
# Histories longer than a page (SnapTrade's 1000, TradrAPI's 100): the fewest requests of
# a full read then exceed an incremental read's, whatever the API.
SIZES = WorldSizes(
    broker_accounts=8, orders_per_account=1800, tradr_trades_per_account=300,
    tradr_busy_positions=20,
)  # fmt: skip
KEY = TABLES["activities"].key
log = logging.getLogger("test")
TABLES_READ = ("users", "connections", "accounts", "activities")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as running:
        yield running


def truth(sandbox: Sandbox, source) -> list[dict]:
    world, kind = sandbox.world, source.kind
    if kind == "alpaca":
        key_id = source.key_id.get_secret_value()
        account = next(k.account_id for k in world.alpaca_keys() if k.key_id == key_id)
        return alpaca_truth(world, {source.name: account})["activities"]
    if kind == "alpaca_broker":
        return alpaca_broker_truth(world, source.name)["activities"]
    if kind == "snaptrade":
        return snaptrade_truth(world, source.name)["activities"]
    key = sandbox.tradr_keys.lookup(source.api_key.get_secret_value())
    return tradr_truth(world, source.name, key)["activities"]


def sync(source, home: Path, day, **options):
    return asyncio.run(
        sync_source(source, Lake(home), day=day, log=log, tables=TABLES_READ, **options)
    )


def landed(home: Path, source) -> list[dict]:
    return rows(Lake(home).read("activities", source.name).to_dicts(), KEY)


@pytest.mark.parametrize("kind", ["alpaca", "alpaca_broker", "snaptrade", "tradr"])
def test_a_first_read_then_an_incremental_one_equal_the_world(sandbox, tmp_path, kind):
    sources = [s for s in sandbox_sources_of(sandbox.manifest(), {kind})]
    source = sources[0]
    sandbox.set_clock(CLOCK)
    first = sync(source, tmp_path, CLOCK.date())
    assert landed(tmp_path, source) == rows(truth(sandbox, source), KEY)
    fewest = minimum.activities_sync(sandbox.world, source, sandbox.manifest(), minimum.FIRST_READ)
    assert first.tables["activities"].requests == fewest

    sandbox.set_clock(LATER)
    lake = Lake(tmp_path)
    read = plan(lake, source.name, lake.read("accounts", source.name))
    assert read.since  # every account from a cursor
    later = sync(source, tmp_path, LATER.date())
    assert landed(tmp_path, source) == rows(truth(sandbox, source), KEY)
    sent = later.tables["activities"].requests
    assert sent == minimum.activities_sync(sandbox.world, source, sandbox.manifest(), read)
    full = tmp_path / "full"
    again = sync(source, full, LATER.date())  # a full re-read lands the same table
    assert landed(full, source) == landed(tmp_path, source)
    assert sent < again.tables["activities"].requests
    if kind == "snaptrade":  # the re-added activity replaced its old self
        assert later.activities is not None and len(later.activities.readded) == 1
        assert later.activities.removed == 1
    if kind == "alpaca_broker":  # the pending journal's rows gave way to its executed legs
        statuses = Lake(tmp_path).read("activities", source.name)["status"].to_list()
        assert "pending" not in statuses and "canceled" in statuses


def test_a_range_of_time_is_read_again(sandbox, tmp_path):
    [source] = sandbox_sources_of(sandbox.manifest(), {"alpaca_broker"})
    sandbox.set_clock(CLOCK)
    sync(source, tmp_path, CLOCK.date())
    lake = Lake(tmp_path)
    start, end = CLOCK - timedelta(days=12), CLOCK - timedelta(days=9)
    lost = lake.read("activities", source.name).filter(pl.col("occurred_at").is_between(start, end))
    assert lost.height > 50
    delete_keys(lake, "activities", source.name, lost.select("account_id", "activity_id"), "x")
    assert landed(tmp_path, source) != rows(truth(sandbox, source), KEY)
    backfill = sync(source, tmp_path, CLOCK.date(), backfill=(start, end))
    assert landed(tmp_path, source) == rows(truth(sandbox, source), KEY)
    assert backfill.tables["activities"].requests == 4 + 1  # a day each, then the journals
    assert backfill.activities is not None and backfill.activities.removed == 0
