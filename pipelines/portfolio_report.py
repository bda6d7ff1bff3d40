"""`brokerlake report`: one HTML page of the portfolio, read from the catalog's analytics
(value over time, allocation, performance, income and fees) and from the lake's own
bookkeeping (each source's freshness and quarantine), that opens offline: plotly draws
the charts and its JavaScript is written into the page once.

Figures are in the base currency (the `base_currency` setting) unless a table says
otherwise; charts take them as floats, tables print the exact decimals.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go

from schemas import TABLES
from warehouse import Catalog

PERIODS = ("1M", "3M", "YTD", "1Y", "inception")
CENT = Decimal("0.01")
SECTIONS = {
    "value": "Value over time",
    "allocation": "Allocation",
    "performance": "Performance",
    "income": "Income and fees",
    "sources": "Sources: freshness and quarantine",
}
# Each position's market value in the base currency, at its snapshot day's rates.
HOLDINGS_BASE = """
    SELECT p.source, p.broker, coalesce(p.instrument_type, 'other') AS asset_class,
           p.currency,
           CASE WHEN p.currency = s.base_currency THEN p.market_value
                ELSE p.market_value * CAST(tb.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE)
           END AS value_base
    FROM positions_latest p
    CROSS JOIN analytics_settings s
    LEFT JOIN fx_eur_rates fr ON fr.day = p.as_of_date AND fr.currency = p.currency
    LEFT JOIN fx_eur_rates tb ON tb.day = p.as_of_date AND tb.currency = s.base_currency
    WHERE p.market_value IS NOT NULL AND p.instrument_type NOT IN ('cfd', 'fx')"""


@dataclass(frozen=True)
class Headline:
    """The page's headline figures (also in `data-metric` attributes)."""

    as_of: str  # the latest snapshot day
    base_currency: str
    total_equity: Decimal  # overall, the latest day
    accounts: int
    twr_inception: float | None
    mwr_inception: float | None
    income_net: Decimal  # every month's dividends, interest, fees, taxes, commissions


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    found = con.execute(sql)
    columns = [column[0] for column in found.description or ()]
    return [dict(zip(columns, row, strict=True)) for row in found.fetchall()]


def money(value: Decimal | float | None) -> str:
    if value is None:
        return "–"
    return f"{Decimal(str(value)).quantize(CENT):,}"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.2f}%"


def headline(con: duckdb.DuckDBPyConnection) -> Headline:
    (base,) = con.execute("SELECT base_currency FROM analytics_settings").fetchone() or ("USD",)
    latest = con.execute(
        "SELECT day, equity_base, accounts FROM portfolio_daily_consolidated "
        "WHERE level = 'overall' ORDER BY day DESC LIMIT 1"
    ).fetchone()
    performance = con.execute(
        "SELECT twr, mwr FROM performance WHERE level = 'overall' AND period = 'inception'"
    ).fetchone()
    (income,) = con.execute("SELECT coalesce(sum(net_base), 0) FROM income_monthly").fetchone()
    return Headline(
        as_of=str(latest[0]) if latest else "no snapshot yet",
        base_currency=base,
        total_equity=latest[1] if latest and latest[1] is not None else Decimal(0),
        accounts=latest[2] if latest else 0,
        twr_inception=performance[0] if performance else None,
        mwr_inception=performance[1] if performance else None,
        income_net=income,
    )


def _figure(figure: go.Figure, first: bool) -> str:
    """A chart as a fragment; the first carries plotly's JavaScript for the page."""
    figure.update_layout(margin={"l": 40, "r": 20, "t": 40, "b": 40}, height=360)
    return figure.to_html(full_html=False, include_plotlyjs=first)


def value_section(con: duckdb.DuckDBPyConnection, base: str) -> go.Figure:
    figure = go.Figure()
    series = rows(
        con,
        "SELECT coalesce(source, 'all sources') AS name, day, equity_base "
        "FROM portfolio_daily_consolidated WHERE level IN ('overall', 'source') "
        "ORDER BY level, name, day",
    )
    names = dict.fromkeys(row["name"] for row in series)
    for name in names:
        points = [r for r in series if r["name"] == name]
        figure.add_trace(
            go.Scatter(
                x=[str(r["day"]) for r in points],
                y=[float(r["equity_base"] or 0) for r in points],
                name=name,
                mode="lines+markers",
                line={"width": 4 if name == "all sources" else 1.5},
            )
        )
    figure.update_layout(title=f"Equity in {base}", yaxis_title=base)
    return figure


