"""Reading one source's orders into the lake, without Dagster: the cursors an incremental
read starts from, and the page stream merged into the orders table in parts of bounded
size (`warehouse.keyed`).

Where the API has a change feed (the Broker API's trade events) and a run has landed
every change up to an instant (the source's mark in the lake), a run reads only what
changed after it, for every account at once; accounts with no orders landed are listed.
The mark is committed with the run's last part, so it never moves without its rows and a
failed run is read again.

Otherwise each read is incremental where the API lists orders by submission time: per
account, from the latest order landed less a look-back window (late updates), or from
the oldest order still open when it is older (an open order can change any time). Orders
outside that window were final when last read and stay as they are, so the table equals
a full re-read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, runtime_checkable

import polars as pl

from assets.store import StoreCounts, store_keyed
from brokers.connector import Connector, FetchContext, account_currencies
from schemas.tables import FINAL_ORDER_STATUSES
from warehouse import Lake
from warehouse.keyed import KeyedWriter

# Orders are validated and merged in parts of about this many rows: validating a part
# costs about 55 ms whatever its size, most of it Python holding the GIL.
ORDERS_CHUNK_ROWS = 200_000
CURSOR_COLUMNS = ("account_id", "submitted_at", "status")  # what the cursors are made of
DEFAULT_LOOKBACK = timedelta(hours=24)
# A change feed is read again from this long before the mark: the mark is the API's Date
# header, to the second, and an event's instant and its order's updated_at may differ.
CHANGES_OVERLAP = timedelta(minutes=5)
# Past this since the mark, orders are listed instead: how long the API keeps past events
# is not documented, a week is assumed.
CHANGES_KEPT = timedelta(days=7)


@runtime_checkable
class OrderChangeFeed(Protocol):
    """A connector that can read every account's changed orders at once, between two
    instants of the API's clock."""

    async def api_clock(self) -> datetime: ...

    def order_changes(
        self,
        ctx: FetchContext,
        after: datetime,
        until: datetime,
        parents: Mapping[str, str],
        currencies: Mapping[str, str] | None = None,
    ) -> AsyncIterator[pl.DataFrame]: ...


@dataclass(frozen=True)
class OrdersRead:
    """How one run reads a source's orders: `listed` accounts through the listing, from
    their cursors in `since` (none: every order); every other account from the change
    feed, after `changes_after`, when that is set."""

    listed: pl.DataFrame
    since: dict[str, datetime] = field(default_factory=dict)
    changes_after: datetime | None = None
    parents: dict[str, str] = field(default_factory=dict)  # leg -> parent, as landed
    currencies: dict[str, str] = field(default_factory=dict)  # account -> its currency
    # The API's clock as the read begins, for a connector with a change feed: where the
    # changes read end, and the source's mark once the run has landed everything.
    began: datetime | None = None

    @property
    def mode(self) -> str:
        if self.changes_after is not None:
            return (
                f"changes after {self.changes_after.isoformat()} "
                f"({self.listed.height} accounts with no orders landed listed)"
            )
        if self.since:
            return f"incremental ({len(self.since)} accounts from a cursor)"
        return "full"


async def plan_read(
    connector: Connector,
    lake: Lake,
    source: str,
    accounts: pl.DataFrame,
    *,
    full_refresh: bool = False,
    lookback: timedelta = DEFAULT_LOOKBACK,
) -> OrdersRead:
    """The change feed from the source's mark where there is one, recent enough by the
    API's clock; else the listing, from the landed cursors (or everything, on a full
    refresh)."""
    began = await connector.api_clock() if isinstance(connector, OrderChangeFeed) else None
    if full_refresh:
        return OrdersRead(accounts, began=began)
    mark = lake.read_mark("orders", source) if began is not None else None
    if began is not None and mark is not None and began - mark <= CHANGES_KEPT:
        written = lake.scan("orders", source)
        landed = written.select("account_id").unique().collect().get_column("account_id")
        legs = (
            written.filter(pl.col("parent_order_id").is_not_null())
            .select("order_id", "parent_order_id")
            .unique()
            .collect()
        )
        return OrdersRead(
            accounts.filter(~pl.col("account_id").is_in(landed.implode())),
            changes_after=mark - CHANGES_OVERLAP,
            parents=dict(zip(legs["order_id"], legs["parent_order_id"], strict=True)),
            currencies=account_currencies(accounts),
            began=began,
        )
    return OrdersRead(accounts, since=landed_cursors(lake, source, lookback), began=began)


