"""The code location `dagster dev -w workspace.yaml` loads: assets over the configured
sources (sources.yaml, or the built-in sandbox when there is none), the warehouse
resource, and the job that materializes everything for one source."""

from __future__ import annotations

import dagster as dg

from assets import SourcesResource, WarehouseResource, build_table_assets
from brokers.config import source_names
from pipelines.embedded_sandbox import embedded_sandbox
from pipelines.settings import Settings

SYNC_JOB = "sync_all"


def build_definitions(sources: SourcesResource, names: list[str], home: str) -> dg.Definitions:
    table_assets = build_table_assets(names)
    sync_all = dg.define_asset_job(
        SYNC_JOB,
        selection=dg.AssetSelection.all(),
        description="Every canonical table for one source (one partition per source).",
    )
    return dg.Definitions(
        assets=table_assets,
        jobs=[sync_all],
        resources={"sources": sources, "warehouse": WarehouseResource(home=home)},
    )


def sources_for(settings: Settings) -> tuple[SourcesResource, list[str]]:
    """The sources resource and the source names (the partitions) for these settings."""
    if settings.sources_file is not None:
        return SourcesResource(path=str(settings.sources_file)), source_names(settings.sources_file)
    sandbox = embedded_sandbox(
        settings.sandbox_seed,
        settings.sandbox_clock,
        settings.sandbox_faults,
        settings.sandbox_drift,
    )
    resource = SourcesResource(sandbox_url=sandbox.base_url)
    return resource, [source.name for source in resource.load()]


@dg.definitions
def defs() -> dg.Definitions:
    settings = Settings.from_env()
    sources, names = sources_for(settings)
    return build_definitions(sources, names, str(settings.home.resolve()))