def allocation_section(con: duckdb.DuckDBPyConnection) -> go.Figure:
    """Three pies: by asset class, by broker, by currency (positions at market value in
    the base currency; cash counts under its currency and broker)."""
    from plotly.subplots import make_subplots

    by_class = rows(
        con,
        f"SELECT asset_class AS label, sum(value_base) AS value FROM ({HOLDINGS_BASE}) "
        "GROUP BY label ORDER BY value DESC",
    )
    latest = (
        "FROM portfolio_daily WHERE day = (SELECT max(day) FROM portfolio_daily p2 "
        "WHERE p2.source = portfolio_daily.source AND p2.account_id = portfolio_daily.account_id)"
    )
    by_broker = rows(
        con, f"SELECT broker AS label, sum(equity_base) AS value {latest} GROUP BY broker"
    )
    by_currency = rows(
        con,
        "SELECT c.currency AS label, sum(CASE WHEN c.currency = s.base_currency THEN c.equity "
        "ELSE c.equity * CAST(tb.rate AS DOUBLE) / CAST(fr.rate AS DOUBLE) END) AS value "
        "FROM portfolio_daily_currency c CROSS JOIN analytics_settings s "
        "LEFT JOIN fx_eur_rates fr ON fr.day = c.day AND fr.currency = c.currency "
        "LEFT JOIN fx_eur_rates tb ON tb.day = c.day AND tb.currency = s.base_currency "
        "WHERE c.day = (SELECT max(day) FROM portfolio_daily_currency c2 "
        "WHERE c2.source = c.source AND c2.account_id = c.account_id) GROUP BY c.currency",
    )
    figure = make_subplots(
        rows=1,
        cols=3,
        specs=[[{"type": "domain"}] * 3],
        subplot_titles=("By asset class", "By broker", "By currency"),
    )
    for column, data in enumerate((by_class, by_broker, by_currency), start=1):
        kept = [r for r in data if r["value"] is not None and float(r["value"]) > 0]
        figure.add_trace(
            go.Pie(
                labels=[r["label"] for r in kept],
                values=[float(r["value"]) for r in kept],
                hole=0.4,
            ),
            row=1,
            col=column,
        )
    return figure


