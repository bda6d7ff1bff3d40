"""Reading one source's activities into the lake, without Dagster: the read planned from
what landed (activity_windows.py), the pages merged on the key in parts of bounded size,
then what the read's windows settle: the rows landed in them that the API no longer
serves are deleted, in one commit, and those re-added under another id named."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from assets.activity_windows import (
    CURSOR_COLUMNS,
    DEFAULT_LOOKBACK,
    ActivitiesRead,
    in_windows,
    plan_read,
    readded,
)
from assets.order_sync import PartWriter
from assets.store import StoreCounts
from brokers.connector import Connector, FetchContext, Window
from warehouse import Lake
from warehouse.keyed import delete_keys

KEY = ["account_id", "activity_id"]
READDED_SHOWN = 20  # re-added ids listed in a step's metadata


@dataclass
class ActivitiesSynced:
    """What a run did: its rows' counts, the rows no longer served that it removed, and
    (account, old id, new id) of those re-added under a new id."""

    counts: StoreCounts
    removed: int = 0
    readded: list[tuple[str, str, str]] = field(default_factory=list)

    def metadata(self) -> dict[str, object]:
        shown = [f"{account}: {old} -> {new}" for account, old, new in self.readded]
        return {
            **self.counts.metadata(),
            "rows_no_longer_served": self.removed,
            **({"readded_ids": shown[:READDED_SHOWN]} if shown else {}),
        }


def plan(
    lake: Lake,
    source: str,
    accounts: pl.DataFrame,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    full_refresh: bool = False,
    backfill: tuple[datetime, datetime] | None = None,
) -> ActivitiesRead:
    """The run's read, from the cursor columns of what landed."""
    landed = lake.read("activities", source, columns=list(CURSOR_COLUMNS))
    return plan_read(
        accounts, landed, lookback=lookback, full_refresh=full_refresh, backfill=backfill
    )


async def sync_activities(
    connector: Connector, ctx: FetchContext, read: ActivitiesRead, lake: Lake, source: str
) -> ActivitiesSynced:
    """The read's pages merged into the lake, then its windows settled."""
    writer = PartWriter(lake, source, ctx.run_id, table="activities")
    covered: dict[str, Window] = {}
    keys: list[pl.DataFrame] = []
    try:
        pages = connector.activities(ctx, read.accounts, read.since, read.until)
        async for page in pages:
            keys.append(page.frame.select(KEY))
            await writer.add(page.frame)
            covered.update(page.covered)
        counts = await writer.close()
    finally:
        await writer.abandon()
    read_keys = pl.concat(keys) if keys else pl.DataFrame(schema=dict.fromkeys(KEY, pl.String))
    return await asyncio.to_thread(settle, lake, source, ctx.run_id, covered, read_keys, counts)


def settle(
    lake: Lake,
    source: str,
    run_id: str,
    covered: dict[str, Window],
    read_keys: pl.DataFrame,
    counts: StoreCounts,
) -> ActivitiesSynced:
    """Delete the rows landed in the windows read whole that this read did not return
    (a row quarantined this time was returned: it stays), naming the re-added ones."""
    if not covered:
        return ActivitiesSynced(counts)
    landed = lake.scan("activities", source)
    earlier = (  # only the key and the window's columns: a first read covers everything
        landed.select(*KEY, "occurred_at", "run_id")
        # a row this run wrote was read by it (and its files are skipped by their stats):
        # on a first read there is nothing to compare
        .filter(pl.col("run_id") != run_id)
        .filter(in_windows(covered))
        .select(KEY)
        .collect()
    )
    gone_keys = earlier.join(read_keys, on=KEY, how="anti") if earlier.height else earlier
    if gone_keys.is_empty():
        return ActivitiesSynced(counts)
    gone = landed.join(gone_keys.lazy(), on=KEY, how="semi").collect()
    written = landed.filter(
        (pl.col("run_id") == run_id) & pl.col("account_id").is_in(gone["account_id"].implode())
    ).collect()
    removed = delete_keys(lake, "activities", source, gone.select(KEY), run_id)
    return ActivitiesSynced(counts, removed, readded(gone, written))


__all__ = ["ActivitiesRead", "plan", "sync_activities"]
