"""The six canonical tables as Dagster assets, one partition per source.

`accounts` (with the users and connections it belongs to) is read first; balances,
positions and orders are then read for the accounts that landed, each in its own step, so
each (table, source) is written by exactly one step.
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets.fetch import fetch_context, run_connector
from assets.partitions import source_partitions
from assets.resources import SourcesResource, WarehouseResource
from assets.store import StoreCounts, keep_unread_users, store
from brokers.connector import Connector, FetchContext, Snapshot
from warehouse import Lake

GROUP = "brokerage"
TABLE_ASSET_KEYS = {
    name: dg.AssetKey(name)
    for name in ("users", "connections", "accounts", "balances", "positions", "orders")
}
ORDERS_CHUNK_ROWS = 50_000  # orders are written in parts of about this many rows

DESCRIPTIONS = {
    "users": "End users on whose behalf data is read (derived from the key where the API "
    "has no users).",
    "connections": "Credentials or links to an institution, with their status.",
    "accounts": "Brokerage accounts (account numbers masked to the last four characters).",
    "balances": "Cash, buying power and equity per account and currency, one snapshot a day.",
    "positions": "Holdings per account, one snapshot a day.",
    "orders": "Every order, latest state (appended per run, de-duplicated on read).",
}


def _metadata(
    counts: StoreCounts, requests: int, ctx: FetchContext, **extra: object
) -> dict[str, object]:
    """What a step did, and what the user should know about it (`warnings`)."""
    warnings = {"warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in ctx.warnings))}
    return {
        **counts.metadata(),
        "requests": requests,
        **extra,
        **(warnings if ctx.warnings else {}),
    }


def build_table_assets(source_names: list[str]) -> list[dg.AssetsDefinition]:
    partitions = source_partitions(source_names)

    @dg.multi_asset(
        name="accounts_step",
        specs=[
            dg.AssetSpec(name, group_name=GROUP, description=DESCRIPTIONS[name])
            for name in ("users", "connections", "accounts")
        ],
        partitions_def=partitions,
    )
    def accounts_step(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> Iterator[dg.MaterializeResult]:
        source = sources.get(context.partition_key)
        ctx = fetch_context(context)
        batch, requests = run_connector(source, lambda c: c.accounts(ctx))
        lake = warehouse.lake
        for name in ("users", "connections", "accounts"):
            frame = getattr(batch, name)
            if name != "users":
                frame = keep_unread_users(lake, name, source.name, frame, batch.unread_users)
            counts = store(lake, name, source.name, frame, run_id=ctx.run_id)
            context.log.info(f"source {source.name}: {name}: {counts.metadata()}")
            yield dg.MaterializeResult(
                asset_key=name, metadata=_metadata(counts, requests, ctx, sandbox=source.sandbox)
            )
        warehouse.catalog.refresh()

    def snapshot_asset(name: str) -> dg.AssetsDefinition:
        @dg.asset(
            name=name,
            deps=[TABLE_ASSET_KEYS["accounts"]],
            partitions_def=partitions,
            group_name=GROUP,
            description=DESCRIPTIONS[name],
        )
        def _snapshot(
            context: dg.AssetExecutionContext,
            sources: SourcesResource,
            warehouse: WarehouseResource,
        ) -> dg.MaterializeResult:
            source = sources.get(context.partition_key)
            ctx = fetch_context(context)
            accounts = warehouse.lake.read("accounts", source.name)

            async def call(connector: Connector) -> Snapshot:
                return await getattr(connector, name)(ctx, accounts)

            snapshot, requests = run_connector(source, call)
            as_of_date = snapshot.as_of.date()
            counts = store(
                warehouse.lake,
                name,
                source.name,
                snapshot.frame,
                run_id=ctx.run_id,
                as_of_date=as_of_date,
            )
            warehouse.catalog.refresh()
            context.log.info(f"source {source.name}: {name} as of {snapshot.as_of}: {counts}")
            return dg.MaterializeResult(
                metadata=_metadata(
                    counts,
                    requests,
                    ctx,
                    as_of=snapshot.as_of.isoformat(),
                    as_of_date=str(as_of_date),
                )
            )

        return _snapshot

    @dg.asset(
        deps=[TABLE_ASSET_KEYS["accounts"]],
        partitions_def=partitions,
        group_name=GROUP,
        description=DESCRIPTIONS["orders"],
    )
    def orders(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        source = sources.get(context.partition_key)
        ctx = fetch_context(context)
        lake = warehouse.lake
        accounts = lake.read("accounts", source.name)
        counts, requests = run_connector(
            source, lambda connector: _sync_orders(connector, ctx, accounts, lake, source.name)
        )
        lake.compact("orders", source.name)
        warehouse.catalog.refresh()
        context.log.info(f"source {source.name}: orders: {counts}")
        return dg.MaterializeResult(metadata=_metadata(counts, requests, ctx))

    return [
        accounts_step,
        snapshot_asset("balances"),
        snapshot_asset("positions"),
        orders,
    ]


async def _sync_orders(
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