def performance_table(con: duckdb.DuckDBPyConnection) -> str:
    found = rows(
        con,
        "SELECT level, coalesce(account_id, user_id, source, 'all sources') AS entity, "
        "source, currency, period, twr, mwr FROM performance "
        "WHERE level IN ('overall', 'source', 'account') ORDER BY level DESC, source, entity",
    )
    table: dict[tuple, dict[str, tuple]] = {}
    for row in found:
        key = (row["level"], row["source"] or "", row["entity"], row["currency"])
        table.setdefault(key, {})[row["period"]] = (row["twr"], row["mwr"])
    head = "".join(f"<th>{p} TWR</th><th>{p} MWR</th>" for p in PERIODS)
    body = []
    for (level, source, entity, currency), periods in table.items():
        cells = "".join(
            f"<td>{percent(periods.get(p, (None, None))[0])}</td>"
            f"<td>{percent(periods.get(p, (None, None))[1])}</td>"
            for p in PERIODS
        )
        row_id = f' data-entity="{html.escape(level)}:{html.escape(entity)}"'
        body.append(
            f"<tr{row_id}><td>{html.escape(level)}</td><td>{html.escape(source)}</td>"
            f"<td>{html.escape(entity)}</td><td>{html.escape(currency or '')}</td>{cells}</tr>"
        )
    return (
        '<table class="data" id="performance-table"><thead><tr><th>level</th><th>source</th>'
        f"<th>account or source</th><th>currency</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def income_section(con: duckdb.DuckDBPyConnection, base: str) -> tuple[go.Figure, str]:
    months = rows(
        con,
        "SELECT month, currency, sum(dividends) AS dividends, sum(interest) AS interest, "
        "sum(fees) AS fees, sum(taxes) AS taxes, sum(commissions) AS commissions, "
        "sum(net) AS net, sum(net_base) AS net_base FROM income_monthly "
        "GROUP BY month, currency ORDER BY month, currency",
    )
    totals: dict[str, dict[str, float]] = {}
    for row in months:
        month = str(row["month"])[:7]
        for kind in ("dividends", "interest", "fees", "taxes", "commissions"):
            share = float(row[kind] or 0) * (
                float(row["net_base"] or 0) / float(row["net"]) if row["net"] else 1.0
            )
            totals.setdefault(kind, {})
            totals[kind][month] = totals[kind].get(month, 0.0) + share
    figure = go.Figure(
        [go.Bar(name=kind, x=list(by.keys()), y=list(by.values())) for kind, by in totals.items()]
    )
    figure.update_layout(barmode="relative", title=f"Per month, in {base}", yaxis_title=base)
    body = "".join(
        f"<tr><td>{str(r['month'])[:7]}</td><td>{html.escape(r['currency'])}</td>"
        + "".join(
            f"<td>{money(r[k])}</td>"
            for k in ("dividends", "interest", "fees", "taxes", "commissions", "net")
        )
        + "</tr>"
        for r in months
    )
    table = (
        '<table class="data" id="income-table"><thead><tr><th>month</th><th>currency</th>'
        "<th>dividends</th><th>interest</th><th>fees</th><th>taxes</th><th>commissions</th>"
        f"<th>net</th></tr></thead><tbody>{body}</tbody></table>"
    )
    return figure, table


def sources_table(con: duckdb.DuckDBPyConnection) -> str:
    """Per source: when each table was last fetched, its latest snapshot day, and the
    rows each table holds in quarantine."""
    tables = list(TABLES)
    fetched = " UNION ALL ".join(
        f"SELECT source, '{name}' AS tbl, max(fetched_at) AS fetched FROM {name} GROUP BY source"
        for name in tables
    )
    quarantined = " UNION ALL ".join(
        f"SELECT source, '{name}' AS tbl, count(*) AS n FROM quarantine_{name} GROUP BY source"
        for name in tables
    )
    found = rows(
        con,
        f"SELECT f.source, f.tbl, f.fetched, coalesce(q.n, 0) AS quarantined "
        f"FROM ({fetched}) f LEFT JOIN ({quarantined}) q USING (source, tbl) "
        "ORDER BY f.source, f.tbl",
    )
    days = dict(
        con.execute("SELECT source, max(as_of_date) FROM balances GROUP BY source").fetchall()
    )
    per_source: dict[str, dict[str, dict]] = {}
    for row in found:
        per_source.setdefault(row["source"], {})[row["tbl"]] = row
    head = "".join(f"<th>{t}</th>" for t in tables)
    body = []
    for source, by_table in sorted(per_source.items()):
        cells = []
        for name in tables:
            entry = by_table.get(name)
            if entry is None:
                cells.append("<td>–</td>")
                continue
            when = entry["fetched"].astimezone(UTC).strftime("%Y-%m-%d %H:%M")
            quarantine = entry["quarantined"]
            flag = ""
            if quarantine:
                flag = f' <span class="quarantine">{quarantine} quarantined</span>'
            cells.append(f"<td>{when}{flag}</td>")
        total = sum(entry["quarantined"] for entry in by_table.values())
        body.append(
            f'<tr data-source="{html.escape(source)}" data-quarantined="{total}">'
            f"<td>{html.escape(source)}</td><td>{days.get(source, '–')}</td>"
            f"<td>{total}</td>{''.join(cells)}</tr>"
        )
    return (
        '<table class="data" id="sources-table"><thead><tr><th>source</th>'
        f"<th>latest snapshot</th><th>quarantined</th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        "<p class='note'>Each table's cell: when its rows were last fetched (UTC).</p>"
    )


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d2733; }
header .metrics { display: flex; gap: 2rem; flex-wrap: wrap; }
.metric { background: #f1f4f8; padding: 0.8rem 1.2rem; border-radius: 6px; }
.metric .label { font-size: 0.8rem; color: #5a6675; }
.metric .value { font-size: 1.5rem; font-weight: 600; }
table.data { border-collapse: collapse; font-size: 0.8rem; margin: 1rem 0; }
table.data th, table.data td { border: 1px solid #d5dbe3; padding: 0.25rem 0.5rem; }
table.data td { text-align: right; }
.quarantine { color: #b3261e; }
.note { font-size: 0.8rem; color: #5a6675; }
"""


def render(con: duckdb.DuckDBPyConnection, generated: datetime) -> str:
    top = headline(con)
    base = top.base_currency
    metrics = [
        ("total_equity", f"Total equity ({base})", money(top.total_equity)),
        ("accounts", "Accounts", str(top.accounts)),
        ("twr_inception", "Time-weighted return since inception", percent(top.twr_inception)),
        ("mwr_inception", "Money-weighted return since inception", percent(top.mwr_inception)),
        ("income_net", f"Income net of fees ({base})", money(top.income_net)),
    ]
    tiles = "".join(
        f'<div class="metric" data-metric="{key}"><div class="label">{label}</div>'
        f'<div class="value">{value}</div></div>'
        for key, label, value in metrics
    )
    income_figure, income_table = income_section(con, base)
    parts = {
        "value": _figure(value_section(con, base), first=True),
        "allocation": _figure(allocation_section(con), first=False),
        "performance": performance_table(con),
        "income": _figure(income_figure, first=False) + income_table,
        "sources": sources_table(con),
    }
    sections = "".join(
        f'<section id="{key}"><h2>{SECTIONS[key]}</h2>{content}</section>'
        for key, content in parts.items()
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>brokerlake report, {top.as_of}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>brokerlake report</h1><p>Snapshots to {top.as_of}; figures in {base}; "
        f"generated {generated.strftime('%Y-%m-%d %H:%M')} UTC.</p>"
        f'<div class="metrics">{tiles}</div></header>{sections}</body></html>'
    )


def write_report(home: str, out: Path) -> Headline:
    """Write the page for the warehouse at `home`; returns its headline figures."""
    catalog = Catalog(home)
    if not catalog.remote and not catalog.path.exists():
        raise FileNotFoundError(f"no catalog at {catalog.path}: run a sync first (brokerlake demo)")
    with catalog.connect() as con:
        page = render(con, datetime.now(UTC))
        top = headline(con)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return top
