"""One source's daily assets: its accounts (with users and connections), balances and
positions, one partition per day. A day can be read only while it is the API's present
(the sandbox replays past days), and a snapshot that the API dates otherwise is refused
rather than filed under the wrong day."""

from collections.abc import Iterator

import dagster as dg

from assets.fetch import fetch_context, run_connector
from assets.partitions import partition_day
from assets.resources import SourcesResource, WarehouseResource
from assets.store import store, store_accounts
from assets.sync import wrong_day
from assets.tables_common import (
    ACCOUNT_TABLES,
    DESCRIPTIONS,
    SNAPSHOT_FRESHNESS,
    asset_key,
    group,
    pool,
    step_metadata,
)
from brokers.connector import Connector, Snapshot


def accounts_step(
    source: str, kind: str, days: dg.PartitionsDefinition, retry: dg.RetryPolicy | None
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{group(source)}__accounts_step",
        specs=[
            dg.AssetSpec(
                asset_key(source, name),
                group_name=group(source),
                description=DESCRIPTIONS[name],
                kinds={kind},
                freshness_policy=SNAPSHOT_FRESHNESS,
            )
            for name in ACCOUNT_TABLES
        ],
        partitions_def=days,
        pool=pool(kind),
        retry_policy=retry,
    )
    def _accounts(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> Iterator[dg.MaterializeResult]:
        day = partition_day(context)
        config = sources.get(source, day)
        ctx = fetch_context(context)
        batch, requests = run_connector(config, lambda c: c.accounts(ctx))
        stored = store_accounts(warehouse.lake, source, batch, run_id=ctx.run_id, day=day)
        for name, counts in stored.items():
            context.log.info(f"source {source}: {name} on {day}: {counts.metadata()}")
            yield dg.MaterializeResult(
                asset_key=asset_key(source, name),
                metadata=step_metadata(counts, requests, ctx, sandbox=config.sandbox),
            )
        warehouse.catalog.refresh()

    return _accounts


def snapshot_asset(
    name: str, source: str, kind: str, days: dg.PartitionsDefinition, retry: dg.RetryPolicy | None
) -> dg.AssetsDefinition:
    @dg.asset(
        key=asset_key(source, name),
        deps=[asset_key(source, "accounts")],
        partitions_def=days,
        group_name=group(source),
        description=DESCRIPTIONS[name],
        kinds={kind},
        pool=pool(kind),
        retry_policy=retry,
        freshness_policy=SNAPSHOT_FRESHNESS,
    )
    def _snapshot(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        day = partition_day(context)
        config = sources.get(source, day)
        ctx = fetch_context(context)
        accounts = warehouse.lake.read_history_day("accounts", source, day)

        async def call(connector: Connector) -> Snapshot:
            return await getattr(connector, name)(ctx, accounts)

        snapshot, requests = run_connector(config, call)
        problem = wrong_day(name, day, snapshot.as_of)
        if problem:
            raise dg.Failure(description=f"source {source}: {problem}", allow_retries=False)
        counts = store(
            warehouse.lake, name, source, snapshot.frame, run_id=ctx.run_id, as_of_date=day
        )
        warehouse.catalog.refresh()
        context.log.info(f"source {source}: {name} as of {snapshot.as_of}: {counts}")
        return dg.MaterializeResult(
            metadata=step_metadata(
                counts, requests, ctx, as_of=snapshot.as_of.isoformat(), as_of_date=str(day)
            )
        )

    return _snapshot
