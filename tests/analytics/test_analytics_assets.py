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
    # from the first snapshot's day; read again, the day lands the same row
    assert len(reported) == 1 and reported[0][1] == CLOCK.date()
    assert history(tmp_path) == reported
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


def test_where_a_read_of_the_reported_history_starts(tmp_path):
    from datetime import date, timedelta

    from assets.reported import start_day
    from tests.factories import frame, row
    from warehouse import Lake

    lake, today = Lake(tmp_path), date(2026, 11, 20)

    def snapshot(day: date) -> None:
        lake.write("balances", "src", frame("balances", row("balances", as_of_date=day)),
                   run_id="r")  # fmt: skip

    def reported(*days: date) -> None:
        rows = [row("portfolio_history_reported", source="src", day=d) for d in days]
        lake.write("portfolio_history_reported", "src", frame("portfolio_history_reported",
                   *rows), run_id="r")  # fmt: skip

    assert start_day(lake, "src", today) == today  # nothing landed: today
    snapshot(date(2026, 11, 1))
    assert start_day(lake, "src", today) == date(2026, 11, 1)  # the first snapshot's day
    reported(*(date(2026, 11, 1) + timedelta(days=n) for n in range(20)))
    assert start_day(lake, "src", today) == date(2026, 11, 13)  # the last landed less a week
    snapshot(date(2026, 10, 1))  # a backfill of snapshots: read their days too
    assert start_day(lake, "src", today) == date(2026, 10, 1)
    snapshot(date(2026, 1, 5))  # at most 90 days back
    assert start_day(lake, "src", today) == today - timedelta(days=90)
