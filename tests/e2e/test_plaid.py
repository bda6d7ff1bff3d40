"""A Plaid Investments source as a user runs it: `brokerlake demo` with a sources file,
in a fresh process, through Dagster. It lands users, connections, accounts, balances,
positions and activities equal to the world's truth, has no orders step (the output
says its API has none, and the graph has no orders asset for it), and neither the
client's keys nor any Item's access token reaches the lake, the catalog, Dagster's home
or the output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxConfig, WorldSizes
from schemas import TABLES
from tests.e2e.demo_runs import environment, steps
from tests.leaks import Needles
from tests.oracle import rows, warehouse_rows
from tests.plaid_oracle import plaid_truth

SOURCES = """
sources:
  - name: investments
    kind: plaid
    base_url: {base_url}
    client_id: {{env: PLAID_CLIENT_ID}}
    secret: {{env: PLAID_SECRET}}
    access_tokens: {{env: PLAID_ACCESS_TOKENS}}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("plaid")
    home, dagster_home = workdir / "home", workdir / "dagster"
    dagster_home.mkdir()
    config = SandboxConfig(seed=0, sizes=WorldSizes(plaid_items=3))  # today: a run's day
    with Sandbox(config) as sandbox:
        api = sandbox.manifest()["apis"]["plaid"]
        (workdir / "sources.yaml").write_text(SOURCES.format(base_url=api["base_url"]))
        secrets = {
            "PLAID_CLIENT_ID": api["client_id"],
            "PLAID_SECRET": api["secret"],
            "PLAID_ACCESS_TOKENS": json.dumps([i["access_token"] for i in api["items"]]),
        }
        result = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "demo", "--home", str(home)],
            cwd=workdir,
            env=environment({**secrets, "DAGSTER_HOME": str(dagster_home)}),
            capture_output=True,
            text=True,
            timeout=300,
        )
        truth = plaid_truth(sandbox.world, "investments")
        tokens = [i["access_token"] for i in api["items"]]
    return {
        "result": result, "home": home, "dagster_home": dagster_home, "truth": truth,
        "secrets": [api["client_id"], api["secret"], *tokens],
    }  # fmt: skip


def test_the_run_lands_every_table_but_orders_and_says_why(run):
    result = run["result"]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert steps(result.stdout, "investments") == {"snapshots": "ok", "activities": "ok"}
    assert "investments  orders     none: the plaid API has no orders" in result.stdout
    assert "1 of 1 sources ok" in result.stdout
    assert "failed check" not in result.stdout  # the ledger explains every position and cash


@pytest.mark.parametrize(
    "name", ["users", "connections", "accounts", "balances", "positions", "activities"]
)
def test_the_warehouse_equals_the_worlds_truth(run, name):
    expected = run["truth"][name]
    assert expected
    key = TABLES[name].key
    assert warehouse_rows(run["home"] / "warehouse.duckdb", name, key) == rows(expected, key)


def test_no_orders_land(run):
    assert warehouse_rows(run["home"] / "warehouse.duckdb", "orders", TABLES["orders"].key) == []


def test_no_key_or_access_token_is_anywhere(run):
    needles = Needles(run["secrets"])
    result = run["result"]
    assert needles.in_text(result.stdout + result.stderr) is None
    files = [p for root in (run["home"], run["dagster_home"]) for p in Path(root).rglob("*")]
    assert any(p.suffix == ".parquet" for p in files)
    assert needles.in_tree(run["home"], run["dagster_home"]) == []
