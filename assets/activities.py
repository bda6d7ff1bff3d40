"""One source's activities in one step: the ledger of every cash and position movement,
not partitioned by day, merged into the lake on its key, checked as it lands.

Each run reads from the latest activity landed per account less a look-back (activities
post and settle late); the first reads all history; `full_refresh` reads everything
again, and `backfill_from` / `backfill_to` read a range of days (see
`assets.activity_sync`). Besides the checks every table has:

- `ledger`: between the source's two latest snapshots (or, with one, since each
  account opened), each position's change in units and each currency's change in cash
  against what the executed activities in between moved, within the stated tolerances;
  what they do not explain is listed by account and symbol or currency (a warning: real
  brokers post late);
- `order_link`: every trade activity naming an order points at an order in `orders`.
"""

import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from functools import partial

import dagster as dg
import polars as pl

from assets.activity_sync import ActivitiesSynced, plan, sync_activities
from assets.activity_windows import DEFAULT_LOOKBACK
from assets.checks import Landed, check_specs, table_checks
from assets.fetch import SourceStep, connector_session
from assets.ledger import Tolerance, ledger_gaps, orphan_fills
from assets.resources import SourcesResource, WarehouseResource
from assets.tables_common import (
    ACTIVITIES_FRESHNESS,
    DESCRIPTIONS,
    asset_key,
    group,
    since,
    step_metadata,
)
from brokers.connector import Connector
from warehouse import Lake

LEDGER, ORDER_LINK = "ledger", "order_link"
SHOWN = 20  # unexplained differences (or orphan fills) listed in a check's metadata


class ActivitiesConfig(dg.Config):
    full_refresh: bool = False  # read every activity again, ignoring the cursors
    # how far before the latest activity landed per account a run re-reads
    lookback_hours: float = DEFAULT_LOOKBACK.total_seconds() / 3600
    # a backfill: every account's activities of these days (UTC, both included)
    backfill_from: str | None = None
    backfill_to: str | None = None

    def backfill(self) -> tuple[datetime, datetime] | None:
        if self.backfill_from is None and self.backfill_to is None:
            return None
        if self.backfill_from is None or self.backfill_to is None:
            raise dg.Failure(
                description="a backfill of activities needs both backfill_from and "
                "backfill_to (YYYY-MM-DD, UTC days, both included)",
                allow_retries=False,
            )
        first, last = (_day(text) for text in (self.backfill_from, self.backfill_to))
        if last < first:
            raise dg.Failure(
                description=f"backfill_to {last} is before backfill_from {first}",
                allow_retries=False,
            )
        start = datetime.combine(first, clock.min, UTC)
        return start, datetime.combine(last + timedelta(days=1), clock.min, UTC)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise dg.Failure(
            description=f"not a date (YYYY-MM-DD): {text!r}", allow_retries=False
        ) from None


def activity_check_specs(source: str, with_orders: bool = True) -> list[dg.AssetCheckSpec]:
    """The activities' checks; the order link only where the API has orders."""
    key = asset_key(source, "activities")
    specs = [
        *check_specs(source, ("activities",), None),
        dg.AssetCheckSpec(
            LEDGER,
            asset=key,
            additional_deps=[asset_key(source, "balances"), asset_key(source, "positions")],
            description="Between the two latest snapshots (or since each account opened), "
            "each position's change in units and each currency's change in cash equal what "
            "the executed activities in between moved, within the stated tolerances; the "
            "unexplained differences are listed by account and symbol.",
        ),
    ]
    if with_orders:
        specs.append(
            dg.AssetCheckSpec(
                ORDER_LINK,
                asset=key,
                additional_deps=[asset_key(source, "orders")],
                description="Every trade activity naming an order points at an order in orders.",
            )
        )
    return specs


