"""fx_rates: the ECB's reference rates read over HTTP from the sandbox's copy of the ECB
(its files at the ECB's paths), the latest run and a backfilled range landing exactly
what it published, and the days between carried forward, marked so."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest

from assets.fx import ECB_URL_VARIABLE, ReferenceResource
from assets.fx_sync import sync_fx_rates
from brokers.ecb import ECB_URL, EcbClient, parse, rates_frame
from sandbox import Sandbox, SandboxConfig
from sandbox.ecb import CURRENCIES, published_days, rate_on
from warehouse import Catalog, Lake

CLOCK = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # a Friday, after the day's rates


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(clock=CLOCK)) as running:
        yield running


def sync(lake: Lake, url: str, **kwargs) -> object:
    async def run() -> object:
        client = EcbClient(url)
        try:
            return await sync_fx_rates(lake, client, run_id="fx-test", **kwargs)
        finally:
            await client.aclose()

    return asyncio.run(run())


def landed(home) -> dict[tuple[date, str], Decimal]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT day, quote, rate FROM fx_reference_rates WHERE base = 'EUR'"
        ).fetchall()
    return {(day, quote): rate for day, quote, rate in rows}


def published(first: date, last: date) -> dict[tuple[date, str], Decimal]:
    return {
        (day, currency): rate_on(0, currency, day)
        for day in published_days(CLOCK, since=first)
        if day <= last
        for currency in CURRENCIES
    }


def test_a_run_then_a_backfill_land_what_the_ecb_published(sandbox, tmp_path):
    lake = Lake(tmp_path)
    ecb = ReferenceResource(sandbox_url=sandbox.base_url).ecb()
    assert ecb == sandbox.base_url + "/ecb"

    first_run = sync(lake, ecb, today=CLOCK.date())
    assert first_run.path.endswith("eurofxref-hist-90d.xml")
    Catalog(tmp_path).refresh()
    expected = published(first_run.first, CLOCK.date())
    assert landed(tmp_path) == expected
    assert max(day for day, _ in expected) == CLOCK.date()
    assert first_run.quarantined == 0 and first_run.written == len(expected)

    # a range long before: read from the whole history, only its days replaced
    backfill = (date(2025, 12, 20), date(2026, 1, 10))
    backfilled = sync(lake, ecb, backfill=backfill, today=CLOCK.date())
    assert backfilled.path.endswith("eurofxref-hist.xml")
    Catalog(tmp_path).refresh()
    both = {**expected, **published(*backfill)}
    assert landed(tmp_path) == both
    # 25 and 26 December and 1 January are TARGET holidays: no rates published
    days = {day for day, _ in both}
    assert {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)}.isdisjoint(days)

    # a later run reads again from the last day landed less a week (the same rows)
    again = sync(lake, ecb, today=CLOCK.date())
    assert again.first == CLOCK.date() - timedelta(days=7)
    Catalog(tmp_path).refresh()
    assert landed(tmp_path) == both


def test_a_day_without_rates_carries_the_last_published(sandbox, tmp_path):
    lake = Lake(tmp_path)
    sync(lake, sandbox.base_url + "/ecb", backfill=(date(2025, 12, 1), date(2026, 1, 31)))
    Catalog(tmp_path).refresh()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT day, rate, published_on, carried_forward FROM fx_rates "
            "WHERE provider = 'ECB' AND base = 'EUR' AND quote = 'USD' "
            "AND day BETWEEN DATE '2025-12-24' AND DATE '2025-12-29' ORDER BY day"
        ).fetchall()
        gaps = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT day FROM fx_rates WHERE provider = 'ECB' "
            "AND day BETWEEN DATE '2025-12-01' AND DATE '2026-01-31')"
        ).fetchone()
    christmas_eve = date(2025, 12, 24)  # a Wednesday; then two holidays and a weekend
    usd = rate_on(0, "USD", christmas_eve)
    assert rows == [
        (christmas_eve, usd, christmas_eve, False),
        (date(2025, 12, 25), usd, christmas_eve, True),
        (date(2025, 12, 26), usd, christmas_eve, True),
        (date(2025, 12, 27), usd, christmas_eve, True),
        (date(2025, 12, 28), usd, christmas_eve, True),
        (date(2025, 12, 29), rate_on(0, "USD", date(2025, 12, 29)), date(2025, 12, 29), False),
    ]
    assert gaps == (62,)  # every calendar day has a rate


def test_unreadable_entries_are_kept_with_their_reason():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
 xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
 <gesmes:subject>Reference rates</gesmes:subject>
 <Cube><Cube time='2026-11-20'>
  <Cube currency='USD' rate='1.0537'/><Cube currency='JPY' rate='n/a'/>
  <Cube currency='usd' rate='1.1'/><Cube currency='GBP' rate='-0.8'/>
 </Cube></Cube></gesmes:Envelope>"""
    good, bad = rates_frame(parse(body), None, None)
    assert good.select("quote", "rate").rows() == [("USD", Decimal("1.0537"))]
    assert sorted(bad["quarantine_reason"]) == [
        "not an ISO 4217 currency: 'usd' (entry 2026-11-20 usd)",
        "rate: not a decimal: 'n/a' (entry 2026-11-20 JPY)",
        "rate: not a positive number: '-0.8' (entry 2026-11-20 GBP)",
    ]
    with pytest.raises(ValueError, match="not XML"):
        parse(body[:200])


def test_the_real_ecb_unless_the_sandbox_is_asked_for(monkeypatch):
    monkeypatch.delenv(ECB_URL_VARIABLE, raising=False)
    assert ReferenceResource().ecb() == ECB_URL == "https://www.ecb.europa.eu"
    monkeypatch.setenv(ECB_URL_VARIABLE, "https://mirror.example/ecb")
    assert ReferenceResource().ecb() == "https://mirror.example/ecb"
