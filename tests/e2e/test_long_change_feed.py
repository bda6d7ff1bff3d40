"""A change feed much longer than one read batch: an order's events fall in several
batches of one part and in several parts of one run. Each part is de-duplicated before it
is merged and a later version wins, so the orders table equals a full re-read, nothing is
quarantined, and any Delta reader sees what the catalog shows, one row per order."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import assets.order_sync
import brokers.alpaca_broker.connector
from assets.sync import sync_source
from benchmarks.sources import sandbox_sources_of
from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from tests.lake_truth import assert_delta_equals_catalog
from tests.oracle import warehouse_rows
from warehouse import Catalog, Lake

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
LATER = CLOCK + timedelta(days=2)
SIZES = WorldSizes(
    alpaca_accounts=0, snaptrade_users=0, tradr_users=0, broker_accounts=40,
    positions_per_account=2, orders_per_account=60,
)  # fmt: skip
BATCH_ORDERS = 4  # orders per read batch of the trade events stream
PART_ROWS = 10  # rows per merged part: a part holds a few batches
KEY = ("source", "account_id", "order_id")
log = logging.getLogger("test")


def sync(sandbox: Sandbox, home: Path, **options) -> object:
    [source] = sandbox_sources_of(sandbox.manifest(), {"alpaca_broker"})
    day = sandbox.world.clock.date()
    report = asyncio.run(sync_source(source, Lake(home), day=day, log=log, **options))
    Catalog(home).refresh()
    return report


def test_a_change_feed_of_many_batches_lands_what_a_full_re_read_does(tmp_path, monkeypatch):
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        kept = tmp_path / "kept"
        sync(sandbox, kept)
        with Catalog(kept).connect() as con:
            assert assert_delta_equals_catalog(Lake(kept), con)["orders"] > 0  # a full sync
        sandbox.set_clock(LATER)
        monkeypatch.setattr(brokers.alpaca_broker.connector, "BATCH_ORDERS", BATCH_ORDERS)
        monkeypatch.setattr(assets.order_sync, "ORDERS_CHUNK_ROWS", PART_ROWS)
        report = sync(sandbox, kept, tables=("orders",))
        monkeypatch.undo()
        fresh = tmp_path / "fresh"
        sync(sandbox, fresh)

    counts = report.tables["orders"].counts  # type: ignore[attr-defined]
    assert counts.merged is not None
    assert counts.written > 5 * PART_ROWS  # several parts, each of several batches
    assert counts.superseded > 0  # an order's versions met within a part
    assert counts.balanced
    assert counts.merged.repeated > 0  # and across parts of the run
    assert counts.quarantined == 0
    assert Lake(kept).read_quarantine("orders").is_empty()
    landed = warehouse_rows(kept / "warehouse.duckdb", "orders", KEY)
    assert landed == warehouse_rows(fresh / "warehouse.duckdb", "orders", KEY)
    assert Lake(kept).read_mark("orders", "sandbox-alpaca-broker") == LATER
    with Catalog(kept).connect() as con:
        assert_delta_equals_catalog(Lake(kept), con)
