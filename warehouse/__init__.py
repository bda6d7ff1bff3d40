"""Storage: the lake of Delta tables (system of record), quarantine, the DuckDB catalog."""

from warehouse.catalog import Catalog
from warehouse.lake import Lake, WriteResult

__all__ = ["Catalog", "Lake", "WriteResult"]
