"""A bad day at the brokers: a tenth of requests failing or throttled, an API down, the
real rate limits enforced. The tables come out as on a good day, or the one source at
fault fails, within its retry limit and in words a user can act on. (How much of a rate
limit a run uses is measured by the benchmarks: `benchmarks/rate_use.py`.)"""

from __future__ import annotations

import socket
import subprocess
import sys

import dagster as dg

from assets import SourcesResource
from pipelines.definitions import SYNC_JOB, build_definitions
from sandbox import Sandbox, SandboxConfig, WorldSizes
from tests.e2e.demo_runs import demo, environment, snapshot, steps


def test_a_demo_with_a_tenth_of_requests_failing_lands_the_tables_of_a_clean_run(
    tmp_path, first_run
):
    clean, _ = first_run
    result = demo(tmp_path, "--sandbox-faults", "0.1")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "(injected fault)" in output  # faults were met and retried
    assert snapshot(tmp_path / "warehouse.duckdb") == snapshot(clean / "warehouse.duckdb")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_api_that_is_down_fails_its_source_quickly_and_the_others_land(tmp_path):
    down = f"http://127.0.0.1:{closed_port()}"
    with Sandbox() as sandbox:
        account = sandbox.manifest()["apis"]["alpaca"]["accounts"][0]
        (tmp_path / "sources.yaml").write_text(
            f"""
sources:
  - name: up
    kind: alpaca
    base_url: {sandbox.base_url}/alpaca
    key_id: {{env: KEY_ID}}
    secret_key: {{env: SECRET}}
  - name: down
    kind: tradr
    base_url: {down}
    api_key: {{env: TRADR_KEY}}
    timeout_seconds: 1
    retry_seconds: 4
"""
        )
        env = environment()
        env.update(
            KEY_ID=account["key_id"], SECRET=account["secret_key"], TRADR_KEY="tradr-key-1234"
        )
        result = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(tmp_path / "home")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert steps(output, "up") == {"snapshots": "ok", "orders": "ok", "activities": "ok"}
    assert steps(output, "down") == {"snapshots": "FAILED"}
    assert "source 'down' (GET /api-keys/current): gave up after" in output
    assert "no answer (ConnectError" in output


def test_under_the_real_rate_limits_a_full_run_gets_no_429(tmp_path, monkeypatch):
    """Every built-in source through Dagster, against a sandbox enforcing each API's real
    limit over 20-second windows (a minute compressed threefold)."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    (tmp_path / "dagster").mkdir()
    config = SandboxConfig(
        sizes=WorldSizes(broker_accounts=200),
        enforce_rate_limits=True,
        rate_limit_period_seconds=20.0,
    )
    with Sandbox(config) as sandbox:
        resource = SourcesResource(sandbox_url=sandbox.base_url)
        # The partner source alone: in one run, other sources' steps would sit between its
        # own and the measured rate would be theirs too.
        kinds = {s.name: s.kind for s in resource.load() if s.kind == "alpaca_broker"}
        day = sandbox.world.clock.date()
        defs = build_definitions(resource, kinds, str(tmp_path / "home"), day)
        job = defs.resolve_job_def(SYNC_JOB)
        instance = dg.DagsterInstance.get()
        result = job.execute_in_process(partition_key=day.isoformat(), instance=instance)
        assert result.success
        statuses = {api: dict(counts) for api, counts in sandbox.status_counts.items()}

    assert all(429 not in counts for counts in statuses.values()), statuses
    assert sum(statuses["alpaca_broker"].values()) > 600  # 200 accounts, several requests each
