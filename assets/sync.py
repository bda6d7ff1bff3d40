"""A whole source synced through the library, without Dagster: accounts (with users and
connections), balances, positions, orders and activities through one connector into the
lake.

The steps are the assets' own (`store_observation`, `store`, the cursors), so a
sync lands what a materialization lands. It is the lightweight way to run brokerlake from
a script, and what the benchmarks measure against the cost of only downloading.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from assets.activity_sync import ActivitiesSynced, sync_activities
from assets.activity_sync import plan as plan_activities
from assets.activity_windows import DEFAULT_LOOKBACK as DEFAULT_ACTIVITY_LOOKBACK
from assets.environment import claim_lake
from assets.order_sync import DEFAULT_LOOKBACK, plan_read, sync_orders
from assets.store import StoreCounts, store, store_accounts
from assets.tables_common import ACCOUNT_TABLES, TABLE_NAMES
from brokers.config import SourceConfig
from brokers.connector import Connector, FetchContext, Log
from brokers.errors import SourceError
from brokers.kinds import BY_KIND
from brokers.registry import connector_for
from warehouse import Lake

SYNCED_TABLES = TABLE_NAMES


@dataclass
class TableSync:
    """What syncing one table did: rows, requests sent and seconds taken."""

    counts: StoreCounts
    requests: int
    seconds: float


@dataclass
class SyncReport:
    source: str
    day: date
    tables: dict[str, TableSync] = field(default_factory=dict)
    activities: ActivitiesSynced | None = None  # what the activities' windows settled

    @property
    def requests(self) -> int:
        return sum(t.requests for t in self.tables.values())

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.tables.values())


def wrong_day(table: str, day: date, as_of: datetime) -> str | None:
    """Why a snapshot the API dates `as_of` cannot be filed under `day` (None: it can)."""
    if as_of.date() == day:
        return None
    return (
        f"{table} for {day}: the API dates its answer {as_of.isoformat()}, "
        "another day; nothing was written. A broker API serves only the present, so a "
        f"day's snapshot is taken on that day: run the partition {as_of.date()}. Past days "
        "can be backfilled from the sandbox, which replays them."
    )


async def sync_with(
    connector: Connector,
    source: str,
    lake: Lake,
    ctx: FetchContext,
    *,
    day: date,
    tables: Sequence[str] = SYNCED_TABLES,
    full_refresh: bool = False,
    lookback: timedelta = DEFAULT_LOOKBACK,
    activity_lookback: timedelta = DEFAULT_ACTIVITY_LOOKBACK,
    backfill: tuple[datetime, datetime] | None = None,
) -> SyncReport:
    """Sync `tables` of one source through an open connector; balances, positions,
    orders and activities are read for the accounts landed (this run's, or the last).
    Activities are read from their cursors, or whole (`full_refresh`), or for a range of
    time (`backfill`)."""
    report = SyncReport(source, day)
    if any(name in tables for name in ACCOUNT_TABLES):
        began, sent = time.perf_counter(), connector.requests_sent
        batch = await connector.accounts(ctx)
        stored = store_accounts(lake, source, batch, run_id=ctx.run_id, day=day)
        for name, counts in stored.items():
            report.tables[name] = TableSync(counts, 0, 0.0)
        report.tables["accounts"].requests = connector.requests_sent - sent
        report.tables["accounts"].seconds = time.perf_counter() - began
        ctx.log.info(f"source {source}: {report.tables['accounts'].counts.written} accounts")
    accounts = lake.read("accounts", source)
    for name in ("balances", "positions"):
        if name not in tables:
            continue
        began, sent = time.perf_counter(), connector.requests_sent
        snapshot = await getattr(connector, name)(ctx, accounts)
        problem = wrong_day(name, day, snapshot.as_of)
        if problem:
            raise SourceError(source, problem)
        counts = store(lake, name, source, snapshot.frame, run_id=ctx.run_id, as_of_date=day)
        report.tables[name] = TableSync(
            counts, connector.requests_sent - sent, time.perf_counter() - began
        )
        ctx.log.info(f"source {source}: {name}: {counts.metadata()}")
    if "orders" in tables:
        began, sent = time.perf_counter(), connector.requests_sent
        read = await plan_read(
            connector, lake, source, accounts, full_refresh=full_refresh, lookback=lookback
        )
        counts = await sync_orders(connector, ctx, read, lake, source)
        report.tables["orders"] = TableSync(
            counts, connector.requests_sent - sent, time.perf_counter() - began
        )
        ctx.log.info(f"source {source}: orders ({read.mode}): {counts.metadata()}")
    if "activities" in tables:
        began, sent = time.perf_counter(), connector.requests_sent
        planned = plan_activities(
            lake, source, accounts, lookback=activity_lookback, full_refresh=full_refresh,
            backfill=backfill,
        )  # fmt: skip
        synced = await sync_activities(connector, ctx, planned, lake, source)
        report.tables["activities"] = TableSync(
            synced.counts, connector.requests_sent - sent, time.perf_counter() - began
        )
        report.activities = synced
        ctx.log.info(f"source {source}: activities ({planned.mode}): {synced.metadata()}")
    return report


async def sync_source(
    config: SourceConfig,
    lake: Lake,
    *,
    day: date,
    log: Log,
    run_id: str | None = None,
    tables: Sequence[str] = SYNCED_TABLES,
    full_refresh: bool = False,
    lookback: timedelta = DEFAULT_LOOKBACK,
    activity_lookback: timedelta = DEFAULT_ACTIVITY_LOOKBACK,
    backfill: tuple[datetime, datetime] | None = None,
) -> SyncReport:
    """Open the source's connector, sync `tables` for `day`, close it. Each sync is a run
    of its own (`run_id`, by default a fresh one): orders land in a part per run. A lake
    holding the other kind of data (sandbox or real) is refused."""
    claim_lake(lake, config.sandbox)
    if not BY_KIND[config.kind].has_orders:  # the API has none: nothing to read or land
        tables = [name for name in tables if name != "orders"]
    connector = connector_for(config)
    ctx = FetchContext(run_id=run_id or uuid.uuid4().hex, fetched_at=datetime.now(UTC), log=log)
    try:
        return await sync_with(
            connector,
            config.name,
            lake,
            ctx,
            day=day,
            tables=tables,
            full_refresh=full_refresh,
            lookback=lookback,
            activity_lookback=activity_lookback,
            backfill=backfill,
        )
    finally:
        await connector.aclose()
