"""The raw-download baseline: the pages a sync reads, fetched through the same client
(the connector's own transport, auth, paginators and concurrency) and thrown away. What
a sync costs beyond this is brokerlake's own work: normalizing, validating, writing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import polars as pl

from assets.order_sync import OrdersRead
from brokers.alpaca import AlpacaTradingConnector
from brokers.alpaca_broker import AlpacaBrokerConnector
from brokers.concurrency import bounded_map
from brokers.connector import Connector
from brokers.snaptrade import SnapTradeConnector
from brokers.tradr import TradrConnector
from brokers.tradr import endpoints as tradr_endpoints

Cursors = Mapping[str, datetime]


async def drain(pages: AsyncIterator[Any]) -> None:
    async for _ in pages:
        pass


async def each(
    connector: Connector, ids: Iterable[str], call: Callable[[str], Awaitable[Any]]
) -> None:
    """`call(id)` for every id, as many at a time as the connector reads accounts."""
    limit = connector.settings.max_concurrency  # type: ignore[attr-defined]
    async for _ in bounded_map(list(ids), call, limit):
        pass


async def download(connector: Connector, read: OrdersRead | None) -> None:
    """Every page a full sync of this connector's source reads (`read` None: its
    activities' first read included), or an incremental orders sync read as `read`
    plans; discarded."""
    from benchmarks.kinds import BY_KIND  # the registration names this module's functions

    hooks = BY_KIND.get(connector.source.kind)  # type: ignore[attr-defined]
    if hooks is None:  # pragma: no cover
        raise TypeError(f"no raw download for {type(connector).__name__}")
    await hooks.download(connector, read)


def _ids(landed: pl.DataFrame) -> list[str]:
    return sorted(landed.get_column("account_id").to_list())


async def alpaca_broker(c: AlpacaBrokerConnector, read: OrdersRead | None) -> None:
    since: Cursors = {}
    if read is None:
        ids = sorted([str(a["id"]) async for page in c.client.account_pages() for a in page])
        await each(c, ids, c.client.trade_account)
        await each(c, ids, c.client.positions)
        await c.api_clock()  # the orders step's: where the next run's change feed starts
    else:
        ids, since = _ids(read.listed), read.since
        if read.changes_after is not None and read.began is not None:
            await drain(c.client.trade_events(read.changes_after, read.began))
    await each(c, ids, lambda i: drain(c.client.order_pages(i, since.get(i))))
    if read is None:  # a first read of activities: the whole listing, then the journals
        await drain(c.client.activity_pages())
        await c.client.journals()


async def alpaca(c: AlpacaTradingConnector, read: OrdersRead | None) -> None:
    landed = None if read is None else read.listed
    since: Cursors = {} if read is None else read.since
    if landed is None:
        account_id = str((await c.client.account()).body["id"])
        await c.client.account()  # the balances step reads the account again, at its time
        await c.client.positions()
    else:
        account_id = _ids(landed)[0]
    await drain(c.client.order_pages(since.get(account_id)))
    if landed is None:
        await drain(c.client.activity_pages())


async def snaptrade(c: SnapTradeConnector, read: OrdersRead | None) -> None:
    landed = None if read is None else read.listed
    accounts: dict[str, list[str]] = {}
    if landed is None:
        listed = await c.client.list_users()
        users = sorted(set(listed) & set(c.secrets))

        async def user_accounts(user: str) -> None:
            secret = c.secrets[user]
            await c.client.connections(user, secret)
            listing = await c.client.accounts(user, secret)
            accounts[user] = sorted(str(a["id"]) for a in listing.body)

        async def balances(user: str) -> None:
            secret = c.secrets[user]
            await c.client.accounts(user, secret)  # the holdings' sync times, at its time
            for account_id in accounts[user]:
                await c.client.balances(user, secret, account_id)

        await asyncio.gather(*(user_accounts(user) for user in users))
        await asyncio.gather(*(balances(user) for user in users if accounts[user]))
        await asyncio.gather(
            *(c.client.positions(u, c.secrets[u], a) for u in users for a in accounts[u])
        )
    else:
        for row in landed.sort("account_id").iter_rows(named=True):
            if row["user_id"] in c.secrets:
                accounts.setdefault(row["user_id"], []).append(row["account_id"])
    for user, ids in sorted(accounts.items()):
        for account_id in ids:
            await c.client.orders(user, c.secrets[user], account_id)
    if landed is None:
        for user, ids in sorted(accounts.items()):
            for account_id in ids:
                await _snaptrade_activities(c, user, account_id)


async def _snaptrade_activities(c: SnapTradeConnector, user: str, account_id: str) -> None:
    """Every page of an account's transactions, by offset, until the total is read."""
    read = 0
    while True:
        body = (await c.client.activities(user, c.secrets[user], account_id, read)).body
        read += len(body["data"])
        if not body["data"] or read >= body["pagination"]["total"]:
            return


async def tradr(c: TradrConnector, read: OrdersRead | None) -> None:
    landed = None if read is None else read.listed
    if landed is None:
        await c.client.current_key()
        listed = [a async for page in c.client.account_pages() for a in page]
        ids = sorted(int(a["id"]) for a in listed)
        if c.source.account_ids is not None:
            ids = [i for i in ids if i in c.source.account_ids]
        step = tradr_endpoints.BALANCES_PER_CALL
        for start in range(0, len(ids), step):
            await c.client.balances(ids[start : start + step])
        if ids:
            await c.client.symbols()
        await each(c, map(str, ids), lambda i: drain(c.client.position_pages(int(i))))
    else:
        ids = sorted(int(i) for i in _ids(landed))

    async def orders(account_id: str) -> None:
        await drain(c.client.order_pages(int(account_id)))
        await drain(c.client.summary_pages(int(account_id)))

    async def activities(account_id: str) -> None:
        await c.client.transactions(int(account_id))
        await drain(c.client.summary_pages(int(account_id)))
        await drain(c.client.position_pages(int(account_id)))

    await each(c, map(str, ids), orders)
    if landed is None:
        await each(c, map(str, ids), activities)
