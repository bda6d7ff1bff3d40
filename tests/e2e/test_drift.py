"""Schema drift never stops good data: with every kind of drift served in a few rows,
the demo succeeds, unknown enum values land as `other` beside the raw value, records
with a wrong type are quarantined with the field and the raw value, and every step
accounts for each row it fetched (fetched = written + quarantined)."""

from __future__ import annotations

import dagster as dg
import duckdb
import polars as pl
import pytest

from schemas import TABLES
from tests.e2e.demo_runs import demo
from warehouse import Lake


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    home = tmp_path_factory.mktemp("drift")
    dagster_home = home / "dagster"
    dagster_home.mkdir()
    result = demo(home, "--sandbox-drift", "all", env={"DAGSTER_HOME": str(dagster_home)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home, dagster_home


def test_unknown_enum_values_land_as_other_beside_the_raw_value(drifted):
    home, _ = drifted
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        found = con.execute(
            "SELECT DISTINCT broker, status FROM orders WHERE raw_status = 'unannounced_value'"
        ).fetchall()
    assert {broker for broker, _ in found} == {"alpaca", "snaptrade"}
    assert {status for _, status in found} == {"other"}


def test_the_orders_steps_list_the_unknown_values_they_saw(drifted, monkeypatch):
    _, dagster_home = drifted
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    instance = dg.DagsterInstance.get()
    seen = {}
    for key in instance.get_asset_keys():
        if key.path[-1] == "orders":
            [record] = instance.fetch_materializations(key, limit=1).records
            value = record.asset_materialization.metadata.get("unknown_values")
            seen[key.path[0]] = value.value if value is not None else None
    assert seen["sandbox-snaptrade"]["orders.status"] == ["unannounced_value"]
    assert "unannounced_value" in seen["sandbox-alpaca-broker"]["orders.status"]


def test_records_of_the_wrong_type_are_quarantined_with_the_field_and_the_raw_value(drifted):
    home, _ = drifted
    lake = Lake(home)
    reasons = {}
    for table in ("positions", "orders"):
        quarantined = lake.read_quarantine(table)
        assert quarantined.height > 0, table
        reasons[table] = set(quarantined["quarantine_reason"].to_list())
    assert "unreadable record: qty: not a decimal: 'n/a'" in reasons["orders"]
    assert "unreadable record: total_quantity: not a decimal: 'n/a'" in reasons["orders"]
    assert "unreadable record: volume: not a decimal: 'n/a'" in reasons["positions"]
    orders = lake.read_quarantine("orders")
    assert orders.filter(pl.col("order_id").is_null() | pl.col("account_id").is_null()).is_empty()


def test_every_step_accounts_for_every_row_it_fetched(drifted, first_run, monkeypatch):
    home, dagster_home = drifted
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    instance = dg.DagsterInstance.get()
    checked = 0
    keys = [key for key in instance.get_asset_keys() if key.path[-1] in TABLES]
    assert {key.path[-1] for key in keys} == set(TABLES)
    for key in keys:
        records = instance.fetch_materializations(key, limit=100).records
        assert records, key
        table = key.path[-1]
        for record in records:
            meta = record.asset_materialization.metadata
            fetched, written, quarantined = (
                meta[k].value for k in ("rows_fetched", "rows_written", "rows_quarantined")
            )
            superseded = meta["rows_superseded"].value if "rows_superseded" in meta else 0
            assert fetched == written + quarantined + superseded, (table, meta)
            checked += 1
    # every table of the seven sources; Alpaca's reported histories of its four only
    assert checked >= (len(TABLES) - 1) * 7 + 4

    # And nothing went missing: drifted rows are in the table or in quarantine, and the
    # two hold exactly the orders of a clean run.
    # (Orders of an account quarantined for a currency no client knows are not read.)
    clean, _ = first_run
    keys = ["source", "account_id", "order_id"]
    unread = Lake(home).read_quarantine("accounts").select("source", "account_id")
    clean_orders = (
        (Lake(clean).read("orders").join(unread, on=["source", "account_id"], how="anti"))
        .select(keys)
        .sort(keys)
    )
    landed = pl.concat(
        [Lake(home).read("orders").select(keys), Lake(home).read_quarantine("orders").select(keys)]
    ).sort(keys)
    assert landed.equals(clean_orders)
