"""The code location `dagster dev -w workspace.yaml` loads: one set of assets per
configured source, with their checks, the jobs, the schedules (on by default) and the
warehouse resource.

The sources come from a sources file (`BROKERLAKE_SOURCES`, or `./sources.yaml`), or
from the built-in sandbox when `BROKERLAKE_SANDBOX=1`; with neither, the location fails
to load, saying so. The file is validated in full as it loads (every problem at once), so
a bad file never reaches a run, and a lake holding the other kind of data is refused."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date

import dagster as dg

from assets import SourcesResource, WarehouseResource, asset_key, build_table_assets
from assets.analytics import build_analytics_assets
from assets.environment import check
from assets.fetch import RETRY_POLICY
from assets.fx import ReferenceResource
from assets.maintenance import lake_maintenance, maintenance_schedule
from assets.partitions import daily_partitions
from brokers.kinds import BY_KIND
from pipelines.embedded_sandbox import embedded_sandbox
from pipelines.settings import Settings

# Day-partitioned asset checks are a preview feature of Dagster; the warning says nothing
# a user of brokerlake can act on.
warnings.filterwarnings("ignore", message=r".*partitions_def on an AssetCheckSpec.*")

SYNC_JOB = "sync_all"
SNAPSHOT_JOB = "daily_snapshots"
ORDERS_JOB = "sync_orders"
ACTIVITIES_JOB = "sync_activities"
SNAPSHOT_SCHEDULE = "daily_snapshots_schedule"
ORDERS_SCHEDULE = "sync_orders_schedule"
ACTIVITIES_SCHEDULE = "sync_activities_schedule"
ANALYTICS_JOB = "analytics"
ANALYTICS_SCHEDULE = "analytics_schedule"
ANALYTICS_HOUR_UTC, ANALYTICS_MINUTE = 22, 15  # after the day's snapshots and the ECB's rates
ACTIVITIES_MINUTE = 40  # every hour, at this minute (between the orders' quarter hours)
ORDERS_EVERY_MINUTES = 15
# Runs launched from the UI or a schedule run each step in a process of its own. They are
# forked from a server that has already imported the run's entry point, the code location
# (Dagster, polars, Pandera, the connectors) and the instance's storage, so a step starts
# in a fraction of a second rather than importing everything again; steps of different
# sources run in parallel. (A module missing from this list is skipped, not an error.)
PRELOADED = [
    "__main__",
    "pipelines.definitions",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
]
EXECUTOR = dg.multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": PRELOADED}}}
)
SNAPSHOT_HOUR_UTC, SNAPSHOT_MINUTE = 21, 30  # after the US close, before midnight UTC


def build_definitions(
    sources: SourcesResource,
    kinds: Mapping[str, str],
    home: str,
    first_day: date,
    in_process: bool = False,
) -> dg.Definitions:
    """`in_process`: for a run in this process (the command line's), whose steps fail at
    once (it reports failures; the schedules retry) and take no pool slots (it runs one
    step at a time, and a run killed there would hold its slots for good)."""
    table_assets = build_table_assets(
        kinds, first_day, None if in_process else RETRY_POLICY, pooled=not in_process
    )
    analytics_assets = build_analytics_assets(
        kinds, None if in_process else RETRY_POLICY, pooled=not in_process
    )
    days = daily_partitions(first_day)
    orders = dg.AssetSelection.assets(
        *[asset_key(name, "orders") for name, kind in kinds.items() if BY_KIND[kind].has_orders]
    )
    activities = dg.AssetSelection.assets(*[asset_key(name, "activities") for name in kinds])
    analytics = dg.AssetSelection.assets(*analytics_assets)
    snapshots = dg.AssetSelection.all() - orders - activities - analytics
    sync_all = dg.define_asset_job(
        SYNC_JOB,
        selection=dg.AssetSelection.all() - analytics,
        partitions_def=days,
        description="Every table of every source: the day's snapshots, then orders, then "
        "activities.",
    )
    daily = dg.define_asset_job(
        SNAPSHOT_JOB,
        selection=snapshots,
        partitions_def=days,
        description="Users, connections, accounts, balances and positions of every source, "
        "for one day.",
    )
    orders_job = dg.define_asset_job(
        ORDERS_JOB, selection=orders, description="Orders of every source, incrementally."
    )
    activities_job = dg.define_asset_job(
        ACTIVITIES_JOB,
        selection=activities,
        description="Activities of every source, incrementally (from the latest landed less "
        "a look-back).",
    )
    analytics_job = dg.define_asset_job(
        ANALYTICS_JOB,
        selection=analytics,
        description="The ECB's reference rates, the portfolio history brokers report, and the "
        "analytics models (portfolio_daily, performance, income_monthly, realized_pnl, ...).",
    )
    schedules = [
        dg.build_schedule_from_partitioned_job(
            daily,
            name=SNAPSHOT_SCHEDULE,
            hour_of_day=SNAPSHOT_HOUR_UTC,
            minute_of_hour=SNAPSHOT_MINUTE,
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description="Each day's snapshot of every source, on that day.",
        ),
        dg.ScheduleDefinition(
            name=ORDERS_SCHEDULE,
            job=orders_job,
            cron_schedule=f"*/{ORDERS_EVERY_MINUTES} * * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description=f"Orders of every source, every {ORDERS_EVERY_MINUTES} minutes.",
        ),
        dg.ScheduleDefinition(
            name=ACTIVITIES_SCHEDULE,
            job=activities_job,
            cron_schedule=f"{ACTIVITIES_MINUTE} * * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description="Activities of every source, every hour.",
        ),
        dg.ScheduleDefinition(
            name=ANALYTICS_SCHEDULE,
            job=analytics_job,
            cron_schedule=f"{ANALYTICS_MINUTE} {ANALYTICS_HOUR_UTC} * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description="The day's exchange rates, reported histories and analytics, after "
            "the day's snapshots.",
        ),
    ]
    return dg.Definitions(
        assets=[*table_assets, *analytics_assets],
        jobs=[sync_all, daily, orders_job, activities_job, analytics_job, lake_maintenance],
        schedules=[*schedules, maintenance_schedule],
        executor=EXECUTOR,
        resources={
            "sources": sources,
            "warehouse": WarehouseResource(home=home),
            "reference": ReferenceResource(sandbox_url=sources.sandbox_url),
        },
    )


def sources_for(
    settings: Settings, *, check_home: bool = True
) -> tuple[SourcesResource, dict[str, str]]:
    """The sources resource and {source name: broker kind} for these settings: a sources
    file validated in full (every problem at once, a ConfigError), or the built-in
    sandbox. With `check_home`, the home must hold data of that kind, or none yet."""
    if settings.uses_sandbox:
        sandbox = embedded_sandbox(
            settings.sandbox_seed,
            settings.sandbox_clock,
            settings.sandbox_faults,
            settings.sandbox_drift,
            settings.sandbox_broker_accounts,
        )
        resource = SourcesResource(sandbox_url=sandbox.base_url)
    else:
        assert settings.sources_file is not None
        resource = SourcesResource(path=str(settings.sources_file.resolve()))
    sources = resource.load()
    for sandboxed in {source.sandbox for source in sources} if check_home else ():
        check(settings.home, sandboxed)
    return resource, {source.name: source.kind for source in sources}


@dg.definitions
def defs() -> dg.Definitions:
    settings = Settings.from_env()
    sources, kinds = sources_for(settings)
    return build_definitions(sources, kinds, settings.home_uri, settings.first_day)
