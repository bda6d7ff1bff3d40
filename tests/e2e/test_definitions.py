"""What the code location offers the UI: per-source assets in two steps each (the daily
snapshot, the orders), pooled per source, with their checks inside, the jobs and the
schedules (on by default); and a failing blocking contract check stops what depends on
it, for that source only."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
from deltalake import DeltaTable

from assets import SourcesResource, WarehouseResource, asset_key
from assets.maintenance import MAINTENANCE_JOB, MAINTENANCE_SCHEDULE
from pipelines.definitions import (
    ACTIVITIES_JOB,
    ACTIVITIES_SCHEDULE,
    ANALYTICS_JOB,
    ANALYTICS_SCHEDULE,
    ORDERS_JOB,
    ORDERS_SCHEDULE,
    SNAPSHOT_JOB,
    SNAPSHOT_SCHEDULE,
    SYNC_JOB,
    build_definitions,
)
from sandbox import DriftProfile, Sandbox, SandboxConfig
from tests.factories import frame, row
from warehouse import Catalog, Lake
from warehouse.models import models

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
TABLES = ("users", "connections", "accounts", "balances", "positions", "orders", "activities")
KINDS = {"a-alpaca": "alpaca", "b-broker": "alpaca_broker", "c-tradr": "tradr"}


def test_definitions_hold_schedules_pools_retries_freshness_and_checks(tmp_path):
    defs = build_definitions(SourcesResource(), KINDS, str(tmp_path), CLOCK.date())
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    analytics = {f"analytics/{model.name}" for model in models()}
    reported = {
        "a-alpaca/portfolio_history_reported",
        "b-broker/portfolio_history_reported",
        "reference/fx_reference_rates",
    }
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == {
        f"{source}/{table}" for source in KINDS for table in TABLES
    } | analytics | reported
    for source in KINDS:
        for table in TABLES:
            node = graph.get(asset_key(source, table))
            assert node.pools == {f"source_{source.replace('-', '_')}"}, (source, table)
            assert node.freshness_policy is not None
            assert (node.partitions_def is None) == (table in ("orders", "activities"))
            assert node.group_name == source.replace("-", "_")
        for table in TABLES:
            checks = {
                key.name for key in graph.get_check_keys_for_assets({asset_key(source, table)})
            }
            expected = {"contract", "reconciliation"} | {
                "balances": {"equity"}, "activities": {"ledger", "order_link"},
            }.get(table, set())  # fmt: skip
            assert checks == expected, (source, table, checks)
    blocking = {
        (spec.asset_key.to_user_string(), spec.name)
        for step in defs.assets or []
        for spec in step.check_specs
        if spec.blocking
    }
    assert blocking == {
        (f"{source}/{table}", "contract") for source in KINDS for table in TABLES
    } | {(f"{s}/portfolio_history_reported", "contract") for s in ("a-alpaca", "b-broker")}
    schedules = {schedule.name: schedule for schedule in repository.schedule_defs}
    assert set(schedules) == {
        SNAPSHOT_SCHEDULE, ORDERS_SCHEDULE, ACTIVITIES_SCHEDULE, MAINTENANCE_SCHEDULE,
        ANALYTICS_SCHEDULE,
    }  # fmt: skip
    assert all(s.default_status == dg.DefaultScheduleStatus.RUNNING for s in schedules.values())
    assert schedules[ORDERS_SCHEDULE].cron_schedule == "*/15 * * * *"
    assert {job.name for job in repository.get_all_jobs()} >= {
        SYNC_JOB, SNAPSHOT_JOB, ORDERS_JOB, ACTIVITIES_JOB, MAINTENANCE_JOB, ANALYTICS_JOB,
    }  # fmt: skip
    steps = repository.get_job(SYNC_JOB).all_node_defs
    assert len(steps) == 3 * len(KINDS)  # snapshot, orders and activities steps per source
    for node_def in steps:
        assert node_def.retry_policy is not None, node_def.name


def test_a_failing_contract_blocks_the_sources_downstream_assets(tmp_path):
    """A Broker API account in a currency no client knows is quarantined; with no
    quarantine allowed, the accounts contract fails and that source's balances,
    positions and orders do not run, while the other sources land."""
    config = SandboxConfig(clock=CLOCK, drift=DriftProfile.parse("unknown_enums"))
    with Sandbox(config) as sandbox, dg.instance_for_test() as instance:
        sources = SourcesResource(sandbox_url=sandbox.base_url)
        kinds = {
            s.name: s.kind
            for s in sources.load()
            if s.name in ("sandbox-alpaca-broker", "sandbox-alpaca-1")
        }
        defs = build_definitions(sources, kinds, str(tmp_path), CLOCK.date())
        strict = {"warehouse": WarehouseResource(home=str(tmp_path), max_quarantined_share=0.0)}
        strict_defs = dg.Definitions(
            assets=defs.assets,
            asset_checks=defs.asset_checks,
            jobs=defs.jobs,
            resources={**(defs.resources or {}), **strict},
        )
        job = strict_defs.resolve_job_def(SYNC_JOB)
        result = job.execute_in_process(
            partition_key=CLOCK.date().isoformat(), instance=instance, raise_on_error=False
        )
    assert not result.success
    evaluations = {
        (e.asset_check_key.asset_key.to_user_string(), e.asset_check_key.name): e
        for e in (event.event_specific_data for event in result.all_events)
        if type(e).__name__ == "AssetCheckEvaluation"
    }
    failed = evaluations[("sandbox-alpaca-broker/accounts", "contract")]
    assert not failed.passed
    assert "quarantined" in str(failed.metadata["problems"].value)
    landed = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
    }
    for table in ("balances", "positions", "orders"):
        assert f"sandbox-alpaca-broker/{table}" not in landed
        assert f"sandbox-alpaca-1/{table}" in landed


def test_the_maintenance_job_compacts_the_lake_and_refreshes_the_catalog(tmp_path):
    lake = Lake(tmp_path)
    for n in range(3):
        orders = frame("orders", row("orders", order_id=f"o{n}", filled_at=None))
        lake.write("orders", "src", orders, run_id=f"r{n}")
    defs = build_definitions(SourcesResource(), KINDS, str(tmp_path), CLOCK.date())
    result = defs.resolve_job_def(MAINTENANCE_JOB).execute_in_process()
    assert result.success
    assert len(DeltaTable(lake.uri("orders")).file_uris()) == 1
    with Catalog(tmp_path).connect() as con:
        assert con.execute("SELECT count(*) FROM orders").fetchone() == (3,)