def activities_step(
    source: str,
    kind: str,
    retry: dg.RetryPolicy | None,
    pool: str | None,
    with_orders: bool = True,
) -> dg.AssetsDefinition:
    """`with_orders`: the source has orders (they land first; fills link to them)."""

    @dg.asset(
        key=asset_key(source, "activities"),
        deps=[asset_key(source, "accounts")]
        + ([asset_key(source, "orders")] if with_orders else []),
        check_specs=activity_check_specs(source, with_orders),
        group_name=group(source),
        description=DESCRIPTIONS["activities"],
        kinds={kind},
        pool=pool,
        retry_policy=retry,
        freshness_policy=ACTIVITIES_FRESHNESS,
    )
    def _activities(
        context: dg.AssetExecutionContext,
        config: ActivitiesConfig,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        source_config, lake, ctx, accounts = SourceStep.start(source, context, sources, warehouse)
        backfill = config.backfill()
        lookback = timedelta(hours=config.lookback_hours)
        read = plan(
            lake, source, accounts, lookback=lookback, full_refresh=config.full_refresh,
            backfill=backfill,
        )  # fmt: skip
        context.log.info(f"source {source}: activities: {read.mode}")

        async def read_activities(connector: Connector) -> ActivitiesSynced:
            return await sync_activities(connector, ctx, read, lake, source)

        began = time.perf_counter()
        with warehouse.refreshed(), connector_session(source_config) as session:
            synced = session.run(read_activities)
            requests = session.requests
        counts = synced.counts
        context.log.info(f"source {source}: activities: {synced.metadata()}")
        rows = partial(lake.read_run, "activities", source, ctx.run_id, version=counts.version)
        tolerance = Tolerance(
            Decimal(warehouse.ledger_units_tolerance), Decimal(warehouse.ledger_cash_tolerance)
        )
        return dg.MaterializeResult(
            metadata=step_metadata(
                counts,
                ctx,
                requests=requests,
                seconds=since(began),
                mode=read.mode,
                rows_no_longer_served=synced.removed,
                **({"readded_ids": _readded(synced)} if synced.readded else {}),
            ),
            check_results=[
                *table_checks(
                    Landed(source, "activities", counts, rows), warehouse.max_quarantined_share
                ),
                ledger(source, lake, tolerance),
                *([order_link(source, lake)] if with_orders else []),
            ],
        )

    return _activities


def _readded(synced: ActivitiesSynced) -> list[str]:
    return [f"{account}: {old} -> {new}" for account, old, new in synced.readded][:SHOWN]


def _listed(frame: pl.DataFrame) -> dg.MetadataValue:
    rows = frame.head(SHOWN).iter_rows(named=True)
    return dg.MetadataValue.json([{k: str(v) for k, v in row.items()} for row in rows])


def _named(gaps: pl.DataFrame) -> str:
    """The first unexplained differences in words: account, symbol or currency, by how much."""
    first = [
        f"{row['account_id']} {row['symbol']} {row['what']} off by {row['difference']}"
        for row in gaps.head(3).iter_rows(named=True)
    ]
    more = f" (and {gaps.height - 3} more)" if gaps.height > 3 else ""
    return f"{gaps.height} changes the activities do not explain: {'; '.join(first)}{more}"


def _orphans_named(orphans: pl.DataFrame) -> str:
    first = [
        f"{row['account_id']} {row['activity_id']} -> order {row['order_id']}"
        for row in orphans.head(3).iter_rows(named=True)
    ]
    more = f" (and {orphans.height - 3} more)" if orphans.height > 3 else ""
    return f"{orphans.height} fills name an order not in orders: {'; '.join(first)}{more}"


def ledger(source: str, lake: Lake, tolerance: Tolerance) -> dg.AssetCheckResult:
    """The ledger reconciliation over the source's latest snapshots."""
    days = lake.days("balances", source)
    if not days:
        return dg.AssetCheckResult(
            asset_key=asset_key(source, "activities"),
            check_name=LEDGER,
            passed=True,
            metadata={"skipped": "no snapshot of balances and positions has landed yet"},
        )

    def snapshot(day: date) -> tuple[pl.DataFrame, pl.DataFrame]:
        return lake.read_day("balances", source, day), lake.read_day("positions", source, day)

    before = snapshot(days[-2]) if len(days) > 1 else None
    activities = lake.read("activities", source)
    gaps = ledger_gaps(activities, snapshot(days[-1]), before, tolerance)
    between = f"{days[-2]} and {days[-1]}" if before else f"each account's opening and {days[-1]}"
    return dg.AssetCheckResult(
        asset_key=asset_key(source, "activities"),
        check_name=LEDGER,
        passed=gaps.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "between": between,
            "units_tolerance": str(tolerance.units),
            "cash_tolerance": str(tolerance.cash),
            "unexplained": gaps.height,
            "accounts_unexplained": gaps.get_column("account_id").n_unique(),
            **({"differences": _listed(gaps), "problems": _named(gaps)} if gaps.height else {}),
        },
    )


def order_link(source: str, lake: Lake) -> dg.AssetCheckResult:
    """Trade activities naming an order that orders does not hold."""
    orphans = orphan_fills(lake.read("activities", source), lake.read("orders", source))
    return dg.AssetCheckResult(
        asset_key=asset_key(source, "activities"),
        check_name=ORDER_LINK,
        passed=orphans.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "fills_without_their_order": orphans.height,
            **(
                {"fills": _listed(orphans), "problems": _orphans_named(orphans)}
                if orphans.height
                else {}
            ),
        },
    )
