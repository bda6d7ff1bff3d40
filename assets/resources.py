"""Resources: where the sources are configured, and where the warehouse lives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import Any

import dagster as dg
import httpx

from assets.environment import claim
from brokers.config import ConfigError, SourceConfig, load_sources, sandbox_sources
from brokers.http import tls
from warehouse import Catalog, Lake
from warehouse.maintenance import DEFAULT_RETENTION

MANIFEST_PATH = "/_sandbox/manifest"


class SourcesResource(dg.ConfigurableResource):
    """The configured sources: a sources.yaml, or the built-in sandbox sources of a running
    sandbox (read from the manifest it publishes). Secrets come from the environment (the
    file names variables) or from the sandbox, never from run config."""

    path: str | None = None
    sandbox_url: str | None = None

    def load(self, day: date | None = None) -> list[SourceConfig]:
        """The sources as they can be read for `day` (None: now). A broker API serves only
        the present (its answers' date is checked against the day); the sandbox replays
        any day up to its clock, at the clock's time of day."""
        if self.path:
            return load_sources(self.path)
        if self.sandbox_url:
            manifest = sandbox_manifest(self.sandbox_url.rstrip("/"))
            if day is None:
                return sandbox_sources(manifest)
            clock = datetime.fromisoformat(manifest["clock"].replace("Z", "+00:00"))
            if day > clock.date():
                raise ConfigError(
                    f"{day} has not happened in the sandbox yet: its clock is {clock.isoformat()}"
                )
            if day < clock.date():
                instant = datetime.combine(day, clock.timetz()).isoformat()
                manifest = sandbox_manifest(manifest["replay"].format(instant=instant))
            return sandbox_sources(manifest)
        raise ConfigError("no sources: give a sources.yaml path or a sandbox URL")

    def get(self, name: str, day: date | None = None) -> SourceConfig:
        sources = {source.name: source for source in self.load(day)}
        if name not in sources:
            raise ConfigError(
                f"source {name!r} is not configured (configured: {', '.join(sources) or 'none'})"
            )
        return sources[name]


def sandbox_manifest(base_url: str) -> dict[str, Any]:
    """What a running sandbox serves (URLs, credentials, clock), from its manifest."""
    response = httpx.get(base_url + MANIFEST_PATH, timeout=10, verify=tls())
    response.raise_for_status()
    return response.json()


class WarehouseResource(dg.ConfigurableResource):
    """The lake of Delta tables and the DuckDB catalog under one home: a folder, or
    object storage (`s3://bucket/prefix`; credentials from the standard environment)."""

    home: str = "data"
    # Data-quality policy of the checks: the share of a step's rows that may go to
    # quarantine before its contract check fails (and stops what depends on it), and how
    # far cash plus positions may stray from the equity a broker reports, as a share.
    max_quarantined_share: float = 0.1
    equity_tolerance: float = 0.001
    # How far a position's change in units, and a currency's change in cash, may stray
    # from what the activities in between moved (exact on the sandbox; real brokers round
    # and post late).
    ledger_units_tolerance: str = "0.000001"
    ledger_cash_tolerance: str = "0.01"
    # How long old versions of the tables stay readable (time travel, catalogs opened
    # before) before maintenance deletes their files.
    retention_days: int = DEFAULT_RETENTION.days
    # The currency the analytics consolidate in (portfolio_daily's equity_base, the
    # report); None: BROKERLAKE_BASE_CURRENCY, else USD.
    base_currency: str | None = None

    @property
    def lake(self) -> Lake:
        return Lake(self.home)

    def lake_for(self, source: SourceConfig) -> Lake:
        """The lake, once its home is sure to hold this source's kind of data (sandbox or
        real; see `assets.environment`)."""
        claim(self.home, source.sandbox)
        return self.lake

    @property
    def catalog(self) -> Catalog:
        return Catalog(self.home, self.base_currency)

    @contextmanager
    def refreshed(self) -> Iterator[None]:
        """The catalog refreshed once the block ends, whatever landed: after a failure too,
        without a failed refresh hiding the failure."""
        try:
            yield
        except BaseException:
            with suppress(Exception):
                self.catalog.refresh()
            raise
        self.catalog.refresh()
