"""The fewest requests a sync can make, computed from the world: the pages each list
needs under the API's paging (walked by the client's own paginators over the world's
rows, without HTTP) plus one request per per-account read. A healthy run sends exactly
this many: none repeated, none retried."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl

from assets.activity_windows import ActivitiesRead
from assets.order_sync import OrdersRead
from brokers.alpaca_broker.client import ACCOUNTS
from brokers.alpaca_common.listings import ACTIVITIES, ORDERS
from brokers.config import SourceConfig
from brokers.paging import Paginator
from brokers.parse import rfc3339, to_utc
from brokers.snaptrade.client import ACTIVITIES_LIMIT
from brokers.tradr import endpoints as tradr
from sandbox import World

Cursors = Mapping[str, datetime]
# A first read of activities: no cursor, every account's whole history.
FIRST_READ = ActivitiesRead(pl.DataFrame(schema={"account_id": pl.String}))


def pages(paginator: Paginator, rows: list[dict[str, Any]], bound: str, inclusive: bool) -> int:
    """Requests `paginator` sends to walk `rows` (sorted by `bound`'s field ascending),
    answered as the API answers: rows after (or from) the bound, a page at a time."""
    field = paginator.time_field
    size = getattr(paginator, "limit", None) or paginator.page_size
    requests = 0

    async def fetch(query: Mapping[str, Any]) -> list[dict[str, Any]]:
        nonlocal requests
        requests += 1
        start = to_utc(query.get(bound))
        if start is None:
            chosen = rows
        elif inclusive:
            chosen = [r for r in rows if to_utc(r[field]) >= start]
        else:
            chosen = [r for r in rows if to_utc(r[field]) > start]
        return chosen[:size]

    async def walk() -> None:
        async for _ in paginator.pages(fetch, {}):
            pass

    asyncio.run(walk())
    return requests


def order_pages(world: World, account_id: str, after: datetime | None) -> int:
    """Pages of one account's orders (bracket legs ride under their parent), from `after`."""
    rows = [
        {"id": o.order_id, "submitted_at": rfc3339(o.submitted_at)}
        for o in world.orders(account_id)
        if o.parent_order_id is None and (after is None or o.submitted_at > after)
    ]
    return pages(ORDERS, rows, "after", inclusive=False)


def numbered_pages(count: int) -> int:
    return max(1, math.ceil(count / tradr.PAGE_LIMIT))


def token_pages(count: int) -> int:
    """Requests the activities' paginator sends to walk `count` rows by page token."""
    requests = 0
    rows = [{"id": f"{n:012d}"} for n in range(count)]

    async def fetch(query: Mapping[str, Any]) -> list[dict[str, Any]]:
        nonlocal requests
        requests += 1
        token = query.get("page_token")
        start = 0 if token is None else int(token) + 1
        return rows[start : start + ACTIVITIES.page_size]

    async def walk() -> None:
        async for _ in ACTIVITIES.pages(fetch, {}):
            pass

    asyncio.run(walk())
    return requests


def _executed(world: World, account_id: str, since: datetime | None = None) -> list[Any]:
    return [
        a
        for a in world.activities(account_id)
        if a.is_executed and (since is None or a.at >= since)
    ]


def newest_first_pages(world: World, account_id: str, since: datetime | None) -> int:
    """SnapTrade: pages of 1000, newest first, until one ends before `since` (or all)."""
    times = sorted((a.at for a in _executed(world, account_id)), reverse=True)
    requests, offset = 0, 0
    while True:
        requests += 1
        page = times[offset : offset + ACTIVITIES_LIMIT]
        offset += len(page)
        if not page or offset >= len(times) or (since is not None and page[-1] < since):
            return requests


def full_sync(world: World, source: SourceConfig, manifest: Mapping[str, Any]) -> dict[str, int]:
    """Requests per table step of a full sync of `source` (accounts: with users and
    connections)."""
    return hooks_of(source).full_sync(world, source, manifest)


def incremental_sync(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: OrdersRead
) -> int:
    """Requests of an orders sync of `source` read as `read` plans: the change feed's one
    stream (with the API's clock) and the listed accounts' pages, from their cursors."""
    return hooks_of(source).incremental_sync(world, source, manifest, read)


def activities_sync(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: ActivitiesRead
) -> int:
    """Requests of an activities sync of `source` read as `read` plans (no cursor: the
    whole history)."""
    return hooks_of(source).activities_sync(world, source, manifest, read)


def hooks_of(source: SourceConfig) -> Any:
    """The benchmark hooks registered for the source's kind."""
    from benchmarks.kinds import BY_KIND  # the registration names this module's functions

    hooks = BY_KIND.get(source.kind)
    if hooks is None:
        raise ValueError(f"no minimum for {source.kind}")
    return hooks


# Alpaca Broker API


def alpaca_broker_full(
    world: World, source: SourceConfig, manifest: Mapping[str, Any]
) -> dict[str, int]:
    accounts = world.broker_accounts()
    listing = [{"id": a.account_id, "created_at": rfc3339(a.created_at)} for a in accounts]
    return {
        "accounts": pages(ACCOUNTS, listing, "created_after", inclusive=True),
        "balances": len(accounts),
        "positions": len(accounts),
        # the API's clock (where the next run's change feed starts), then the listing
        "orders": 1 + sum(order_pages(world, a.account_id, None) for a in accounts),
        "activities": activities_sync(world, source, manifest, FIRST_READ),
    }


def alpaca_broker_orders(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: OrdersRead
) -> int:
    since = read.since
    listed = read.listed.get_column("account_id").to_list()
    feed = 1 if read.changes_after is not None else 0
    return 1 + feed + sum(order_pages(world, i, since.get(i)) for i in listed)


def alpaca_broker_activities(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: ActivitiesRead
) -> int:
    since = read.since
    accounts = [a.account_id for a in world.broker_accounts()]
    if not since:  # every account's whole listing, then the journals
        return token_pages(sum(len(_executed(world, a)) for a in accounts)) + 1
    days = (world.clock.date() - min(since.values()).date()).days + 1
    walked = [a for a in accounts if a not in since]
    return days + 1 + sum(token_pages(len(_executed(world, a))) for a in walked)


# Alpaca Trading API


def alpaca_full(world: World, source: SourceConfig, manifest: Mapping[str, Any]) -> dict[str, int]:
    account_id = _alpaca_account(world, source)
    # the balances step reads the account again: a snapshot is read at its own time
    return {
        "accounts": 1,
        "balances": 1,
        "positions": 1,
        "orders": order_pages(world, account_id, None),
        "activities": activities_sync(world, source, {}, FIRST_READ),
    }


def alpaca_orders(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: OrdersRead
) -> int:
    account_id = _alpaca_account(world, source)
    return order_pages(world, account_id, read.since.get(account_id))


def alpaca_activities(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: ActivitiesRead
) -> int:
    account_id = _alpaca_account(world, source)
    return token_pages(len(_executed(world, account_id, read.since.get(account_id))))


# SnapTrade


def snaptrade_full(
    world: World, source: SourceConfig, manifest: Mapping[str, Any]
) -> dict[str, int]:
    users = [u.user_id for u in world.snaptrade_users()]
    owned = {u: [a.account_id for a in world.accounts_of_user(u)] for u in users}
    accounts = sum(len(ids) for ids in owned.values())
    return {
        "accounts": 1 + 2 * len(users),  # listUsers; each user's connections, accounts
        # each user's accounts again (the holdings' sync times), then each balance
        "balances": sum(1 for ids in owned.values() if ids) + accounts,
        "positions": accounts,
        "orders": accounts,
        "activities": activities_sync(world, source, manifest, FIRST_READ),
    }


def snaptrade_orders(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: OrdersRead
) -> int:
    return sum(len(world.accounts_of_user(u.user_id)) for u in world.snaptrade_users())


def snaptrade_activities(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: ActivitiesRead
) -> int:
    return sum(
        newest_first_pages(world, a.account_id, read.since.get(a.account_id))
        for u in world.snaptrade_users()
        for a in world.accounts_of_user(u.user_id)
    )


# TradrAPI


def tradr_full(world: World, source: SourceConfig, manifest: Mapping[str, Any]) -> dict[str, int]:
    ids = _tradr_accounts(world, source, manifest)
    return {
        "accounts": 1 + numbered_pages(len(ids)),  # the key's scope; the accounts
        "balances": math.ceil(len(ids) / tradr.BALANCES_PER_CALL),
        "positions": (1 if ids else 0)  # the symbol list (contract sizes)
        + sum(numbered_pages(len(world.tradr_positions(i))) for i in ids),
        "orders": sum(_tradr_orders(world, i) for i in ids),
        "activities": activities_sync(world, source, manifest, FIRST_READ),
    }


def tradr_orders(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: OrdersRead
) -> int:
    return sum(_tradr_orders(world, i) for i in _tradr_accounts(world, source, manifest))


def tradr_activities(
    world: World, source: SourceConfig, manifest: Mapping[str, Any], read: ActivitiesRead
) -> int:
    since = read.since
    total = 0
    for number in _tradr_accounts(world, source, manifest):
        start = since.get(str(number))
        closed = [t for t in world.tradr_trades(number) if start is None or t.closed_at >= start]
        operations = [
            t for t in world.tradr_transactions(number) if start is None or t.created_at >= start
        ]
        total += 1 + numbered_pages(len(closed) + len(operations))  # operations; summary
        total += numbered_pages(len(world.tradr_positions(number)))  # open deals
    return total


def _alpaca_account(world: World, source: SourceConfig) -> str:
    key_id = source.key_id.get_secret_value()  # type: ignore[union-attr]
    return next(k.account_id for k in world.alpaca_keys() if k.key_id == key_id)


def _tradr_accounts(world: World, source: SourceConfig, manifest: Mapping[str, Any]) -> list[int]:
    api_key = source.api_key.get_secret_value()  # type: ignore[union-attr]
    grant = next(k for k in manifest["apis"]["tradr"]["keys"].values() if k["api_key"] == api_key)
    if grant["account_id"] is not None:
        return [grant["account_id"]]
    return sorted(
        grant["account_ids"] or [a.account_id for a in world.tradr_accounts(grant["user_id"])]
    )


def _tradr_orders(world: World, account_id: int) -> int:
    summary = len(world.tradr_trades(account_id)) + len(world.tradr_transactions(account_id))
    return numbered_pages(len(world.tradr_orders(account_id))) + numbered_pages(summary)
