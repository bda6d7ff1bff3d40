"""The Dagster asset graph over the canonical tables, with the resources it uses."""

from assets.resources import SourcesResource, WarehouseResource
from assets.tables import TABLE_ASSET_KEYS, build_table_assets

__all__ = ["TABLE_ASSET_KEYS", "SourcesResource", "WarehouseResource", "build_table_assets"]
