"""One source's orders: not partitioned by day, merged into the lake on their key.

Each run reads what changed since the last (the change feed where the API has one, else
per-account cursors; see `assets.order_sync`); `full_refresh` reads everything.
"""

from datetime import timedelta

import dagster as dg

from assets.fetch import fetch_context, run_connector
from assets.order_sync import DEFAULT_LOOKBACK, OrdersRead, plan_read, sync_orders
from assets.resources import SourcesResource, WarehouseResource
from assets.store import StoreCounts
from assets.tables_common import (
    DESCRIPTIONS,
    ORDERS_FRESHNESS,
    asset_key,
    group,
    pool,
    step_metadata,
)
from brokers.connector import Connector


class OrdersConfig(dg.Config):
    full_refresh: bool = False  # read every order again, ignoring the cursors
    # how far before the latest order landed a run re-reads
    lookback_hours: float = DEFAULT_LOOKBACK.total_seconds() / 3600


def orders_asset(source: str, kind: str, retry: dg.RetryPolicy | None) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(source, "orders"),
        deps=[asset_key(source, "accounts")],
        group_name=group(source),
        description=DESCRIPTIONS["orders"],
        kinds={kind},
        pool=pool(kind),
        retry_policy=retry,
        freshness_policy=ORDERS_FRESHNESS,
    )
    def _orders(
        context: dg.AssetExecutionContext,
        config: OrdersConfig,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        source_config = sources.get(source)
        ctx = fetch_context(context)
        lake = warehouse.lake
        accounts = lake.read("accounts", source)
        lookback = timedelta(hours=config.lookback_hours)

        async def read_orders(connector: Connector) -> tuple[StoreCounts, OrdersRead]:
            read = await plan_read(
                connector, lake, source, accounts, full_refresh=config.full_refresh,
                lookback=lookback,
            )  # fmt: skip
            context.log.info(f"source {source}: orders: {read.mode}")
            return await sync_orders(connector, ctx, read, lake, source), read

        (counts, read), requests = run_connector(source_config, read_orders)
        warehouse.catalog.refresh()
        context.log.info(f"source {source}: orders: {counts}")
        earliest = min(read.since.values()).isoformat() if read.since else None
        return dg.MaterializeResult(
            metadata=step_metadata(
                counts,
                requests,
                ctx,
                mode=read.mode,
                **({"earliest_cursor": earliest} if earliest else {}),
            )
        )

    return _orders
