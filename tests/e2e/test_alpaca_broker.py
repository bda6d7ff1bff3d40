"""A broker partner with 2,500 customer accounts, run as a user runs it: sources.yaml with
OAuth2 client credentials, `brokerlake demo` in a fresh process, Dagster's event log kept
under DAGSTER_HOME. Every account lands once, the tables equal the world's truth, one
token serves the whole run, and no holder's personal data is anywhere."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sandbox import Sandbox, SandboxConfig, World
from sandbox.world import WorldSizes
from schemas import TABLES
from tests.e2e.demo_runs import cli, steps
from tests.leaks import Needles
from tests.oracle import TABLE_NAMES, alpaca_broker_truth, rows, warehouse_rows

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SOURCE = "partner"
SIZES = WorldSizes(
    alpaca_accounts=0, snaptrade_users=0, broker_accounts=2500,
    positions_per_account=4, orders_per_account=12,
)  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess, World, int]:
    base = tmp_path_factory.mktemp("partner")
    home, dagster_home = base / "home", base / "dagster_home"
    dagster_home.mkdir()
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        api = sandbox.manifest()["apis"]["alpaca_broker"]
        (base / "sources.yaml").write_text(
            f"""
sources:
  - name: {SOURCE}
    kind: alpaca_broker
    base_url: {api["base_url"]}
    token_url: {api["base_url"]}{api["token_path"]}
    client_id: {{env: PARTNER_CLIENT_ID}}
    client_secret: {{env: PARTNER_CLIENT_SECRET}}
    rate_limit: false  # this sandbox enforces none; 7,500 requests at 1,000/min is 8 min
"""
        )
        env = {
            "DAGSTER_HOME": str(dagster_home),
            "PARTNER_CLIENT_ID": api["client_id"],
            "PARTNER_CLIENT_SECRET": api["client_secret"],
        }
        result = cli(base, "demo", "--home", str(home), "--day", str(CLOCK.date()), env=env)
        tokens = len(sandbox.tokens.issued)
        world = sandbox.world
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home, dagster_home, result, world, tokens


def test_every_account_lands_exactly_once(run):
    home, _, result, _, _ = run
    assert steps(result.stdout, SOURCE) == {"snapshots": "ok", "orders": "ok", "activities": "ok"}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT account_id) FROM accounts"
        ).fetchone()
    assert total == distinct == 2500


@pytest.fixture(scope="module")
def truth(run) -> dict[str, list[dict]]:
    return alpaca_broker_truth(run[3], SOURCE)


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_the_warehouse_equals_the_worlds_truth(run, truth, name):
    home, *_ = run
    expected = truth[name]
    assert len(expected) >= 2500
    key = TABLES[name].key
    assert warehouse_rows(home / "warehouse.duckdb", name, key) == rows(expected, key)


def test_one_token_serves_the_whole_run(run):
    *_, tokens = run
    assert tokens == 1


def personal_values(world: World) -> list[str]:
    """What identifies a holder: names, e-mail, phone, street, birth date, tax id, employer
    address, document link, signing address. (Country codes, enumerations or a city alone
    identify no one and appear in ordinary data.)"""
    found = []
    for account in world.broker_accounts():
        p = world.customer_profile(account.account_id)
        found += [
            f"{p.given_name} {p.family_name}", p.email_address, p.phone_number,
            p.street_address, p.date_of_birth.isoformat(), p.tax_id, p.employer_address,
            p.document_url.split("?")[0], p.ip_address,
        ]  # fmt: skip
    return found


def test_no_personal_data_in_the_lake_the_catalog_the_logs_or_dagsters_event_log(run):
    home, dagster_home, result, world, _ = run
    needles = Needles(personal_values(world))
    files = [p for root in (home, dagster_home) for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files)
    assert any(p.suffix == ".db" for p in files)  # Dagster's run and event log storage
    assert needles.in_tree(home, dagster_home) == []
    assert needles.in_text(result.stdout + result.stderr) is None
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for name in TABLE_NAMES:
            text = con.sql(f"SELECT * FROM {name}").pl().cast(pl.String).write_csv()
            assert needles.in_text(text) is None, name


def test_the_scan_finds_personal_data_where_it_is(run, tmp_path):
    """The scan itself is trusted only because it finds a planted value."""
    _, _, _, world, _ = run
    values = personal_values(world)
    needles = Needles(values)
    planted = tmp_path / "planted.parquet"
    pl.DataFrame({"note": [f"holder: {values[-5]}"]}).write_parquet(planted)
    assert needles.in_tree(tmp_path) == [(planted, values[-5])]
    assert needles.in_text(f"...{values[1]}...") == values[1]
