"""Reference exchange rates into the lake, without Dagster: the ECB's published rates of
a range of days (or its latest), validated, replacing what the lake held for those days
in one commit, the unreadable entries quarantined with their reason.

A plain run reads from the last day landed (less a week, for corrections) to today, from
the smallest of the ECB's files that holds it; the first run reads the last 90 days; a
backfill reads the days asked, back to 1999.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl

from brokers.ecb import PROVIDER, EcbClient
from schemas import validate
from warehouse import Lake

TABLE = "fx_reference_rates"
FIRST_READ = timedelta(days=80)  # what the first run reads, within the ECB's 90-day file
LOOKBACK = timedelta(days=7)  # read again before the last day landed


@dataclass(frozen=True)
class FxSynced:
    path: str  # the ECB file read
    first: date
    last: date
    days: int  # days with rates
    written: int
    quarantined: int
    version: int | None  # the lake version committed

    def metadata(self) -> dict[str, object]:
        return {
            "file": self.path,
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "days_published": self.days,
            "rows_written": self.written,
            "rows_quarantined": self.quarantined,
            **({"lake_version": self.version} if self.version is not None else {}),
        }


def last_landed(lake: Lake) -> date | None:
    landed = lake.scan(TABLE).filter(pl.col("provider") == PROVIDER).select(pl.col("day").max())
    return landed.collect().item()


def plan(lake: Lake, today: date, backfill: tuple[date, date] | None) -> tuple[date, date]:
    """The days a run reads: the backfill's, else from the last landed less a look-back
    (or the last 90 days) to today."""
    if backfill is not None:
        return backfill
    landed = last_landed(lake)
    first = today - FIRST_READ if landed is None else min(landed - LOOKBACK, today)
    return first, today


async def sync_fx_rates(
    lake: Lake,
    client: EcbClient,
    *,
    run_id: str,
    backfill: tuple[date, date] | None = None,
    today: date | None = None,
) -> FxSynced:
    """Read and land the ECB's rates for the planned days; every entry read is written
    or quarantined."""
    today = today or datetime.now(UTC).date()
    first, last = plan(lake, today, backfill)
    published = await client.rates(first, last, today=today)
    fetched_at = datetime.now(UTC)
    lineage = [pl.lit(fetched_at).alias("fetched_at"), pl.lit(run_id).alias("run_id")]
    result = validate(TABLE, published.rates.with_columns(lineage))
    quarantined = pl.concat(
        [result.quarantined, published.unreadable.with_columns(lineage)], how="diagonal_relaxed"
    )
    written = lake.write_reference(TABLE, PROVIDER, result.valid, first=first, last=last)
    lake.write_reference(TABLE, PROVIDER, quarantined, first=first, last=last, quarantine=True)
    return FxSynced(
        published.path,
        first,
        last,
        result.valid["day"].n_unique(),
        result.valid.height,
        quarantined.height,
        written.version,
    )
