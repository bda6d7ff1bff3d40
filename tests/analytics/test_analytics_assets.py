"""The analytics through Dagster, as the UI runs them: after a source's day has landed,
the `analytics` job reads the ECB's rates from the sandbox's copy (the sandbox was asked
for), Alpaca's portfolio history, and materializes every model as an asset downstream of
what it reads, its check comparing the reported profit or loss with brokerlake's."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from assets import SourcesResource, asset_key
from pipelines.definitions import ANALYTICS_JOB, SYNC_JOB, build_definitions
from sandbox import Sandbox, SandboxConfig
from warehouse import Catalog
from warehouse.models import models

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def history(home) -> list[tuple]:
    with Catalog(home).connect() as con:
        return con.execute(
            "SELECT account_id, day, point_at, equity, profit_loss, cash_flow "
            "FROM portfolio_history_reported ORDER BY account_id, day"
        ).fetchall()


def test_the_analytics_job_lands_rates_history_and_every_model(tmp_path):
    with Sandbox(SandboxConfig(clock=CLOCK)) as sandbox, dg.instance_for_test() as instance:
        sources = SourcesResource(sandbox_url=sandbox.base_url)
        kinds = {s.name: s.kind for s in sources.load() if s.name == "sandbox-alpaca-1"}
        defs = build_definitions(sources, kinds, str(tmp_path), CLOCK.date(), in_process=True)
        synced = defs.resolve_job_def(SYNC_JOB).execute_in_process(
            partition_key=CLOCK.date().isoformat(), instance=instance
        )
        assert synced.success
        assert not {e.asset_key.path[0] for e in synced.get_asset_materialization_events()} & {
            "analytics",
            "reference",
        }  # the sync lands the sources only
        result = defs.resolve_job_def(ANALYTICS_JOB).execute_in_process(instance=instance)
        reported = history(tmp_path)
        again = defs.resolve_job_def(ANALYTICS_JOB).execute_in_process(instance=instance)
    assert result.success and again.success
    # at first from the snapshot's day; again from a week before: the day lands the same
    assert len(reported) == 1 and reported[0][1] == CLOCK.date()
    assert set(reported) < set(history(tmp_path)) and len(history(tmp_path)) == 8
    landed = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert landed == {f"analytics/{m.name}" for m in models()} | {
        "reference/fx_reference_rates",
        "sandbox-alpaca-1/portfolio_history_reported",
    }
    checks = {
        (e.asset_check_key.name, e.passed)
        for e in (event.event_specific_data for event in result.all_events)
        if type(e).__name__ == "AssetCheckEvaluation"
    }
    assert ("pnl_agreement", True) in checks and ("contract", True) in checks
    graph = defs.get_repository_def().asset_graph
    parents = graph.get(dg.AssetKey(["analytics", "portfolio_daily"])).parent_keys
    assert {
        asset_key("sandbox-alpaca-1", "accounts"),
        dg.AssetKey(["analytics", "portfolio_daily_currency"]),
        dg.AssetKey(["analytics", "external_flows"]),
        dg.AssetKey(["analytics", "fx_eur_rates"]),
    } <= parents
    with Catalog(tmp_path).connect() as con:
        (ecb_days,) = con.execute(
            "SELECT count(DISTINCT day) FROM fx_reference_rates WHERE provider = 'ECB'"
        ).fetchone()
        (compared,) = con.execute("SELECT count(*) FROM portfolio_pnl_comparison").fetchone()
    assert ecb_days > 50 and compared == 1  # one snapshot day, compared with the history