def order_cursors(orders: pl.DataFrame, lookback: timedelta) -> dict[str, datetime]:
    """Per account, the instant after which orders may have changed since they landed:
    the latest submission less `lookback`, or the oldest open order's if earlier. An
    account with an open order of unknown submission time gets none (read in full)."""
    if orders.is_empty():
        return {}
    open_order = ~pl.col("status").is_in(FINAL_ORDER_STATUSES)
    per_account = orders.group_by("account_id").agg(
        latest=pl.col("submitted_at").max(),
        oldest_open=pl.col("submitted_at").filter(open_order).min(),
        open_undated=(open_order & pl.col("submitted_at").is_null()).any(),
    )
    cursors = {}
    for row in per_account.iter_rows(named=True):
        if row["latest"] is None or row["open_undated"]:
            continue
        start = row["latest"] - lookback
        if row["oldest_open"] is not None:
            start = min(start, row["oldest_open"] - timedelta(microseconds=1))
        cursors[row["account_id"]] = start
    return cursors


def landed_cursors(lake: Lake, source: str, lookback: timedelta) -> dict[str, datetime]:
    """The cursors of the orders already in the lake (only the columns they need are read)."""
    return order_cursors(lake.read("orders", source, columns=list(CURSOR_COLUMNS)), lookback)


async def sync_orders(
    connector: Connector,
    ctx: FetchContext,
    read: OrdersRead,
    lake: Lake,
    source: str,
) -> StoreCounts:
    """Stream order pages to the lake in parts of bounded size. A part is validated and
    merged in a worker thread while the next pages are read (polars and delta-rs release
    the GIL), at most one part at a time, so memory stays bounded. For a connector with
    a change feed, the last part's commit moves the source's mark to where this run's
    reading began."""
    writer = PartWriter(lake, source, ctx.run_id)
    try:
        if read.changes_after is not None:
            assert isinstance(connector, OrderChangeFeed) and read.began is not None
            ids = read.listed.get_column("account_id").implode()
            listed = pl.col("account_id").is_in(ids).fill_null(False)  # read whole below
            changes = connector.order_changes(
                ctx, read.changes_after, read.began, read.parents, read.currencies
            )
            async for page in changes:
                await writer.add(page.filter(~listed))
        if read.listed.height:
            async for page in connector.orders(ctx, read.listed, read.since):
                await writer.add(page)
        # every change up to where this reading began has landed with the last part
        return await writer.close(mark=read.began)
    finally:
        await writer.abandon()


class PartWriter:
    """Frames of a keyed table (orders, by default) gathered into parts of about
    ORDERS_CHUNK_ROWS, each validated and merged in a worker thread while the next frames
    are read, one part at a time."""

    def __init__(self, lake: Lake, source: str, run_id: str, table: str = "orders") -> None:
        self.lake = lake
        self.writer = KeyedWriter(lake, table, source, run_id)
        self.counts = StoreCounts()
        self.pending: list[pl.DataFrame] = []
        self.pending_rows = 0
        self.writing: asyncio.Task[StoreCounts] | None = None

    async def add(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        self.pending.append(frame)
        self.pending_rows += frame.height
        if self.pending_rows >= ORDERS_CHUNK_ROWS:
            await self.flush()

    async def flush(self, *, last: bool = False, mark: datetime | None = None) -> None:
        """Start writing the pending frames (after the part being written); the last
        part is written even when empty if it carries a mark."""
        if self.writing is not None:
            self.counts.add(await self.writing)
            self.writing = None
        if self.pending or (last and mark is not None):
            frame = (
                pl.concat(self.pending, how="diagonal")  # diagonal: some quarantined
                if self.pending
                else self.writer.empty()
            )
            write = partial(store_keyed, self.lake, self.writer, frame, mark=mark)
            self.writing = asyncio.create_task(asyncio.to_thread(write))
        self.pending, self.pending_rows = [], 0

    async def close(self, *, mark: datetime | None = None) -> StoreCounts:
        await self.flush(last=True, mark=mark)
        await self.flush()  # the last part's write
        return self.counts

    async def abandon(self) -> None:
        """On failure, let a part already being written finish (it is whole and valid)."""
        if self.writing is not None and not self.writing.done():
            await asyncio.gather(self.writing, return_exceptions=True)
