"""Resources: where the sources are configured, and where the warehouse lives."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import httpx

from brokers.config import ConfigError, SourceConfig, load_sources, sandbox_sources
from warehouse import Catalog, Lake

MANIFEST_PATH = "/_sandbox/manifest"


class SourcesResource(dg.ConfigurableResource):
    """The configured sources: a sources.yaml, or the built-in sandbox sources of a running
    sandbox (read from the manifest it publishes). Secrets come from the environment (the
    file names variables) or from the sandbox, never from run config."""

    path: str | None = None
    sandbox_url: str | None = None

    def load(self) -> list[SourceConfig]:
        if self.path:
            return load_sources(self.path)
        if self.sandbox_url:
            response = httpx.get(self.sandbox_url.rstrip("/") + MANIFEST_PATH, timeout=10)
            response.raise_for_status()
            return sandbox_sources(response.json())
        raise ConfigError("no sources: give a sources.yaml path or a sandbox URL")

    def get(self, name: str) -> SourceConfig:
        sources = {source.name: source for source in self.load()}
        if name not in sources:
            raise ConfigError(
                f"source {name!r} is not configured (configured: {', '.join(sources) or 'none'})"
            )
        return sources[name]


class WarehouseResource(dg.ConfigurableResource):
    """The Parquet lake and the DuckDB catalog under one home directory."""

    home: str = "data"

    @property
    def lake(self) -> Lake:
        return Lake(Path(self.home))

    @property
    def catalog(self) -> Catalog:
        return Catalog(Path(self.home))
