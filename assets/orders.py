"""One source's orders: unpartitioned, appended per run and de-duplicated on read.

Each run reads from per-account cursors (see `assets.order_sync`); `full_refresh` reads
everything.
"""

from datetime import datetime, timedelta

import dagster as dg

from assets.fetch import fetch_context, run_connector
from assets.order_sync import DEFAULT_LOOKBACK, landed_cursors, sync_orders
from assets.resources import SourcesResource, WarehouseResource
from assets.tables_common import (
    DESCRIPTIONS,
    ORDERS_FRESHNESS,
    asset_key,
    group,
    pool,
    step_metadata,
)


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
        since: dict[str, datetime] = {}
        if not config.full_refresh:
            since = landed_cursors(lake, source, timedelta(hours=config.lookback_hours))
        mode = f"incremental ({len(since)} accounts from a cursor)" if since else "full"
        context.log.info(f"source {source}: orders: {mode}")
        counts, requests = run_connector(
            source_config,
            lambda connector: sync_orders(connector, ctx, accounts, lake, source, since),
        )
        warehouse.catalog.refresh()
        context.log.info(f"source {source}: orders: {counts}")
        earliest = min(since.values()).isoformat() if since else None
        return dg.MaterializeResult(
            metadata=step_metadata(
                counts,
                requests,
                ctx,
                mode=mode,
                **({"earliest_cursor": earliest} if earliest else {}),
            )
        )

    return _orders
