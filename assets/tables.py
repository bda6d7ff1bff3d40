"""The canonical tables as Dagster assets: one set per configured source (keys
`<source>/<table>`), so a failing source never blocks another, each pooled by its broker
API so parallel runs share the API's rate limit.

`accounts` (with the users and connections it belongs to) is read first; balances and
positions are then read for the accounts that landed, one partition per day; orders are
read incrementally, one cursor per source.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

import dagster as dg

from assets.checks import table_checks
from assets.fetch import RETRY_POLICY
from assets.orders import orders_asset
from assets.partitions import daily_partitions
from assets.snapshots import accounts_step, snapshot_asset
from assets.tables_common import TABLE_NAMES, asset_key


class TableAssets(NamedTuple):
    assets: list[dg.AssetsDefinition]
    checks: list[dg.AssetChecksDefinition]


def build_table_assets(
    sources: Mapping[str, str], first_day: date, retry: dg.RetryPolicy | None = RETRY_POLICY
) -> TableAssets:
    """Assets and checks for {source name: broker kind}, daily partitions from `first_day`."""
    days = daily_partitions(first_day)
    built = TableAssets([], [])
    for source, kind in sorted(sources.items()):
        built.assets.extend(
            [
                accounts_step(source, kind, days, retry),
                snapshot_asset("balances", source, kind, days, retry),
                snapshot_asset("positions", source, kind, days, retry),
                orders_asset(source, kind, retry),
            ]
        )
        built.checks.extend(table_checks(source, days))
    return built


__all__ = ["TABLE_NAMES", "asset_key", "build_table_assets"]
