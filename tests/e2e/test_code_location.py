"""The code location loads exactly as `dagster dev -w workspace.yaml` loads it (with a
sources file, or the sandbox when asked for; with neither it refuses to load, naming
both), and every asset materializes through Dagster's API into the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from assets import SourcesResource
from pipelines.definitions import ANALYTICS_JOB, SYNC_JOB, build_definitions
from sandbox import Sandbox
from warehouse.models import models

ROOT = Path(__file__).parents[2]
TABLES = ["users", "connections", "accounts", "balances", "positions", "orders", "activities"]
SOURCES = [
    "sandbox-alpaca-1",
    "sandbox-alpaca-2",
    "sandbox-alpaca-3",
    "sandbox-alpaca-broker",
    "sandbox-snaptrade",
    "sandbox-tradr-account",
    "sandbox-tradr-user",
]


def validate(cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    """`dagster definitions validate` of the workspace, from `cwd`, with neither a sources
    file nor the sandbox asked for in the environment unless `extra` says so."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"BROKERLAKE_SOURCES", "BROKERLAKE_SANDBOX", "DAGSTER_HOME"}
    }
    env.update(DAGSTER_HOME=str(cwd), **extra)
    dagster = Path(sys.executable).parent / "dagster"
    return subprocess.run(
        [str(dagster), "definitions", "validate", "-w", str(ROOT / "workspace.yaml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_with_neither_sources_nor_the_sandbox_the_location_refuses_to_load(tmp_path):
    result = validate(tmp_path)  # no sources.yaml here, no BROKERLAKE_SANDBOX
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "no sources to read: give a sources file" in output
    assert "BROKERLAKE_SOURCES" in output and "BROKERLAKE_SANDBOX=1" in output
    assert not (tmp_path / "data").exists()  # nothing was written anywhere


def test_the_workspace_loads_as_dagster_dev_loads_it_with_the_sandbox(tmp_path):
    result = validate(tmp_path, BROKERLAKE_SANDBOX="1")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Validation successful for code location pipelines.definitions" in output


def test_an_invalid_sources_file_stops_the_location_with_every_problem(tmp_path):
    (tmp_path / "sources.yaml").write_text(
        "sources:\n"
        "  - {name: paper, kind: alpacca, key_id: {env: K}, secret_key: {env: S}}\n"
        "  - {name: fx, kind: tradr, api_key: {env: TRADR_KEY_UNSET}}\n"
    )
    result = validate(tmp_path, K="k", S="s")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "source 'paper': field 'kind': 'alpacca' is not a source kind" in output
    assert "source 'fx': field 'api_key': environment variable TRADR_KEY_UNSET is not set" in (
        output
    )


def test_every_asset_materializes_through_dagster(tmp_path, monkeypatch):
    monkeypatch.delenv("BROKERLAKE_SOURCES", raising=False)
    monkeypatch.setenv("BROKERLAKE_SANDBOX", "1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BROKERLAKE_HOME", str(tmp_path / "home"))
    from pipelines.definitions import defs

    definitions = defs()
    repository = definitions.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    tables = {f"{source}/{table}" for source in SOURCES for table in TABLES}
    analytics = {f"analytics/{model.name}" for model in models()} | {
        "reference/fx_reference_rates",
        *(f"{source}/portfolio_history_reported" for source in SOURCES[:4]),
    }
    assert keys == tables | analytics
    job = definitions.resolve_job_def(SYNC_JOB)
    today = datetime.now(UTC).date().isoformat()
    assert job.partitions_def.get_partition_keys()[-1] == today

    with dg.instance_for_test() as instance:
        result = job.execute_in_process(partition_key=today, instance=instance)
        assert result.success
        materialized = {
            event.asset_key.to_user_string() for event in result.get_asset_materialization_events()
        }
        assert materialized == tables
        after = definitions.resolve_job_def(ANALYTICS_JOB).execute_in_process(instance=instance)
        assert after.success
        assert {
            event.asset_key.to_user_string() for event in after.get_asset_materialization_events()
        } == analytics
    with duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True) as con:
        for table in TABLES:
            sources = con.execute(f"SELECT count(DISTINCT source) FROM {table}").fetchone()
            assert sources == (len(SOURCES),), table


def test_materialize_api_with_an_explicit_sandbox(tmp_path):
    with Sandbox() as sandbox:
        sources = SourcesResource(sandbox_url=sandbox.base_url)
        kinds = {source.name: source.kind for source in sources.load()}
        name = sorted(kinds)[0]
        day = sandbox.world.clock.date()
        definitions = build_definitions(sources, {name: kinds[name]}, str(tmp_path), day)
        assets = list(definitions.assets or [])
        result = dg.materialize(
            assets, partition_key=day.isoformat(), resources=definitions.resources
        )
        assert result.success
        snapshot = {
            m.asset_key.to_user_string()
            for m in result.asset_materializations_for_node(f"{name.replace('-', '_')}__snapshots")
        }
        assert snapshot == {
            f"{name}/{table}" for table in TABLES if table not in ("orders", "activities")
        }
