"""Reading one source's orders into the lake, without Dagster: the cursors an incremental
read starts from, and the page stream written in parts of bounded size.

Each read is incremental where the API lists orders by submission time: per account,
from the latest order landed less a look-back window (late updates), or from the oldest
order still open when it is older (an open order can change any time). Orders outside
that window were final when last read and stay as they are, so the table equals a full
re-read.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from functools import partial

import polars as pl

from assets.store import StoreCounts, store
from brokers.connector import Connector, FetchContext
from warehouse import Lake
from warehouse.lake import MAX_PARTS, SMALL_ROWS

# Orders are validated and written in parts of about this many rows: validating a part
# costs about 55 ms whatever its size, most of it Python holding the GIL.
ORDERS_CHUNK_ROWS = 200_000
# States an order does not leave; any other (open, pending, unknown) is read again.
FINAL_STATUSES = ("filled", "canceled", "expired", "rejected", "replaced")
CURSOR_COLUMNS = ("account_id", "submitted_at", "status")  # what the cursors are made of
DEFAULT_LOOKBACK = timedelta(hours=24)


def order_cursors(orders: pl.DataFrame, lookback: timedelta) -> dict[str, datetime]:
    """Per account, the instant after which orders may have changed since they landed:
    the latest submission less `lookback`, or the oldest open order's if earlier. An
    account with an open order of unknown submission time gets none (read in full)."""
    if orders.is_empty():
        return {}
    open_order = ~pl.col("status").is_in(FINAL_STATUSES)
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
    accounts: pl.DataFrame,
    lake: Lake,
    source: str,
    since: dict[str, datetime] | None = None,
) -> StoreCounts:
    """Stream order pages to the lake in parts of bounded size. A part is validated and
    written in a worker thread while the next pages are read (polars and the Parquet
    writer release the GIL), at most one part at a time, so memory stays bounded. The
    source's parts are then compacted when due (see `Lake.compact`)."""
    counts = StoreCounts()
    pending: list[pl.DataFrame] = []
    pending_rows = 0
    seq = 0
    writing: asyncio.Task[StoreCounts] | None = None

    async def flush() -> None:
        nonlocal pending, pending_rows, seq, writing
        if writing is not None:
            counts.add(await writing)
            writing = None
        if pending:
            frame = pl.concat(pending, how="diagonal")  # diagonal: some pages quarantined
            writing = asyncio.create_task(
                asyncio.to_thread(store, lake, "orders", source, frame, run_id=ctx.run_id, seq=seq)
            )
            seq += 1
        pending, pending_rows = [], 0

    try:
        async for page in connector.orders(ctx, accounts, since):
            pending.append(page)
            pending_rows += page.height
            if pending_rows >= ORDERS_CHUNK_ROWS:
                await flush()
        await flush()
        if writing is not None:
            counts.add(await writing)
    finally:
        if writing is not None and not writing.done():
            await asyncio.gather(writing, return_exceptions=True)
    began = time.perf_counter()
    compact = partial(lake.compact, max_parts=MAX_PARTS, small_rows=SMALL_ROWS)
    if await asyncio.to_thread(compact, "orders", source):
        ctx.log.info(
            f"source {source}: orders: parts compacted into one "
            f"in {time.perf_counter() - began:.1f} s"
        )
    return counts
