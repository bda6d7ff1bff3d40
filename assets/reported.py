"""What a broker reports about an account's value over time, beside what brokerlake
computes: Alpaca's portfolio history (daily equity, profit or loss, cash flows) landed as
`portfolio_history_reported` per Alpaca Trading source; the `portfolio_pnl_comparison`
model compares it with brokerlake's, and its check lists the accounts that diverge.

Each run reads from the last day landed less a week (a day's point is restated until it
is over), never before the source's first snapshot (what the history is compared with)
nor 90 days back; the first run, or one after snapshots were backfilled, from there.
"""

import time
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import polars as pl

from assets.checks import Landed, check_specs, table_checks
from assets.fetch import SourceStep, connector_session
from assets.resources import SourcesResource, WarehouseResource
from assets.store import store
from assets.tables_common import asset_key, group, since, step_metadata
from brokers.alpaca.portfolio_history import BROKER_PATH, PATH, portfolio_history
from brokers.connector import Connector, FetchContext, account_currencies
from brokers.frames import canonical_frame
from warehouse import Lake

TABLE = "portfolio_history_reported"
# The source kinds whose broker reports a portfolio history, and where.
HISTORY_PATHS = {"alpaca": PATH, "alpaca_broker": BROKER_PATH}
FIRST_READ = timedelta(days=90)
RESTATED = timedelta(days=7)


def start_day(lake: Lake, source: str, today: date) -> date:
    """Where a run's read starts: never before the source's first snapshot (what the
    history is compared with) nor 90 days back; from there while the days since are not
    all landed yet, else from the last day landed less a week (restated until over)."""
    snapshots = lake.days("balances", source)
    floor = max(snapshots[0] if snapshots else today, today - FIRST_READ)
    first, last = (
        lake.scan(TABLE, source)
        .select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
        .collect()
        .row(0)
    )
    if first is None or first > floor:
        return min(floor, today)
    return min(max(floor, last - RESTATED), today)


async def reported_frame(
    connector: Connector, accounts: pl.DataFrame, source: str, kind: str, ctx: FetchContext,
    start: date,
) -> pl.DataFrame:  # fmt: skip
    """Every account's daily points from `start`, as one frame of the table."""
    rows: list = []
    transport = connector.transport  # type: ignore[attr-defined]
    for account_id, currency in sorted(account_currencies(accounts).items()):
        path = HISTORY_PATHS[kind]
        rows += await portfolio_history(transport, account_id, currency, start, path=path)
    return canonical_frame(TABLE, rows, source=source, broker=connector.broker, ctx=ctx)


def reported_step(source: str, kind: str, retry: dg.RetryPolicy | None, pool: str | None):
    @dg.asset(
        key=asset_key(source, TABLE),
        deps=[asset_key(source, "accounts"), asset_key(source, "activities")],
        check_specs=check_specs(source, (TABLE,), None),
        group_name=group(source),
        description="Each account's value over time as Alpaca reports it (portfolio "
        "history: daily equity, profit or loss, cash flows), to compare with brokerlake's.",
        kinds={kind},
        pool=pool,
        retry_policy=retry,
    )
    def _reported(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        source_config, lake, ctx, accounts = SourceStep.start(source, context, sources, warehouse)
        start = start_day(lake, source, datetime.now(UTC).date())

        async def read(connector: Connector) -> pl.DataFrame:
            return await reported_frame(connector, accounts, source, kind, ctx, start)

        began = time.perf_counter()
        with warehouse.refreshed(), connector_session(source_config) as session:
            frame = session.run(read)
            requests = session.requests
            counts = store(lake, TABLE, source, frame, run_id=ctx.run_id)
        rows = lambda: lake.read_run(TABLE, source, ctx.run_id, version=counts.version)  # noqa: E731
        return dg.MaterializeResult(
            metadata=step_metadata(
                counts, ctx, requests=requests, seconds=since(began), first_day=str(start)
            ),
            check_results=table_checks(
                Landed(source, TABLE, counts, rows), warehouse.max_quarantined_share
            ),
        )

    return _reported
