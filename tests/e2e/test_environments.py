"""Commands as users run them when something is off: a home holding the other kind of
data is refused before anything is written, and a run where every source fails says so
in plain words, with no traceback (unless asked for) and no sample query over nothing."""

from __future__ import annotations

from pathlib import Path

from sandbox import Sandbox
from tests.e2e.demo_runs import cli, snapshot, steps

WRONG_SECRET = "wrong-secret-0123456789abcdefWXYZ"


def alpaca_sources(sandbox: Sandbox, tmp_path: Path, secret: str | None = None) -> dict:
    api = sandbox.manifest()["apis"]["alpaca"]
    account = api["accounts"][0]
    (tmp_path / "sources.yaml").write_text(
        f"""
sources:
  - name: paper
    kind: alpaca
    base_url: {api["base_url"]}
    key_id: {{env: PAPER_KEY_ID}}
    secret_key: {{env: PAPER_SECRET}}
"""
    )
    return {"PAPER_KEY_ID": account["key_id"], "PAPER_SECRET": secret or account["secret_key"]}


def test_real_sources_are_refused_by_a_home_holding_sandbox_data(tmp_path, first_run):
    home, _ = first_run  # the demo's: sandbox data
    before = snapshot(home / "warehouse.duckdb")
    with Sandbox() as sandbox:
        env = alpaca_sources(sandbox, tmp_path)
        result = cli(tmp_path, "demo", "--home", str(home), "--sources", "sources.yaml", env=env)
        served = sum(sandbox.request_counts.values())
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{home} holds sandbox data (the built-in simulated brokers)" in result.stderr
    assert "a lake never mixes the two" in result.stderr
    assert served == 0
    assert snapshot(home / "warehouse.duckdb") == before


def test_a_run_where_every_source_fails_says_so_in_plain_words(tmp_path):
    with Sandbox() as sandbox:
        env = alpaca_sources(sandbox, tmp_path, secret=WRONG_SECRET)
        home = str(tmp_path / "home")
        plain = cli(tmp_path, "demo", "--home", home, env=env)
        verbose = cli(tmp_path, "demo", "--home", home, "--verbose", env=env)
    output = plain.stdout + plain.stderr
    assert plain.returncode == 1, output
    assert steps(output, "paper") == {"snapshots": "FAILED"}
    assert "source 'paper' (GET /v2/account): credentials were rejected (HTTP 401" in output
    assert "0 of 1 sources ok; failed: paper" in output
    assert "nothing has landed yet" in output
    assert "Sample query" not in output
    for noise in ("Traceback", "Stack Trace", "dagster - ", "STEP_FAILURE"):
        assert noise not in output, noise
    assert WRONG_SECRET not in output

    detailed = verbose.stdout + verbose.stderr
    assert verbose.returncode == 1
    assert "Stack Trace" in detailed and "STEP_FAILURE" in detailed
    assert WRONG_SECRET not in detailed
