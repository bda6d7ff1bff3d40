"""Storage: the Parquet lake (system of record), quarantine, and the DuckDB catalog."""

from warehouse.catalog import Catalog
from warehouse.lake import Lake, WriteResult

__all__ = ["Catalog", "Lake", "WriteResult"]
