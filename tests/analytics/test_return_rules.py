"""The rules of the returns, on a lake written by hand (two accounts, three days): an
account with no external flows returns end / start - 1; a deposit changes the equity but
not the time-weighted return; the money-weighted return weighs it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from schemas import table
from warehouse import Catalog, Lake

SOURCE = "hand"
FIRST = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
DAYS = [FIRST + timedelta(days=n) for n in range(3)]
FETCHED = {"source": SOURCE, "broker": "alpaca", "fetched_at": FIRST, "run_id": "hand"}
# account -> equity (all cash) on each day; the second is deposited 500 on the second day
EQUITY = {
    "steady": [Decimal("1000"), Decimal("1100"), Decimal("1045")],  # +10%, then -5%
    "funded": [Decimal("1000"), Decimal("1600"), Decimal("1520")],
}


def frame(name: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{**FETCHED, **row} for row in rows], schema=table(name).schema)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    home = tmp_path_factory.mktemp("returns")
    lake = Lake(home)
    accounts = [
        {"account_id": a, "connection_id": a, "user_id": "u", "institution": "Alpaca",
         "account_type": "cash", "status": "open", "base_currency": "USD", "is_paper": True}
        for a in EQUITY
    ]  # fmt: skip
    lake.write("accounts", SOURCE, frame("accounts", accounts), run_id="hand")
    for n, moment in enumerate(DAYS):
        balances = [
            {"account_id": a, "currency": "USD", "as_of_date": moment.date(), "as_of": moment,
             "cash": values[n], "equity": values[n]}
            for a, values in EQUITY.items()
        ]  # fmt: skip
        lake.write("balances", SOURCE, frame("balances", balances), run_id="hand")
    deposit = {
        "account_id": "funded", "activity_id": "d1", "activity_type": "deposit",
        "status": "executed", "occurred_at": DAYS[1] - timedelta(hours=3),
        "amount": Decimal("500"), "currency": "USD",
    }  # fmt: skip
    lake.write("activities", SOURCE, frame("activities", [deposit]), run_id="hand")
    Catalog(home).refresh()
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def inception(con, account: str) -> tuple:
    return con.execute(
        "SELECT twr, mwr, start_value, end_value, net_flows FROM performance "
        "WHERE level = 'account' AND account_id = ? AND period = 'inception'",
        [account],
    ).fetchone()


def test_no_flows_returns_end_over_start(con):
    twr, mwr, start, end, flows = inception(con, "steady")
    assert (start, end, flows) == (Decimal("1000"), Decimal("1045"), 0)
    assert twr == pytest.approx(0.045, abs=1e-12) == float(end / start) - 1
    assert mwr == pytest.approx(0.045, abs=1e-9)  # no flows: the same growth


def test_a_deposit_changes_equity_not_the_time_weighted_return(con):
    equity = con.execute(
        "SELECT account_id, day, equity, net_flows FROM portfolio_daily ORDER BY account_id, day"
    ).fetchall()
    assert [row for row in equity if row[0] == "funded"] == [
        ("funded", date(2026, 3, 2), Decimal("1000"), 0),
        ("funded", date(2026, 3, 3), Decimal("1600"), Decimal("500")),
        ("funded", date(2026, 3, 4), Decimal("1520"), 0),
    ]
    steady, funded = inception(con, "steady"), inception(con, "funded")
    assert funded[3] != steady[3]  # the deposit is in the equity
    assert funded[0] == pytest.approx(steady[0], abs=1e-12)  # not in the return
    # the money-weighted return weighs the -5% of the last day on 1,600 more than the
    # +10% on 1,000: 1000 x^2 + 500 x = 1520 for x the growth of a day
    growth = (-500 + (500**2 + 4 * 1000 * 1520) ** 0.5) / 2000
    assert funded[1] == pytest.approx(growth**2 - 1, abs=1e-9)
    assert funded[1] < steady[1] - 0.02
    daily = con.execute(
        "SELECT day, daily_return FROM daily_returns WHERE account_id = 'funded' ORDER BY day"
    ).fetchall()
    assert [r for _, r in daily[1:]] == [pytest.approx(0.1), pytest.approx(-0.05)]
