"""The Dagster asset graph over the canonical tables, with its checks and resources."""

from assets.resources import SourcesResource, WarehouseResource
from assets.tables import TABLE_NAMES, asset_key, build_table_assets

__all__ = ["TABLE_NAMES", "SourcesResource", "WarehouseResource", "asset_key", "build_table_assets"]
