"""The canonical tables as Dagster assets: one set per configured source (keys
`<source>/<table>`, one group per source), so a failing source never blocks another.

Steps are shaped like the work: per source, one step lands its daily snapshot (users,
connections, accounts, then balances and positions for the accounts that landed), one
its orders (incrementally, after the accounts) and one its activities (incrementally,
after the orders), each with its tables' checks inside. A kind whose API has no orders
(its spec says so) has no orders step. A run over N sources is at most 3N steps, the
sources in parallel; each source's requests come from
one step at a time, pooled by broker API so parallel runs share the API's rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg

from assets.activities import activities_step
from assets.fetch import RETRY_POLICY
from assets.orders import orders_step
from assets.partitions import daily_partitions
from assets.snapshots import snapshots_step
from assets.tables_common import TABLE_NAMES, asset_key, pool
from brokers.kinds import BY_KIND


def build_table_assets(
    sources: Mapping[str, str],
    first_day: date,
    retry: dg.RetryPolicy | None = RETRY_POLICY,
    *,
    pooled: bool = True,
) -> list[dg.AssetsDefinition]:
    """The steps of {source name: broker kind}, daily partitions from `first_day`.
    `pooled=False` leaves the steps out of the per-source pools (a run in one process
    runs one step at a time anyway, and a run killed there would hold its pool slot)."""
    days = daily_partitions(first_day)
    steps = []
    for source, kind in sorted(sources.items()):
        slot = pool(source) if pooled else None
        with_orders = BY_KIND[kind].has_orders
        steps += [
            snapshots_step(source, kind, days, retry, slot),
            *([orders_step(source, kind, retry, slot)] if with_orders else []),
            activities_step(source, kind, retry, slot, with_orders),
        ]
    return steps


__all__ = ["TABLE_NAMES", "asset_key", "build_table_assets"]
