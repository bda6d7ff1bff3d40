"""Incremental orders: after the world moves (open orders fill or cancel, new orders
arrive), a run from the cursors sends fewer requests than a full read and leaves the
same orders table as a full re-read from scratch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from assets import SourcesResource
from pipelines.definitions import ORDERS_JOB, SNAPSHOT_JOB, SYNC_JOB, build_definitions
from sandbox import Sandbox, SandboxConfig, WorldSizes
from tests.oracle import warehouse_rows

BEFORE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
AFTER = BEFORE + timedelta(hours=8)
# Accounts with several pages of orders (500 a page), so a cursor has pages to skip.
SIZES = WorldSizes(orders_per_account=1500, broker_accounts=6)
ORDER_KEY = ("source", "account_id", "order_id")
LINEAGE = {"fetched_at", "run_id"}


def orders(home: Path) -> dict[tuple, dict]:
    return {
        tuple(row[k] for k in ORDER_KEY): {k: v for k, v in row.items() if k not in LINEAGE}
        for row in warehouse_rows(home / "warehouse.duckdb", "orders", ORDER_KEY)
    }


def requests_by_source(result: dg.ExecuteInProcessResult, kinds: dict[str, str]) -> dict:
    counts = {}
    for name in kinds:
        materializations = result.asset_materializations_for_node(
            f"{name.replace('-', '_')}__orders"
        )
        counts[name] = int(materializations[-1].metadata["requests"].value)
    return counts


def test_an_incremental_run_equals_a_full_re_read(tmp_path):
    with (
        Sandbox(SandboxConfig(clock=BEFORE, sizes=SIZES)) as sandbox,
        dg.instance_for_test() as instance,
    ):
        sources = SourcesResource(sandbox_url=sandbox.base_url)
        kinds = {source.name: source.kind for source in sources.load()}
        day = BEFORE.date().isoformat()

        def definitions(home: Path) -> dg.Definitions:
            return build_definitions(sources, kinds, str(home), BEFORE.date())

        kept = tmp_path / "incremental"
        first = definitions(kept).resolve_job_def(SYNC_JOB)
        assert first.execute_in_process(partition_key=day, instance=instance).success
        before = orders(kept)

        sandbox.set_clock(AFTER)
        kept_defs = definitions(kept)
        snapshot = kept_defs.resolve_job_def(SNAPSHOT_JOB)
        assert snapshot.execute_in_process(partition_key=day, instance=instance).success
        incremental = kept_defs.resolve_job_def(ORDERS_JOB).execute_in_process(instance=instance)
        assert incremental.success
        modes = [
            m.metadata["mode"].value
            for name in kinds
            for m in incremental.asset_materializations_for_node(
                f"{name.replace('-', '_')}__orders"
            )
        ]
        assert any(str(mode).startswith("incremental") for mode in modes)

        fresh = tmp_path / "full"
        full = (
            definitions(fresh)
            .resolve_job_def(SYNC_JOB)
            .execute_in_process(partition_key=day, instance=instance)
        )
        assert full.success

    after = orders(kept)
    assert after == orders(fresh)
    # The world really moved: orders changed state and new ones arrived.
    changed = [key for key in before if key in after and before[key] != after[key]]
    added = [key for key in after if key not in before]
    assert changed and added, (len(changed), len(added))

    sent = requests_by_source(incremental, kinds)
    needed = requests_by_source(full, kinds)
    assert sum(sent.values()) < sum(needed.values()), (sent, needed)
    for name, kind in kinds.items():
        assert sent[name] <= needed[name], name
        if kind == "alpaca_broker":  # six accounts: some have open orders only lately
            assert sent[name] < needed[name], (name, sent[name], needed[name])
