"""The lake on real files: replace and append semantics, de-duplication, compaction,
and atomic writes that leave nothing half-written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from tests.factories import NOW, frame, row
from warehouse import Catalog, Lake
from warehouse.files import TEMP_SUFFIX


def test_round_trip_keeps_exact_values(tmp_path):
    lake = Lake(tmp_path)
    value = Decimal("123456789.123456789")
    lake.write("balances", "src", frame("balances", row("balances", cash=value)), run_id="r1")
    assert lake.read("balances")["cash"].to_list() == [value]
    Catalog(tmp_path).refresh()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        cash, as_of = con.execute("SELECT cash, as_of FROM balances").fetchone()
    assert cash == value
    assert as_of.utcoffset() == timedelta(0)


def test_current_and_daily_partitions_are_replaced(tmp_path):
    lake = Lake(tmp_path)
    for run in ("r1", "r2"):
        lake.write("accounts", "src", frame("accounts"), run_id=run)
        lake.write("positions", "src", frame("positions"), run_id=run)
    assert lake.read("accounts").height == 1
    assert lake.read("positions").height == 1
    next_day = row("positions", as_of_date=date(2026, 11, 24))
    lake.write("positions", "src", frame("positions", next_day), run_id="r3")
    assert lake.read("positions").height == 2  # history accumulates by day
    lake.write(
        "positions", "src", frame("positions").head(0), run_id="r4", as_of_date=date(2026, 11, 24)
    )
    assert lake.read("positions").height == 1  # an empty day replaces that day


def test_orders_keep_the_latest_state(tmp_path):
    lake = Lake(tmp_path)
    lake.write("orders", "src", frame("orders", row("orders", status="open")), run_id="r1")
    lake.write("orders", "src", frame("orders", row("orders", status="open")), run_id="r1")
    later = row("orders", status="filled", updated_at=NOW + timedelta(minutes=1))
    lake.write("orders", "src", frame("orders", later), run_id="r2")
    assert lake.read("orders")["status"].to_list() == ["filled"]
    Catalog(tmp_path).refresh()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT status FROM orders").fetchall() == [("filled",)]
    files = len(lake.files("orders"))
    lake.compact("orders", "src")
    assert files == 2 and len(lake.files("orders")) == 1
    assert lake.read("orders")["status"].to_list() == ["filled"]


def test_compaction_keeps_exactly_what_the_read_sees(tmp_path):
    lake = Lake(tmp_path)
    for run, minutes in (("r1", 0), ("r2", 5), ("r3", 2)):
        rows = [
            row(
                "orders",
                order_id=f"o{n}",
                run_id=run,
                status="open" if n % 2 else "filled",
                quantity=Decimal("10.000000000000000001") * n,
                updated_at=NOW + timedelta(minutes=minutes + n),
                filled_at=None,
            )
            for n in range(1, 4 + minutes)
        ]
        lake.write("orders", "src", frame("orders", *rows), run_id=run)
    before = lake.read("orders")
    assert not lake.compact("orders", "src", max_parts=3, small_rows=5)  # not yet due
    assert lake.compact("orders", "src", max_parts=2, small_rows=5)  # past two parts
    (compacted,) = lake.files("orders")
    assert compacted.name.startswith("compacted-")
    after = lake.read("orders")
    assert after.schema == before.schema and after.equals(before)
    assert after["run_id"].to_list()[:3] == ["r2", "r2", "r2"]  # the latest update wins
    assert not lake.compact("orders", "src")  # one file: nothing to do


def test_a_runs_rows_are_read_back_in_bounded_batches_even_once_compacted(tmp_path):
    lake = Lake(tmp_path)
    for run in ("r1", "r2"):
        for seq in range(3):
            rows = [
                row("orders", order_id=f"{run}-{seq}-{n}", run_id=run, filled_at=None)
                for n in range(5)
            ]
            lake.write("orders", "src", frame("orders", *rows), run_id=run, seq=seq)
    for compacted in (False, True):
        if compacted:
            assert lake.compact("orders", "src")
        batches = list(lake.read_run("orders", "src", "r2", batch_rows=4))
        assert all(batch.height <= 4 for batch in batches)
        landed = pl.concat(batches)
        assert landed.height == 15 and set(landed["run_id"]) == {"r2"}
        assert landed.schema == lake.read("orders").schema


def test_a_leftover_temp_file_is_ignored_then_removed(tmp_path):
    lake = Lake(tmp_path)
    lake.write("accounts", "src", frame("accounts"), run_id="r1")
    directory = lake.source_dir("accounts", "src")
    orphan = directory / f".data.parquet.dead{TEMP_SUFFIX}"
    orphan.write_bytes(b"PAR1 half a file")
    assert lake.read("accounts").height == 1
    Catalog(tmp_path).refresh()
    lake.write("accounts", "src", frame("accounts"), run_id="r2")
    assert not orphan.exists()


def test_wrong_columns_are_refused(tmp_path):
    with pytest.raises(ValueError, match="columns differ"):
        Lake(tmp_path).write("accounts", "src", frame("accounts").drop("name"), run_id="r")


def test_views_exist_and_are_typed_before_any_data(tmp_path):
    Catalog(tmp_path).refresh()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        for view in ("orders", "positions_latest", "holdings", "quarantine_orders"):
            assert con.execute(f"SELECT count(*) FROM {view}").fetchone() == (0,)
        types = {r[0]: r[1] for r in con.execute("DESCRIBE balances").fetchall()}
    assert types["cash"] == "DECIMAL(38,18)"
    assert types["as_of"] == "TIMESTAMP WITH TIME ZONE"


def test_holdings_sum_across_sources_with_shorts_negative(tmp_path):
    lake = Lake(tmp_path)
    lake.write("positions", "a", frame("positions", row("positions", source="a")), run_id="r")
    short = row(
        "positions",
        source="b",
        side="short",
        market_value=Decimal("-110.10"),
        quantity=Decimal("1"),
    )
    lake.write("positions", "b", frame("positions", short), run_id="r")
    Catalog(tmp_path).refresh()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        quantity, value, sources = con.execute(
            "SELECT quantity, market_value, sources FROM holdings WHERE symbol = 'AAPL'"
        ).fetchone()
    assert (quantity, value, sources) == (Decimal(2), Decimal("220.20"), 2)


def test_quarantine_mirrors_the_table(tmp_path):
    lake = Lake(tmp_path)
    bad = frame("orders").with_columns(pl.lit("status failed isin").alias("quarantine_reason"))
    lake.write_quarantine("orders", "src", bad, run_id="r1")
    assert lake.read_quarantine("orders")["quarantine_reason"].to_list() == ["status failed isin"]


def test_a_small_table_is_compacted_by_every_run(tmp_path):
    lake = Lake(tmp_path)
    for run in ("r1", "r2"):
        lake.write("orders", "src", frame("orders", row("orders", run_id=run)), run_id=run)
    assert not lake.compact("orders", "src", max_parts=64, small_rows=2)  # two rows: large
    assert lake.compact("orders", "src", max_parts=64, small_rows=3)
    assert len(lake.files("orders")) == 1
