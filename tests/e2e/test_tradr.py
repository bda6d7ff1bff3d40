"""TradrAPI run as a user runs it: sources.yaml with four keys (a user key over some of a
user's accounts, an account key, a key that may also write, and a key fenced to another
network), `brokerlake demo` in a fresh process with Dagster's event log under
DAGSTER_HOME. The readable sources land the world's truth; the fenced one fails alone
with the allow-list message; the writer's run warns in the log and in Dagster's metadata;
no key appears anywhere; a balance of 0.1 is exactly 0.1 in DuckDB."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import dagster as dg
import duckdb
import pytest

from sandbox import Sandbox, SandboxConfig
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.e2e.demo_runs import cli, steps
from tests.leaks import Needles
from tests.oracle import TABLE_NAMES, rows, tradr_truth, warehouse_rows

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SIZES = WorldSizes(alpaca_accounts=0, snaptrade_users=0, broker_accounts=0, tradr_users=4)
DORMANT_ACCOUNT = "100030001"  # the first user's MT4 demo account, funded with 0.1
READABLE = ("tradr-user", "tradr-account", "tradr-writer")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("tradr")
    home, dagster_home = base / "home", base / "dagster_home"
    dagster_home.mkdir()
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        api = sandbox.manifest()["apis"]["tradr"]
        world = sandbox.world
        third, fourth = (u.user_id for u in world.tradr_users()[2:4])
        keys = {
            "tradr-user": api["keys"]["user_key"]["api_key"],
            "tradr-account": api["keys"]["account_key"]["api_key"],
            "tradr-writer": sandbox.tradr_keys.create(user_id=third, roles=["read", "write"]),
            "tradr-fenced": sandbox.tradr_keys.create(user_id=fourth, ips=["192.0.2.10"]),
        }
        entries = "".join(
            f"""
  - name: {name}
    kind: tradr
    base_url: {api["base_url"]}
    api_key: {{env: {name.upper().replace("-", "_")}_KEY}}"""
            for name in keys
        )
        (base / "sources.yaml").write_text(f"sources:{entries}\n")
        env = {"DAGSTER_HOME": str(dagster_home)}
        env.update({f"{n.upper().replace('-', '_')}_KEY": key for n, key in keys.items()})
        result = cli(base, "demo", "--home", str(home), "--day", str(CLOCK.date()), env=env)
        records = {name: sandbox.tradr_keys.lookup(key) for name, key in keys.items()}
    return {
        "home": home,
        "dagster_home": dagster_home,
        "result": result,
        "output": result.stdout + result.stderr,
        "world": world,
        "keys": keys,
        "records": records,
    }


def test_only_the_fenced_source_fails_and_says_why(run):
    output = run["output"]
    assert run["result"].returncode == 1, output[-3000:]
    for name in READABLE:
        assert steps(output, name) == {
            "snapshots": "ok", "orders": "ok", "activities": "ok",
        }, name  # fmt: skip
    assert steps(output, "tradr-fenced") == {"snapshots": "FAILED"}
    assert "the key's IP allow-list does not include this machine" in output


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_the_readable_sources_equal_the_worlds_truth(run, name):
    key = TABLES[name].key
    for source in READABLE:
        truth = tradr_truth(run["world"], source, run["records"][source])[name]
        landed = warehouse_rows(
            run["home"] / "warehouse.duckdb", name, key, f"WHERE source = '{source}'"
        )
        assert landed == rows(truth, key), source
        assert truth or name == "positions"


def test_a_key_that_can_write_is_warned_about_in_the_log_and_in_dagsters_metadata(run, monkeypatch):
    warning = "holds the write role as well as read"
    assert "warning: source 'tradr-writer': its TradrAPI key" in run["output"]
    assert warning in run["output"]
    monkeypatch.setenv("DAGSTER_HOME", str(run["dagster_home"]))
    instance = dg.DagsterInstance.get()
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(["tradr-writer", "accounts"])),
        limit=10,
    ).records
    assert records
    metadata = records[0].asset_materialization.metadata
    assert warning in str(metadata["warnings"].value)
    others = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(["tradr-user", "accounts"])),
        limit=10,
    ).records
    assert others and "warnings" not in others[0].asset_materialization.metadata
    # Read in the same step, the writer's balances carry only their own warnings: none.
    balances = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(["tradr-writer", "balances"])),
        limit=10,
    ).records
    assert balances and "warnings" not in balances[0].asset_materialization.metadata


def test_a_balance_of_one_tenth_is_exactly_one_tenth(run):
    with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as con:
        cash, kind, exact = con.execute(
            "SELECT cash, typeof(cash), cash = 0.1 FROM balances "
            "WHERE source = 'tradr-user' AND account_id = ?",
            [DORMANT_ACCOUNT],
        ).fetchone()
    assert kind.startswith("DECIMAL")
    assert exact is True
    assert cash == Decimal("0.1")


def test_no_key_appears_in_any_file_or_in_the_output(run):
    needles = Needles(list(run["keys"].values()))
    files = [p for root in (run["home"], run["dagster_home"]) for p in root.rglob("*")]
    assert any(p.suffix == ".db" for p in files)  # Dagster's run and event log storage
    assert needles.in_tree(run["home"], run["dagster_home"]) == []
    assert needles.in_text(run["output"]) is None
