"""The analytics on the sandbox world, a week of daily snapshots, its ledger and the ECB's
rates, equal what the world's truth gives computed independently (tests/analytics/
portfolio_oracle.py): portfolio_daily (exact in an account's own currency, within a
millionth where a conversion rounds), the time- and money-weighted returns per account,
source and overall, realized P&L from FIFO lots, income per month; and Alpaca's reported
profit or loss agrees with brokerlake's within the stated tolerance."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from tests.analytics.portfolio_oracle import (
    chain_linked,
    fifo_realized,
    income_by_month,
    money_weighted,
    portfolio_days,
    truth,
)
from tests.analytics.world_lake import DAYS, LAST

CONVERTED = Decimal("0.000001")


@pytest.fixture(scope="module")
def expected(world_sandbox, world_lake):
    days: dict[date, dict[str, list[dict]]] = {}
    for moment in DAYS:
        merged: dict[str, list[dict]] = defaultdict(list)
        for source in world_lake.sources:
            for table, rows in truth(world_sandbox, source, moment).items():
                merged[table] += rows
        days[moment.date()] = merged
    activities = days[LAST.date()]["activities"]
    return portfolio_days(days, activities), activities


@pytest.fixture(scope="module")
def con(world_lake):
    with duckdb.connect(str(world_lake.home / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def by_key(con, sql: str, width: int) -> dict[tuple, tuple]:
    return {row[:width]: row[width:] for row in con.execute(sql).fetchall()}


def test_portfolio_daily_equals_the_world(expected, con):
    accounts, _ = expected
    landed = by_key(
        con,
        "SELECT source, account_id, day, account_currency, equity, equity_base, net_flows, "
        "net_flows_base, base_currency FROM portfolio_daily",
        3,
    )
    assert set(landed) == set(accounts)
    exact = converted = flows = 0
    for key, want in accounts.items():
        currency, equity, equity_base, net_flows, net_flows_base, base = landed[key]
        assert (currency, base) == (want.currency, "USD")
        if set(want.cash) | set(want.market_value) == {want.currency}:
            assert equity == want.equity, key  # one currency: exact
            exact += 1
        else:
            assert abs(equity - want.equity) <= CONVERTED, key
            converted += 1
        assert abs(equity_base - want.equity_base) <= CONVERTED, key
        assert abs(net_flows - want.net_flows) <= CONVERTED, key
        assert abs(net_flows_base - want.net_flows_base) <= CONVERTED, key
        flows += bool(want.net_flows)
    assert exact > 100 and converted >= 7 and flows >= 5  # the week holds both, and flows

    per_currency = by_key(
        con, "SELECT source, account_id, day, currency, cash, market_value "
        "FROM portfolio_daily_currency", 4,
    )  # fmt: skip
    for (source, account_id, day), want in accounts.items():
        for currency in set(want.cash) | set(want.market_value):
            cash, market_value = per_currency[(source, account_id, day, currency)]
            assert cash == want.cash.get(currency, 0)
            assert market_value == want.market_value.get(currency, 0)


def test_a_weekend_converts_at_fridays_rates(con):
    rows = con.execute(
        "SELECT DISTINCT day, fx_carried_forward FROM portfolio_daily "
        "WHERE account_currency <> base_currency ORDER BY day"
    ).fetchall()
    carried = {day for day, flag in rows if flag}
    assert carried == {date(2026, 11, 21), date(2026, 11, 22)}


def test_returns_equal_the_world(expected, con):
    accounts, _ = expected
    series: dict[tuple, list] = defaultdict(list)
    for entry in sorted(accounts.values(), key=lambda e: e.day):
        series[("account", entry.source, entry.account_id)].append(
            (entry.day, entry.equity, entry.net_flows)
        )
    consolidated: dict[tuple, dict[date, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal(0), Decimal(0)])
    )
    for entry in accounts.values():
        for key in (
            ("overall", None, None),
            ("source", entry.source, None),
            ("user", entry.source, entry.user_id),
        ):
            consolidated[key][entry.day][0] += entry.equity_base
            consolidated[key][entry.day][1] += entry.net_flows_base
    for key, by_day in consolidated.items():
        series[key] = [(d, v, f) for d, (v, f) in sorted(by_day.items())]

    landed = by_key(
        con,
        "SELECT level, source, CASE WHEN level = 'user' THEN user_id ELSE account_id END, "
        "twr, mwr, start_value, end_value, days_linked FROM performance "
        "WHERE period = 'inception'",
        3,
    )
    assert set(landed) == set(series)
    no_flows = 0
    for key, points in series.items():
        twr, mwr, start_value, end_value, days_linked = landed[key]
        assert days_linked == len(points) - 1
        assert twr == pytest.approx(chain_linked([(v, f) for _, v, f in points]), abs=1e-9), key
        assert mwr == pytest.approx(money_weighted(points), abs=1e-6), key
        if start_value and not any(f for _, _, f in points[1:]):  # no flows: end / start - 1
            assert twr == pytest.approx(float(end_value / start_value) - 1, abs=1e-12)
            no_flows += 1
    assert no_flows > 20
    # the 1M, 3M, YTD and 1Y periods reach before the week: they start at its first day
    periods = con.execute(
        "SELECT DISTINCT period, start_day, complete FROM performance ORDER BY period"
    ).fetchall()
    assert {(p, d) for p, d, _ in periods} == {
        (p, DAYS[0].date()) for p in ("1M", "1Y", "3M", "YTD", "inception")
    }
    assert {p for p, _, complete in periods if complete} == {"inception"}


def test_realized_pnl_equals_fifo_lots_of_the_world(expected, con):
    _, activities = expected
    want = {k: v for k, v in fifo_realized(activities).items()}
    landed = {
        row[:3]: row[3]
        for row in con.execute(
            "SELECT source, account_id, symbol, realized_pnl FROM realized_pnl "
            "WHERE realized_pnl IS NOT NULL"
        ).fetchall()
    }
    assert set(landed) == set(want)
    assert len(want) > 100
    for key, value in want.items():
        assert abs(landed[key] - value) <= CONVERTED, key


def test_income_per_month_equals_the_ledger(expected, con):
    _, activities = expected
    want = income_by_month(activities)
    landed = by_key(
        con,
        "SELECT source, account_id, month, currency, dividends, interest, fees, taxes, "
        "commissions FROM income_monthly",
        4,
    )
    assert set(landed) == set(want)
    names = ("dividend", "interest", "fee", "tax", "commission")
    for key, amounts in want.items():
        assert landed[key] == tuple(amounts.get(name, 0) for name in names), key


def test_alpaca_reported_pnl_agrees_with_brokerlakes(con):
    rows = con.execute(
        "SELECT account_id, count(*), bool_and(within_tolerance), max(abs(difference)) "
        "FROM portfolio_pnl_comparison GROUP BY account_id"
    ).fetchall()
    (alpaca,) = con.execute(
        "SELECT count(DISTINCT account_id) FROM portfolio_daily WHERE broker = 'alpaca'"
    ).fetchone()
    assert len(rows) == alpaca == 3 + 24  # every Alpaca account (Trading and Broker API)
    for account_id, days, agree, worst in rows:
        assert days == len(DAYS) and agree, (account_id, worst)
        assert worst <= Decimal("0.02")  # cents the API rounds to, twice
