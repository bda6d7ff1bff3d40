"""Reference exchange rates as a Dagster asset: the ECB's euro reference rates, read
daily after the ECB publishes (16:00 Frankfurt time), backfillable by a range of days.

The ECB is read at its own address unless the sandbox is asked for, when the sandbox's
copy of it (same files, same paths) is read instead: a sandbox never stands in for a
real source unless asked for.
"""

import asyncio
import os
from datetime import date

import dagster as dg

from assets.environment import claim
from assets.fx_sync import TABLE, FxSynced, sync_fx_rates
from assets.resources import WarehouseResource, sandbox_manifest
from brokers.ecb import ECB_URL, EcbClient

FX_KEY = dg.AssetKey(["reference", TABLE])
FX_GROUP = "reference"
ECB_URL_VARIABLE = "BROKERLAKE_ECB_URL"


class ReferenceResource(dg.ConfigurableResource):
    """Where the reference data comes from: the ECB's site, or a sandbox's copy of it
    (`sandbox_url`, the sandbox's base URL), or `ecb_url` (a mirror)."""

    ecb_url: str | None = None
    sandbox_url: str | None = None

    def ecb(self) -> str:
        if self.ecb_url:
            return self.ecb_url
        if self.sandbox_url:
            return sandbox_manifest(self.sandbox_url.rstrip("/"))["reference"]["ecb"]["base_url"]
        return os.environ.get(ECB_URL_VARIABLE) or ECB_URL


class FxConfig(dg.Config):
    # a backfill: the ECB's rates of these days (UTC, both included), back to 1999-01-04
    backfill_from: str | None = None
    backfill_to: str | None = None

    def backfill(self) -> tuple[date, date] | None:
        if self.backfill_from is None and self.backfill_to is None:
            return None
        try:
            first = date.fromisoformat(self.backfill_from or "")
            last = date.fromisoformat(self.backfill_to or "")
        except ValueError:
            raise dg.Failure(
                description="a backfill of fx rates needs backfill_from and backfill_to as "
                f"YYYY-MM-DD (got {self.backfill_from!r}, {self.backfill_to!r})",
                allow_retries=False,
            ) from None
        if last < first:
            raise dg.Failure(
                description=f"backfill_to {last} is before backfill_from {first}",
                allow_retries=False,
            )
        return first, last


@dg.asset(
    key=FX_KEY,
    group_name=FX_GROUP,
    kinds={"ecb"},
    description="The European Central Bank's euro reference rates as published (one euro "
    "in each currency, per TARGET business day); a run reads from the last day landed "
    "less a week, a backfill any range back to 1999. The fx_rates model fills the days "
    "between.",
)
def fx_reference_rates(
    context: dg.AssetExecutionContext,
    config: FxConfig,
    reference: ReferenceResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    url = reference.ecb()
    context.log.info(f"reading the ECB's reference rates from {url}")

    async def read() -> FxSynced:
        client = EcbClient(url)
        try:
            return await sync_fx_rates(
                warehouse.lake, client, run_id=context.run_id, backfill=config.backfill()
            )
        finally:
            await client.aclose()

    claim(warehouse.home, reference.sandbox_url is not None and not reference.ecb_url)
    with warehouse.refreshed():
        synced = asyncio.run(read())
    return dg.MaterializeResult(metadata={"ecb_url": url, **synced.metadata()})
