"""The European Central Bank's euro foreign exchange reference rates, read over HTTP as
the ECB publishes them: one XML file with the latest day, one with the last 90 days, one
with every day since 4 January 1999, in a gesmes envelope (`<Cube time='YYYY-MM-DD'>`
holding `<Cube currency='USD' rate='1.0921'/>` per currency; one euro in that currency).

Not a broker: no credentials, no accounts. The same transport reads it (retries, time
limits, errors worded for the user). The real ECB is the default; the sandbox serves the
same files under its `/ecb` prefix, and is read only when asked for.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import polars as pl

from brokers.http import Transport, TransportSettings

ECB_URL = "https://www.ecb.europa.eu"
PROVIDER = "ECB"
BASE = "EUR"
DAILY = "/stats/eurofxref/eurofxref-daily.xml"
LAST_90_DAYS = "/stats/eurofxref/eurofxref-hist-90d.xml"
HISTORY = "/stats/eurofxref/eurofxref-hist.xml"
EUROFXREF = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
REASON = "quarantine_reason"


@dataclass(frozen=True)
class PublishedRates:
    """What one file held for the days asked: rates (provider, day, base, quote, rate as
    text) and the entries that could not be read, with the reason."""

    path: str
    rates: pl.DataFrame  # provider, day, base, quote, rate (Decimal)
    unreadable: pl.DataFrame  # the same columns (rate null where unreadable) + reason
    first: date  # the days covered, both included
    last: date


def file_for(first: date | None, today: date) -> str:
    """The smallest file holding every day from `first` (None: the latest day only)."""
    if first is None:
        return DAILY
    if first >= today - timedelta(days=85):  # the 90-day file, with a margin for holidays
        return LAST_90_DAYS
    return HISTORY


def parse(body: bytes) -> list[tuple[str, str, str]]:
    """Every (day, currency, rate) entry of a file, as text. ValueError for a body that
    is not the ECB's XML (the transport retries it: a body cut short). The standard
    library's expat parser refuses entity expansion attacks (Python 3.7.1+)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ValueError(f"not XML: {exc}") from None
    outer = root.find(f"{EUROFXREF}Cube")
    if outer is None:
        raise ValueError("no <Cube> of reference rates in the document")
    return [
        (day.get("time") or "", entry.get("currency") or "", entry.get("rate") or "")
        for day in outer.findall(f"{EUROFXREF}Cube")
        for entry in day.findall(f"{EUROFXREF}Cube")
    ]


def _read(day: str, currency: str, rate: str) -> tuple[date | None, Decimal | None, str | None]:
    """An entry's day and rate, or the reason it cannot be kept."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return None, None, f"unreadable day: {day!r}"
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        return when, None, f"not an ISO 4217 currency: {currency!r}"
    try:
        value = Decimal(rate)
    except InvalidOperation:
        return when, None, f"rate: not a decimal: {rate!r}"
    if not value.is_finite() or value <= 0:
        return when, None, f"rate: not a positive number: {rate!r}"
    return when, value, None


def rates_frame(
    entries: list[tuple[str, str, str]], first: date | None, last: date | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The entries of days `first` to `last` as rows, split into readable and not."""
    good: list[dict] = []
    bad: list[dict] = []
    for day, currency, rate in entries:
        when, value, reason = _read(day, currency, rate)
        if when is not None and (
            (first is not None and when < first) or (last is not None and when > last)
        ):
            continue
        row = {"provider": PROVIDER, "day": when, "base": BASE, "quote": currency}
        if reason is None:
            good.append({**row, "rate": value})
        else:
            bad.append({**row, "rate": None, REASON: f"{reason} (entry {day} {currency})"})
    schema = {
        "provider": pl.String,
        "day": pl.Date,
        "base": pl.String,
        "quote": pl.String,
        "rate": pl.Decimal(38, 18),
    }
    return (
        pl.DataFrame(good, schema=schema),
        pl.DataFrame(bad, schema={**schema, REASON: pl.String}),
    )


class EcbClient:
    """Reads the reference rates from `base_url` (the ECB's site, or the sandbox's
    `/ecb`)."""

    def __init__(self, base_url: str = ECB_URL, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = Transport(
            "ecb", self.base_url, settings=TransportSettings(timeout=timeout)
        )

    @property
    def requests_sent(self) -> int:
        return self.transport.requests_sent

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def rates(
        self, first: date | None = None, last: date | None = None, *, today: date | None = None
    ) -> PublishedRates:
        """The rates published from `first` to `last` (both included; None, None: the
        latest day's file), from the smallest file that holds them as of `today` (the
        provider's, at the latest this machine's)."""
        path = file_for(first, today or datetime.now(UTC).date())
        answer = await self.transport.get_json(path, decode=parse)
        good, bad = rates_frame(answer.body, first, last)
        days = good["day"]
        start = first or (days.min() if days.len() else answer.server_time.date())
        end = last or (days.max() if days.len() else answer.server_time.date())
        return PublishedRates(path, good, bad, start, end)  # type: ignore[arg-type]
