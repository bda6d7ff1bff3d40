"""One source's orders: unpartitioned, appended per run and de-duplicated on read."""

import dagster as dg
import polars as pl

from assets.fetch import RETRY_POLICY, fetch_context, run_connector
from assets.resources import SourcesResource, WarehouseResource
from assets.store import StoreCounts, store
from assets.tables_common import (
    DESCRIPTIONS,
    ORDERS_FRESHNESS,
    asset_key,
    group,
    pool,
    step_metadata,
)
from brokers.connector import Connector, FetchContext
from warehouse import Lake

ORDERS_CHUNK_ROWS = 50_000  # orders are written in parts of about this many rows


def orders_asset(source: str, kind: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(source, "orders"),
        deps=[asset_key(source, "accounts")],
        group_name=group(source),
        description=DESCRIPTIONS["orders"],
        kinds={kind},
        pool=pool(kind),
        retry_policy=RETRY_POLICY,
        freshness_policy=ORDERS_FRESHNESS,
    )
    def _orders(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        config = sources.get(source)
        ctx = fetch_context(context)
        lake = warehouse.lake
        accounts = lake.read("accounts", source)
        counts, requests = run_connector(
            config, lambda connector: sync_orders(connector, ctx, accounts, lake, source)
        )
        lake.compact("orders", source)
        warehouse.catalog.refresh()
        context.log.info(f"source {source}: orders: {counts}")
        return dg.MaterializeResult(metadata=step_metadata(counts, requests, ctx))

    return _orders


async def sync_orders(
    connector: Connector, ctx: FetchContext, accounts: pl.DataFrame, lake: Lake, source: str
) -> StoreCounts:
    """Stream order pages to the lake in parts of bounded size."""
    counts = StoreCounts()
    pending: list[pl.DataFrame] = []
    pending_rows = 0
    seq = 0

    def flush() -> None:
        nonlocal pending, pending_rows, seq
        frame = pl.concat(pending, how="diagonal") if pending else None  # some quarantined
        if frame is not None:
            counts.add(store(lake, "orders", source, frame, run_id=ctx.run_id, seq=seq))
            seq += 1
        pending, pending_rows = [], 0

    async for page in connector.orders(ctx, accounts):
        pending.append(page)
        pending_rows += page.height
        if pending_rows >= ORDERS_CHUNK_ROWS:
            flush()
    flush()
    return counts
