"""One source's daily snapshot in one step: its accounts (with users and connections),
then balances and positions for the accounts that landed, one partition per day, each
table checked as it lands. A day can be read only while it is the API's present (the
sandbox replays past days), and a snapshot that the API dates otherwise is refused
rather than filed under the wrong day."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial

import dagster as dg
import polars as pl

from assets.checks import CONTRACT, Landed, check_specs, equity, table_checks
from assets.fetch import Session, connector_session, fetch_context
from assets.partitions import partition_day
from assets.resources import SourcesResource, WarehouseResource
from assets.store import store, store_accounts
from assets.sync import wrong_day
from assets.tables_common import (
    DAILY_TABLES,
    DESCRIPTIONS,
    SNAPSHOT_FRESHNESS,
    asset_key,
    group,
    since,
    step_metadata,
)
from brokers.connector import Connector, Snapshot
from warehouse import Lake

SNAPSHOTS_STEP = "snapshots"  # the step's name after the source's group: `<group>__snapshots`


def snapshots_step(
    source: str,
    kind: str,
    days: dg.PartitionsDefinition,
    retry: dg.RetryPolicy | None,
    pool: str | None,
) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            asset_key(source, name),
            deps=[asset_key(source, "accounts")] if name in ("balances", "positions") else [],
            group_name=group(source),
            description=DESCRIPTIONS[name],
            kinds={kind},
            freshness_policy=SNAPSHOT_FRESHNESS,
        )
        for name in DAILY_TABLES
    ]

    @dg.multi_asset(
        name=f"{group(source)}__{SNAPSHOTS_STEP}",
        specs=specs,
        check_specs=check_specs(source, DAILY_TABLES, days),
        partitions_def=days,
        pool=pool,
        retry_policy=retry,
    )
    def _snapshots(
        context: dg.AssetExecutionContext,
        sources: SourcesResource,
        warehouse: WarehouseResource,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        day = partition_day(context)
        config = sources.get(source, day)
        lake, allowed = warehouse.lake_for(config), warehouse.max_quarantined_share
        step = Step(source, day, lake, context, allowed)
        with warehouse.refreshed(), connector_session(config) as session:
            yield from step.accounts(session, sandbox=config.sandbox)
            accounts = lake.read_history_day("accounts", source, day)
            landed = {}
            for name in ("balances", "positions"):
                result, landed[name] = step.snapshot(session, name, accounts)
                yield result
        yield equity(source, landed["balances"], landed["positions"], warehouse.equity_tolerance)

    return _snapshots


@dataclass(frozen=True)
class Step:
    """One source's snapshot of one day, table by table."""

    source: str
    day: date
    lake: Lake
    # Each table is read in a fetch context of its own: its rows' `fetched_at`, and the
    # warnings its metadata shows.
    context: dg.AssetExecutionContext
    allowed: float  # the share of fetched rows that may go to quarantine

    def accounts(self, session: Session, *, sandbox: bool) -> Iterator[dg.MaterializeResult]:
        """Users, connections and accounts, landed and checked; a failed accounts
        contract stops the step before balances and positions are read."""
        source, day, lake, ctx = self.source, self.day, self.lake, fetch_context(self.context)
        began, sent = time.perf_counter(), session.requests
        batch = session.run(lambda c: c.accounts(ctx))
        stored = store_accounts(lake, source, batch, run_id=ctx.run_id, day=day)
        took = {"requests": session.requests - sent, "seconds": since(began)}
        blocked = None
        for name, counts in stored.items():
            rows = partial(
                lambda name, version: iter(
                    [lake.read_history_day(name, source, day, as_of=version)]
                ),
                name,
                counts.version,
            )
            checks = table_checks(Landed(source, name, counts, rows), self.allowed)
            if name == "accounts" and not checks[0].passed:
                blocked = checks[0].metadata["problems"].value
            ctx.log.info(f"source {source}: {name} on {day}: {counts.metadata()}")
            yield dg.MaterializeResult(
                asset_key=asset_key(source, name),
                metadata=step_metadata(counts, ctx, **took, sandbox=sandbox),
                check_results=checks,
            )
        if blocked is not None:
            raise dg.Failure(
                description=f"source {source}: the accounts landed fail their {CONTRACT} "
                f"check ({blocked}); balances and positions were not read",
                allow_retries=False,
            )

    def snapshot(
        self, session: Session, name: str, accounts: pl.DataFrame
    ) -> tuple[dg.MaterializeResult, pl.DataFrame]:
        """Balances or positions of the accounts, landed and checked; and the rows landed."""
        source, day, ctx = self.source, self.day, fetch_context(self.context)
        began, sent = time.perf_counter(), session.requests

        async def read(connector: Connector) -> Snapshot:
            return await getattr(connector, name)(ctx, accounts)

        snapshot = session.run(read)
        problem = wrong_day(name, day, snapshot.as_of)
        if problem:
            raise dg.Failure(description=f"source {source}: {problem}", allow_retries=False)
        counts = store(self.lake, name, source, snapshot.frame, run_id=ctx.run_id, as_of_date=day)
        took = {"requests": session.requests - sent, "seconds": since(began)}
        landed = self.lake.read_day(name, source, day, as_of=counts.version)
        ctx.log.info(f"source {source}: {name} as of {snapshot.as_of}: {counts}")
        result = dg.MaterializeResult(
            asset_key=asset_key(source, name),
            metadata=step_metadata(
                counts, ctx, **took, as_of=snapshot.as_of.isoformat(), as_of_date=str(day)
            ),
            check_results=table_checks(
                Landed(source, name, counts, partial(iter, [landed])), self.allowed
            ),
        )
        return result, landed
