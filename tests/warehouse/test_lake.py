"""The lake of Delta tables on real files: replace and merge semantics, the mark committed
with its rows, time travel, what another engine reads, and the catalog over it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import polars as pl
import pytest
from deltalake import DeltaTable

from pipelines.cli import main
from schemas import TABLES
from tests.factories import NOW, frame, row
from warehouse import Catalog, Lake
from warehouse.keyed import KeyedWriter

ORDER_KEY = ["source", "account_id", "order_id"]


def catalog_rows(home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_round_trip_keeps_exact_values(tmp_path):
    lake = Lake(tmp_path)
    value = Decimal("123456789.123456789")
    lake.write("balances", "src", frame("balances", row("balances", cash=value)), run_id="r1")
    assert lake.read("balances")["cash"].to_list() == [value]
    Catalog(tmp_path).refresh()
    [(cash, as_of)] = catalog_rows(tmp_path, "SELECT cash, as_of FROM balances")
    assert cash == value
    assert as_of.utcoffset() == timedelta(0)


def test_current_and_daily_partitions_are_replaced_in_one_commit_each(tmp_path):
    lake = Lake(tmp_path)
    for run in ("r1", "r2"):
        lake.write("accounts", "src", frame("accounts", row("accounts", run_id=run)), run_id=run)
        lake.write("positions", "src", frame("positions"), run_id=run)
    lake.write("accounts", "other", frame("accounts", row("accounts", source="other")), run_id="r")
    assert lake.read("accounts", "src")["run_id"].to_list() == ["r2"]
    assert lake.read("accounts").height == 2  # another source's rows stay
    assert lake.read("positions").height == 1
    next_day = row("positions", as_of_date=date(2026, 11, 24))
    lake.write("positions", "src", frame("positions", next_day), run_id="r3")
    assert lake.read("positions").height == 2  # history accumulates by day
    lake.write(
        "positions", "src", frame("positions").head(0), run_id="r4", as_of_date=date(2026, 11, 24)
    )
    assert lake.read("positions").height == 1  # an empty day replaces that day
    history = DeltaTable(lake.uri("positions")).history()
    assert [h["operation"] for h in history].count("WRITE") == 4  # one commit per write


def test_orders_are_merged_on_the_key_newest_wins(tmp_path):
    lake = Lake(tmp_path)
    opened = row("orders", status="open")
    filled = row("orders", status="filled", updated_at=NOW + timedelta(minutes=1), run_id="r2")
    lake.write("orders", "src", frame("orders", opened), run_id="r1")
    lake.write("orders", "src", frame("orders", opened), run_id="r1")  # the same again
    lake.write("orders", "src", frame("orders", filled), run_id="r2")
    lake.write("orders", "src", frame("orders", opened), run_id="r3")  # older: ignored
    assert lake.read("orders")["status"].to_list() == ["filled"]
    # what any Delta reader sees: one row per key, no de-duplication on read
    assert pl.read_delta(lake.uri("orders")).height == 1
    Catalog(tmp_path).refresh()
    assert catalog_rows(tmp_path, "SELECT status FROM orders") == [("filled",)]


def test_a_key_read_twice_in_one_write_lands_once_latest_first(tmp_path):
    lake = Lake(tmp_path)
    writer = KeyedWriter(lake, "orders", "src", "r1")
    versions = [
        row("orders", status="open", updated_at=NOW),
        row("orders", status="filled", updated_at=NOW + timedelta(minutes=2)),
        row("orders", status="partially_filled", updated_at=NOW + timedelta(minutes=1)),
        row("orders", order_id="o2", filled_at=None, status="open"),
    ]
    counts = writer.write(frame("orders", *versions))
    assert counts.inserted == 2
    assert lake.read("orders").sort("order_id")["status"].to_list() == ["filled", "open"]
    later = row("orders", status="canceled", updated_at=NOW + timedelta(minutes=3))
    counts = writer.write(frame("orders", later, versions[3]))
    assert (counts.updated, counts.unchanged, counts.repeated) == (1, 1, 2)
    orders = lake.read("orders").sort("order_id")
    assert orders["status"].to_list() == ["canceled", "open"]
    assert orders.select(ORDER_KEY).is_duplicated().sum() == 0


def test_the_mark_is_committed_with_the_last_rows(tmp_path):
    lake = Lake(tmp_path)
    mark = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    writer = KeyedWriter(lake, "orders", "src", "r1")
    writer.write(frame("orders", row("orders")))
    assert lake.read_mark("orders", "src") is None  # rows without the mark yet
    counts = writer.write(frame("orders", row("orders", order_id="o2")), mark=mark)
    assert lake.read_mark("orders", "src") == mark
    delta = DeltaTable(lake.uri("orders"))
    assert delta.version() == counts.version
    # the commit that moved the mark is the one that added the last rows
    added = delta.history(1)[0]["operationMetrics"]["num_added_rows"]
    assert added == 1
    # a later run that changes nothing still commits its mark
    later = mark + timedelta(hours=1)
    KeyedWriter(lake, "orders", "src", "r2").write(frame("orders", row("orders")), mark=later)
    assert lake.read_mark("orders", "src") == later
    assert lake.read_mark("orders", "other") is None


def test_a_run_of_the_same_source_committed_meanwhile_turns_appends_into_merges(tmp_path):
    lake = Lake(tmp_path)
    first = KeyedWriter(lake, "orders", "src", "r1")
    second = KeyedWriter(lake, "orders", "src", "r2")  # both began on an empty table
    first.write(frame("orders", row("orders", run_id="r1")))
    late = row("orders", run_id="r2", updated_at=NOW + timedelta(minutes=1))
    counts = second.write(frame("orders", late, row("orders", order_id="o2", run_id="r2")))
    assert (counts.inserted, counts.updated) == (1, 1)  # merged, not appended twice
    assert lake.read("orders").height == 2


def test_time_travel_by_version_and_instant(tmp_path):
    lake = Lake(tmp_path)
    lake.write("accounts", "src", frame("accounts", row("accounts", status="open")), run_id="r1")
    between = datetime.now(UTC)
    closed = row("accounts", status="closed", run_id="r2")
    lake.write("accounts", "src", frame("accounts", closed), run_id="r2")
    assert lake.read("accounts")["status"].to_list() == ["closed"]
    assert lake.read("accounts", as_of=0)["status"].to_list() == ["open"]
    assert lake.read("accounts", as_of=between)["status"].to_list() == ["open"]
    then = tmp_path / "then.duckdb"
    assert (
        main(["lake", "as-of", between.isoformat(), "--home", str(tmp_path), "--out", str(then)])
        == 0
    )
    with duckdb.connect(str(then), read_only=True) as con:
        assert con.execute("SELECT status FROM accounts").fetchall() == [("open",)]
        assert con.execute(
            "SELECT version FROM lake_versions WHERE lake_table = 'accounts'"
        ).fetchall() == [(0,)]
    with pytest.raises(ValueError, match="time zone"):
        lake.read("accounts", as_of=datetime(2026, 1, 1))


def test_a_column_the_contract_gains_reads_as_null_until_written(tmp_path, monkeypatch):
    lake = Lake(tmp_path)
    lake.write("accounts", "src", frame("accounts"), run_id="r1")
    Catalog(tmp_path).refresh()
    old_schema = TABLES["accounts"].schema
    wider = pl.Schema({**dict(old_schema), "nickname": pl.String()})
    monkeypatch.setattr(
        type(TABLES["accounts"]),
        "schema",
        property(lambda self: wider if self.name == "accounts" else _schema(self)),
    )
    assert lake.read("accounts")["nickname"].to_list() == [None]
    Catalog(tmp_path).refresh()
    assert catalog_rows(tmp_path, "SELECT nickname FROM accounts") == [(None,)]
    widened = frame("accounts", row("accounts", source="b")).with_columns(nickname=pl.lit("x"))
    lake.write("accounts", "b", widened, run_id="r2")
    assert sorted(lake.read("accounts")["nickname"].to_list(), key=str) == [None, "x"]


def _schema(spec):
    return pl.Schema(
        {name: column.dtype.type for name, column in spec.model.to_schema().columns.items()}
    )


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


def test_a_source_name_with_any_characters_reads_back_from_its_partition(tmp_path):
    lake = Lake(tmp_path)
    name = "partner 1/é'=x"
    lake.write("positions", name, frame("positions", row("positions", source=name)), run_id="r")
    Catalog(tmp_path).refresh()
    assert catalog_rows(tmp_path, "SELECT source, as_of_date FROM positions") == [
        (name, date(2026, 11, 23))
    ]
    assert lake.read("positions", name).height == 1


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
    [(quantity, value, sources)] = catalog_rows(
        tmp_path, "SELECT quantity, market_value, sources FROM holdings WHERE symbol = 'AAPL'"
    )
    assert (quantity, value, sources) == (Decimal(2), Decimal("220.20"), 2)


def test_quarantine_mirrors_the_table(tmp_path):
    lake = Lake(tmp_path)
    bad = frame("orders").with_columns(pl.lit("status failed isin").alias("quarantine_reason"))
    lake.write_quarantine("orders", "src", bad, run_id="r1")
    assert lake.read_quarantine("orders")["quarantine_reason"].to_list() == ["status failed isin"]
    Catalog(tmp_path).refresh()
    assert catalog_rows(tmp_path, "SELECT quarantine_reason FROM quarantine_orders") == [
        ("status failed isin",)
    ]


def test_the_catalog_is_replaced_not_changed_under_an_open_connection(tmp_path):
    lake = Lake(tmp_path)
    lake.write("accounts", "src", frame("accounts"), run_id="r1")
    catalog = Catalog(tmp_path)
    catalog.refresh()
    with duckdb.connect(str(catalog.path), read_only=True) as held:
        lake.write("accounts", "b", frame("accounts", row("accounts", source="b")), run_id="r")
        catalog.refresh()  # a second process could hold it too: nothing is locked
        assert held.execute("SELECT count(*) FROM accounts").fetchone() == (1,)
    assert catalog_rows(tmp_path, "SELECT count(*) FROM accounts") == [(2,)]
    versions = dict(catalog_rows(tmp_path, "SELECT lake_table, version FROM lake_versions"))
    assert versions["accounts"] == DeltaTable(lake.uri("accounts")).version()
    assert not list(tmp_path.glob(".warehouse.duckdb.*"))  # no temporary file left


def test_a_current_tables_observations_by_day(tmp_path):
    lake = Lake(tmp_path)
    first, second = date(2026, 11, 22), date(2026, 11, 23)
    lake.write_history("accounts", "src", frame("accounts", row("accounts")), day=first)
    closed = row("accounts", status="closed")
    lake.write_history("accounts", "src", frame("accounts", closed), day=second)
    lake.write("accounts", "src", frame("accounts", closed), run_id="r")
    assert lake.history_days("accounts", "src") == [first, second]
    assert lake.read_history_day("accounts", "src", first)["status"].to_list() == ["open"]
    assert lake.read_history_day("accounts", "src", date(2026, 11, 1))["status"].to_list() == [
        "closed"  # a day not observed: the current state
    ]
    Catalog(tmp_path).refresh()
    assert catalog_rows(
        tmp_path, "SELECT status, valid_from, valid_to FROM accounts_history ORDER BY valid_from"
    ) == [("open", first, second), ("closed", second, None)]


def test_a_merge_rewrites_only_the_files_in_the_range_of_the_keys_it_updates(tmp_path, monkeypatch):
    lake = Lake(tmp_path)
    orders = [
        row("orders", order_id=f"o{n}", filled_at=None, submitted_at=NOW - timedelta(days=n))
        for n in range(300)
    ]
    writer = KeyedWriter(lake, "orders", "src", "r1")
    for part in range(0, 300, 10):  # a file each, ten days of orders
        writer.write(frame("orders", *orders[part : part + 10]))
    files = len(DeltaTable(lake.uri("orders")).file_uris())
    assert files == 30
    changed = [
        {**orders[n], "status": "canceled", "updated_at": NOW + timedelta(minutes=1)}
        for n in (0, 1)  # the two newest
    ]
    counts = KeyedWriter(lake, "orders", "src", "r2").write(
        pl.DataFrame(changed, schema=TABLES["orders"].schema)
    )
    assert (counts.updated, counts.inserted) == (2, 0)
    merge = DeltaTable(lake.uri("orders")).history(1)[0]["operationMetrics"]
    assert merge["num_target_files_removed"] <= 2 < files - 2
    assert merge["num_target_files_skipped_during_scan"] >= files - 2
    assert lake.read("orders").height == 300
    assert lake.read("orders").filter(pl.col("status") == "canceled").height == 2
