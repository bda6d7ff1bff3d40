"""Daily partitions: three consecutive days materialized as the sandbox clock moves leave
three snapshots per source, and a backfill of those days from scratch (the CLI, replaying
the days from the sandbox) gives the same tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from assets import SourcesResource
from pipelines.definitions import SNAPSHOT_JOB, build_definitions
from sandbox import Sandbox, SandboxConfig
from tests.e2e.demo_runs import cli
from tests.oracle import warehouse_rows

FIRST = datetime(2026, 11, 17, 15, 30, tzinfo=UTC)
DAYS = [FIRST + timedelta(days=n) for n in range(3)]
LINEAGE = {"fetched_at", "run_id"}
SNAPSHOT_KEYS = {
    "balances": ("source", "account_id", "currency", "as_of_date"),
    "positions": ("source", "account_id", "position_key", "as_of_date"),
    "accounts_history": ("source", "account_id", "valid_from"),
    "connections_history": ("source", "connection_id", "valid_from"),
}


def tables(database: Path) -> dict[str, list[dict]]:
    return {
        view: [
            {k: v for k, v in row.items() if k not in LINEAGE}
            for row in warehouse_rows(database, view, key)
        ]
        for view, key in SNAPSHOT_KEYS.items()
    }


def test_three_days_then_a_backfill_from_scratch(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
    daily = tmp_path / "daily"
    # The world's history begins a fixed span before the clock a sandbox starts at, and
    # the backfill's sandbox starts at the last day: so does this one, then steps back.
    with Sandbox(SandboxConfig(clock=DAYS[-1])) as sandbox:
        sources = SourcesResource(sandbox_url=sandbox.base_url)
        kinds = {source.name: source.kind for source in sources.load()}
        definitions = build_definitions(sources, kinds, str(daily), DAYS[0].date())
        job = definitions.resolve_job_def(SNAPSHOT_JOB)
        instance = dg.DagsterInstance.get()
        for moment in DAYS:
            sandbox.set_clock(moment)
            result = job.execute_in_process(
                partition_key=moment.date().isoformat(), instance=instance
            )
            assert result.success

    with duckdb.connect(str(daily / "warehouse.duckdb"), read_only=True) as con:
        for table in ("balances", "positions"):
            days = dict(
                con.execute(
                    f"SELECT source, count(DISTINCT as_of_date) FROM {table} GROUP BY source"
                ).fetchall()
            )
            assert days == {name: 3 for name in kinds}, table
        # The latest views hold the last day; the history of accounts starts on the first.
        latest = con.execute("SELECT DISTINCT as_of_date FROM balances_latest").fetchall()
        assert latest == [(DAYS[-1].date(),)]
        first_seen = con.execute("SELECT min(valid_from) FROM accounts_history").fetchone()
        assert first_seen == (DAYS[0].date(),)
        current = con.execute("SELECT count(*) FROM accounts_history WHERE is_current").fetchone()
        assert current == con.execute("SELECT count(*) FROM accounts").fetchone()

    backfilled = tmp_path / "backfilled"
    backfilled.mkdir()
    run = cli(
        backfilled,
        *["backfill", "--home", str(backfilled)],
        *["--from", str(DAYS[0].date()), "--to", str(DAYS[-1].date())],
        *["--sandbox", "--sandbox-clock", DAYS[-1].isoformat(), "--seed", "0"],
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert len(re.findall(r"^  \S+ +snapshots +ok: ", run.stdout, re.M)) == 3 * len(kinds)

    assert tables(backfilled / "warehouse.duckdb") == tables(daily / "warehouse.duckdb")
