"""One source's orders in one step: not partitioned by day, merged into the lake on
their key, checked as they land.

Each run reads what changed since the last (the change feed where the API has one, else
per-account cursors; see `assets.order_sync`); `full_refresh` reads everything.
"""

import time
from datetime import timedelta
from functools import partial

import dagster as dg

from assets.checks import Landed, check_specs, table_checks
from assets.fetch import SourceStep, connector_session
from assets.order_sync import DEFAULT_LOOKBACK, OrdersRead, plan_read, sync_orders
from assets.resources import SourcesResource, WarehouseResource
from assets.store import StoreCounts
from assets.tables_common import (
    DESCRIPTIONS,
    ORDERS_FRESHNESS,
    asset_key,
    group,
    since,
    step_metadata,
)
from brokers.connector import Connector


class OrdersConfig(dg.Config):
    full_refresh: bool = False  # read every order again, ignoring the cursors
    # how far before the latest order landed a run re-reads
    lookback_hours: float = DEFAULT_LOOKBACK.total_seconds() / 3600


def orders_step(
    source: str, kind: str, retry: dg.RetryPolicy | None, pool: str | None
) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(source, "orders"),
        deps=[asset_key(source, "accounts")],
        check_specs=check_specs(source, ("orders",), None),
        group_name=group(source),
        description=DESCRIPTIONS["orders"],
        kinds={kind},
        pool=pool,
        retry_policy=retry,
        freshness_policy=ORDERS_FRESHNESS,
    )
    def _orders(
        context: dg.AssetExecutionContext,
        config: OrdersConfig,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        source_config, lake, ctx, accounts = SourceStep.start(source, context, sources, warehouse)
        lookback = timedelta(hours=config.lookback_hours)

        async def read_orders(connector: Connector) -> tuple[StoreCounts, OrdersRead]:
            read = await plan_read(
                connector, lake, source, accounts, full_refresh=config.full_refresh,
                lookback=lookback,
            )  # fmt: skip
            context.log.info(f"source {source}: orders: {read.mode}")
            return await sync_orders(connector, ctx, read, lake, source), read

        began = time.perf_counter()
        with warehouse.refreshed(), connector_session(source_config) as session:
            counts, read = session.run(read_orders)
            requests = session.requests
        context.log.info(f"source {source}: orders: {counts}")
        earliest = min(read.since.values()).isoformat() if read.since else None
        rows = partial(lake.read_run, "orders", source, ctx.run_id, version=counts.version)
        return dg.MaterializeResult(
            metadata=step_metadata(
                counts,
                ctx,
                requests=requests,
                seconds=since(began),
                mode=read.mode,
                **({"earliest_cursor": earliest} if earliest else {}),
            ),
            check_results=table_checks(
                Landed(source, "orders", counts, rows), warehouse.max_quarantined_share
            ),
        )

    return _orders
