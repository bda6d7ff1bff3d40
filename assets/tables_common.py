"""What every table asset shares: keys, groups, pools, descriptions, step metadata."""

from __future__ import annotations

import time
from datetime import timedelta

import dagster as dg

from assets.store import StoreCounts
from brokers.connector import FetchContext

TABLE_NAMES = (
    "users", "connections", "accounts", "balances", "positions", "orders", "activities",
)  # fmt: skip
ACCOUNT_TABLES = ("users", "connections", "accounts")
DAILY_TABLES = (*ACCOUNT_TABLES, "balances", "positions")  # orders have no partitions

DESCRIPTIONS = {
    "users": "End users on whose behalf data is read (derived from the key where the API "
    "has no users); one observation a day, changes in users_history.",
    "connections": "Credentials or links to an institution, with their status; one "
    "observation a day, changes (a connection disabled) in connections_history.",
    "accounts": "Brokerage accounts (account numbers masked to the last four characters); "
    "one observation a day, changes (an account closed) in accounts_history.",
    "balances": "Cash, buying power and equity per account and currency, one snapshot a day.",
    "positions": "Holdings per account, one snapshot a day.",
    "orders": "Every order, latest state; each run reads what changed since the last.",
    "activities": "The ledger of every cash and position movement (fills, dividends, "
    "interest, fees, deposits, withdrawals, transfers, journals, splits), latest state; "
    "each run reads from the latest landed less a look-back.",
}


# A source whose data is older than these shows as stale in the UI (the daily schedule
# runs at 21:30 UTC, orders every 15 minutes).
SNAPSHOT_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=25)
)
ACTIVITIES_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=25)
)
ORDERS_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=2), warn_window=timedelta(hours=1)
)


def asset_key(source: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([source, table])


def group(source: str) -> str:
    """Dagster group names are identifiers; source names may hold hyphens."""
    return source.replace("-", "_")


def pool(source: str) -> str:
    """One concurrency pool per source: a broker's rate limit is per key (Alpaca's per
    account, SnapTrade's per clientId, the Broker API's per partner, TradrAPI's per key),
    so with one slot a source's requests come from one step at a time, across runs too,
    while other sources, of the same API or not, run beside it."""
    return f"source_{group(source)}"


def step_metadata(counts: StoreCounts, ctx: FetchContext, **extra: object) -> dict[str, object]:
    """What a step did for one table (rows, and `extra`: requests, seconds, ...), and what
    the user should know about it (`warnings`, and the broker values that landed as
    `other`, `unknown_values`)."""
    warnings = {"warnings": dg.MetadataValue.md("\n".join(f"- {w}" for w in ctx.warnings))}
    unknown = {"unknown_values": dg.MetadataValue.json(ctx.unknown_values)}
    return {
        **counts.metadata(),
        **extra,
        **(warnings if ctx.warnings else {}),
        **(unknown if ctx.unknown else {}),
    }


def since(began: float) -> float:
    """Seconds since `began` (a `time.perf_counter()`), as a step reports them."""
    return round(time.perf_counter() - began, 3)
