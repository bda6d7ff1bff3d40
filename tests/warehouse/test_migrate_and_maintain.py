"""A lake in the earlier Parquet layout is refused with what to do, and `brokerlake lake
migrate` converts it whole (marks included) before anything old is deleted; maintenance
compacts every table and removes what no version within the retention refers to,
changing no row."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest
from deltalake import DeltaTable

from pipelines.cli import main
from tests.factories import NOW, frame, row
from warehouse import Catalog, Lake
from warehouse.layout import EarlierLayout
from warehouse.maintenance import maintain

DAY = date(2026, 11, 23)
MARK = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


def earlier_lake(home) -> None:
    """A lake as the earlier brokerlake wrote it."""
    lake = home / "lake"

    def put(path: str, data: pl.DataFrame) -> None:
        target = lake / path
        target.parent.mkdir(parents=True, exist_ok=True)
        data.write_parquet(target)

    put("accounts/source=src/data.parquet", frame("accounts"))
    put(f"positions/source=src/as_of_date={DAY}/data.parquet", frame("positions"))
    put("orders/source=src/part-r1-00000.parquet", frame("orders", row("orders", status="open")))
    later = row("orders", status="filled", updated_at=NOW + timedelta(minutes=5))
    put(
        "orders/source=src/part-r2-00000.parquet",
        frame("orders", later, row("orders", order_id="o2", filled_at=None, status="open")),
    )
    bad = frame("orders").with_columns(quarantine_reason=pl.lit("status failed isin"))
    put("_quarantine/orders/source=src/part-r1-00000.parquet", bad)
    observed = frame("accounts").with_columns(as_of_date=pl.lit(DAY))
    put(f"_history/accounts/source=src/as_of_date={DAY}/data.parquet", observed)
    marks = lake / "_marks" / "orders"
    marks.mkdir(parents=True)
    (marks / "source=src.json").write_text(
        json.dumps({"complete_until": MARK.isoformat(), "run_id": "r2"})
    )


def test_an_earlier_lake_is_refused_then_migrated_whole(tmp_path, capsys):
    earlier_lake(tmp_path)
    with pytest.raises(EarlierLayout, match="brokerlake lake migrate --home"):
        Lake(tmp_path)
    assert main(["lake", "migrate", "--home", str(tmp_path)]) == 0
    lake = Lake(tmp_path)
    assert lake.read("accounts").height == 1
    assert lake.read_day("positions", "src", DAY).height == 1
    orders = lake.read("orders").sort("order_id")
    assert orders["status"].to_list() == ["filled", "open"]  # one row per key, the latest
    assert pl.read_delta(lake.uri("orders")).height == 2  # for any reader
    assert lake.read_quarantine("orders")["quarantine_reason"].to_list() == ["status failed isin"]
    assert lake.history_days("accounts", "src") == [DAY]
    assert lake.read_mark("orders", "src") == MARK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake", "warehouse.duckdb"]
    assert not (tmp_path / "lake" / "_marks").exists()
    assert main(["lake", "migrate", "--home", str(tmp_path)]) == 0  # nothing left to do
    assert "nothing to migrate" in capsys.readouterr().out


def test_maintenance_compacts_and_vacuums_without_changing_a_row(tmp_path):
    lake = Lake(tmp_path)
    for n in range(6):
        orders = [row("orders", order_id=f"o{n}-{i}", filled_at=None) for i in range(3)]
        lake.write("orders", "src", frame("orders", *orders), run_id=f"r{n}")
        lake.write(
            "accounts", "src", frame("accounts", row("accounts", run_id=f"r{n}")), run_id="r"
        )
    before = {name: lake.read(name) for name in ("orders", "accounts")}
    orders = DeltaTable(lake.uri("orders"))
    assert len(orders.file_uris()) == 6
    done = {m.table: m for m in maintain(lake, timedelta(0), log=lambda line: None)}
    assert done["orders"].files_compacted == 6 and done["orders"].files_added == 1
    assert done["accounts"].files_removed == 5  # replaced versions' files
    for name, rows in before.items():
        assert (
            lake.read(name).sort("run_id", "account_id").equals(rows.sort("run_id", "account_id"))
        )
    on_disk = list((tmp_path / "lake" / "orders").rglob("*.parquet"))
    assert len(on_disk) == len(DeltaTable(lake.uri("orders")).file_uris()) == 1
    Catalog(tmp_path).refresh()
    assert main(["lake", "maintain", "--home", str(tmp_path)]) == 0


def test_a_table_another_process_is_creating_is_not_taken_for_an_earlier_lake(tmp_path):
    """delta-rs writes a new table's data files before its log: a lake seen in between
    is not in the earlier layout."""
    Lake(tmp_path).write("accounts", "src", frame("accounts"), run_id="r")
    log = tmp_path / "lake" / "accounts" / "_delta_log"
    log.rename(tmp_path / "log")
    Lake(tmp_path)  # no EarlierLayout


def test_columns_the_contract_gained_since_migrate_as_null_or_other(tmp_path):
    """An earlier lake's orders predate the order terms: the new columns land null, and a
    canonical enum no row may leave empty (the order class) lands as `other`."""
    old = frame("orders").drop("order_class", "raw_order_class", "commission", "ratio_quantity")
    target = tmp_path / "lake" / "orders" / "source=src" / "part-r1-00000.parquet"
    target.parent.mkdir(parents=True)
    old.write_parquet(target)
    assert main(["lake", "migrate", "--home", str(tmp_path)]) == 0
    orders = Lake(tmp_path).read("orders")
    assert orders["order_class"].to_list() == ["other"]
    assert orders["raw_order_class"].to_list() == [None]
    assert orders["commission"].to_list() == [None]


def _files_without_statistics(delta: DeltaTable, column: str) -> int:
    """How many of the table's files the log holds no minimum of `column` for."""
    actions = pl.DataFrame(pa.table(delta.get_add_actions(flatten=True)))
    if f"min.{column}" not in actions.columns:
        return actions.height
    return actions[f"min.{column}"].null_count()


def test_every_column_has_statistics_and_maintenance_gives_them_to_older_tables(tmp_path):
    """Merges skip files by `submitted_at`, the 35th column of orders: Delta's default
    keeps statistics on the first 32 only, so a table created without the setting gains
    it, and its files the statistics, when maintained."""
    lake = Lake(tmp_path)
    lake.write("orders", "src", frame("orders"), run_id="r")
    assert _files_without_statistics(DeltaTable(lake.uri("orders")), "submitted_at") == 0
    older = DeltaTable(lake.uri("orders"))
    older.alter.set_table_properties({"delta.dataSkippingNumIndexedCols": "32"})
    lake.write("orders", "src", frame("orders", row("orders", order_id="o2")), run_id="r2")
    assert _files_without_statistics(DeltaTable(lake.uri("orders")), "submitted_at") > 0
    maintain(lake, timedelta(0), log=lambda line: None)
    maintained = DeltaTable(lake.uri("orders"))
    assert maintained.metadata().configuration["delta.dataSkippingNumIndexedCols"] == "-1"
    assert _files_without_statistics(maintained, "submitted_at") == 0
    assert lake.read("orders").height == 2
