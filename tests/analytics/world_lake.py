"""A warehouse of the sandbox world over several days, landed as a user's runs land it:
each day's snapshot of every source at that day's clock time, then orders and the whole
ledger of activities, the ECB's rates, and Alpaca's portfolio history; the catalog built
over it, analytics included."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assets.fx_sync import sync_fx_rates
from assets.reported import HISTORY_PATHS, reported_frame
from assets.reported import TABLE as REPORTED
from assets.store import store
from assets.sync import sync_source
from brokers.config import SourceConfig, sandbox_sources
from brokers.connector import FetchContext
from brokers.ecb import EcbClient
from brokers.registry import connector_for
from sandbox import Sandbox
from warehouse import Catalog, Lake

log = logging.getLogger("analytics-test")
LAST = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # a Monday
DAYS = [LAST - timedelta(days=n) for n in range(6, -1, -1)]  # Tuesday 17th to Monday 23rd
SNAPSHOTS = ("users", "connections", "accounts", "balances", "positions")


@dataclass(frozen=True)
class WorldLake:
    home: Path
    sources: list[SourceConfig]


def build(sandbox: Sandbox, home: Path) -> WorldLake:
    lake = Lake(home)
    for moment in DAYS:
        sandbox.set_clock(moment)
        for source in sandbox_sources(sandbox.manifest()):
            asyncio.run(sync_source(source, lake, day=moment.date(), log=log, tables=SNAPSHOTS))
    sources = sandbox_sources(sandbox.manifest())
    for source in sources:
        asyncio.run(
            sync_source(source, lake, day=LAST.date(), log=log, tables=("orders", "activities"))
        )
    asyncio.run(_reference(sandbox, lake))
    for source in sources:
        if source.kind in HISTORY_PATHS:
            asyncio.run(_reported(source, lake))
    Catalog(home).refresh()
    return WorldLake(home, sources)


async def _reference(sandbox: Sandbox, lake: Lake) -> None:
    client = EcbClient(sandbox.manifest()["reference"]["ecb"]["base_url"])
    try:
        await sync_fx_rates(lake, client, run_id="fx", today=LAST.date())
    finally:
        await client.aclose()


async def _reported(source: SourceConfig, lake: Lake) -> None:
    connector = connector_for(source)
    ctx = FetchContext(run_id=uuid.uuid4().hex, fetched_at=datetime.now(UTC), log=log)
    try:
        accounts = lake.read("accounts", source.name)
        frame = await reported_frame(
            connector, accounts, source.name, source.kind, ctx, DAYS[0].date()
        )
    finally:
        await connector.aclose()
    store(lake, REPORTED, source.name, frame, run_id=ctx.run_id)
