"""`brokerlake report` as a user runs it, opened in headless Chromium (Debian's, driven
by Playwright) with every request off the page refused, so it must open offline: its
sections are there, plotly has drawn every chart, and the headline figures, the
performance table and each source's quarantine count equal what the warehouse holds. A
screenshot is saved (`BROKERLAKE_SCREENSHOTS=DIR` keeps it)."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.portfolio_report import SECTIONS, money, percent
from schemas import TABLES
from tests.e2e.demo_runs import cli

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
CHARTS = 3  # value over time, allocation, income

if not Path(CHROMIUM).exists():
    if os.environ.get("BROKERLAKE_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def warehouse_figures(home: Path) -> dict:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        equity, accounts = con.execute(
            "SELECT equity_base, accounts FROM portfolio_daily_consolidated "
            "WHERE level = 'overall' ORDER BY day DESC LIMIT 1"
        ).fetchone()
        twr, mwr = con.execute(
            "SELECT twr, mwr FROM performance WHERE level = 'overall' AND period = 'inception'"
        ).fetchone()
        (entities,) = con.execute(
            "SELECT count(DISTINCT level || coalesce(source, '') || coalesce(account_id, '')) "
            "FROM performance WHERE level IN ('overall', 'source', 'account')"
        ).fetchone()
        quarantined = dict(
            con.execute(
                "SELECT source, sum(n) FROM ("
                + " UNION ALL ".join(
                    f"SELECT source, count(*) AS n FROM quarantine_{t} GROUP BY source"
                    for t in TABLES
                )
                + ") GROUP BY source"
            ).fetchall()
        )
        sources = [s for (s,) in con.execute("SELECT DISTINCT source FROM accounts").fetchall()]
    return {
        "total_equity": money(equity), "accounts": str(accounts), "twr_inception": percent(twr),
        "mwr_inception": percent(mwr), "entities": entities,
        "quarantined": {s: int(quarantined.get(s, 0)) for s in sources},
    }  # fmt: skip


def test_the_report_opens_offline_and_shows_the_warehouse(world_lake, tmp_path):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "report.html"
    run = cli(tmp_path, "report", "--home", str(world_lake.home), "--out", str(out))
    assert run.returncode == 0, run.stderr[-2000:]
    assert str(out) in run.stdout and "total equity" in run.stdout
    want = warehouse_figures(world_lake.home)
    assert Decimal(want["total_equity"].replace(",", "")) > 0

    refused: list[str] = []
    screenshot = tmp_path / "report.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def off_the_page(route) -> None:
            refused.append(route.request.url)
            route.abort()

        page.route("http*://**", off_the_page)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(out.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot').length >= {CHARTS}", timeout=60_000
        )
        headings = page.locator("section h2").all_inner_texts()
        metrics = {
            key: page.locator(f'[data-metric="{key}"] .value').inner_text()
            for key in ("total_equity", "accounts", "twr_inception", "mwr_inception")
        }
        rows = page.locator("#performance-table tbody tr").count()
        quarantined = {
            row.get_attribute("data-source"): int(row.get_attribute("data-quarantined") or -1)
            for row in page.locator("#sources-table tbody tr").all()
        }
        drawn = page.locator(".js-plotly-plot .main-svg").count()
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()

    assert refused == [] and errors == []  # nothing fetched from anywhere, no script failed
    assert headings == list(SECTIONS.values())
    assert metrics == {k: want[k] for k in metrics}
    assert rows == want["entities"]
    assert quarantined == want["quarantined"]
    assert drawn >= CHARTS
    assert screenshot.stat().st_size > 50_000
    keep = os.environ.get("BROKERLAKE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / screenshot.name)
