"""The Alpaca Broker connector: every customer account of a partner, then each account's
balances, positions and orders, a bounded number of accounts at a time; or, for orders
already landed, every account's changes at once from the trade events stream; and every
account's activities in one listing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import polars as pl

from brokers.access import Access, rate_limit_of
from brokers.alpaca_broker import normalize
from brokers.alpaca_broker.activity_reads import read_activities
from brokers.alpaca_broker.client import RATE_LIMIT, AlpacaBrokerClient
from brokers.alpaca_broker.config import AlpacaBrokerSource
from brokers.alpaca_broker.oauth import ClientCredentialsAuth
from brokers.alpaca_broker.order_changes import latest_changes
from brokers.alpaca_common import normalize as alpaca
from brokers.alpaca_common.order_frames import BATCH_ORDERS, OrderBatch
from brokers.alpaca_common.position_frames import PositionBatch
from brokers.concurrency import per_account
from brokers.connector import (
    AccountsBatch,
    ActivityPage,
    FetchContext,
    Snapshot,
    account_currencies,
)
from brokers.frames import lineage_columns, stamp
from brokers.http import Transport, TransportSettings, settings_for
from brokers.transport_connector import TransportConnector

BROKER = "alpaca"


class AlpacaBrokerConnector(TransportConnector):
    broker = BROKER

    def __init__(
        self, source: AlpacaBrokerSource, settings: TransportSettings | None = None
    ) -> None:
        self.source = source
        self.settings = settings or settings_for(source, RATE_LIMIT)
        self.oauth: ClientCredentialsAuth | None = None
        auth: httpx.Auth
        if source.client_id is not None and source.client_secret is not None:
            self.oauth = auth = ClientCredentialsAuth(
                source.name,
                source.token_url,
                source.client_id.get_secret_value(),
                source.client_secret.get_secret_value(),
            )
        else:
            assert source.key_id is not None and source.secret_key is not None
            auth = httpx.BasicAuth(
                source.key_id.get_secret_value(), source.secret_key.get_secret_value()
            )
        self.transport = Transport(
            source.name,
            source.base_url,
            auth=auth,
            secrets=source.secrets(),
            settings=self.settings,
        )
        if self.oauth is not None:
            self.oauth.on_token = self.transport.redact.add
        self.client = AlpacaBrokerClient(self.transport)

    async def whoami(self) -> Access:
        response = await self.client.clock_answer()  # a token first, for an OAuth2 client
        credentials = (
            f"an OAuth2 client (tokens from {self.source.token_url})"
            if self.oauth is not None
            else "an API key pair (HTTP Basic)"
        )
        return Access(
            accounts=f"every customer account of the partner, through {credentials}",
            rate_limit=rate_limit_of(response.headers, self.settings.rate_limit),
        )

    async def accounts(self, ctx: FetchContext) -> AccountsBatch:
        users, connections, accounts = [], [], []
        async for page in self.client.account_pages():
            for account in page:
                user, connection, row = normalize.account_rows(
                    account, base_url=self.source.base_url
                )
                users.append(user)
                connections.append(connection)
                accounts.append(row)
            ctx.log.info(f"source {self.source.name}: {len(accounts)} accounts listed")
        return AccountsBatch(
            users=self._frame("users", users, ctx),
            connections=self._frame("connections", connections, ctx),
            accounts=self._frame("accounts", accounts, ctx),
        )

    async def balances(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        async def read(account_id: str) -> tuple[datetime, list[dict[str, Any]]]:
            response = await self.client.trade_account(account_id)
            as_of = response.server_time
            return as_of, [alpaca.balance_row(response.body, as_of=as_of)]

        results = [r async for r in self._per_account(ctx, "balances", accounts, read)]
        return self._snapshot(ctx, "balances", results)

    async def positions(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        batch = PositionBatch(source=self.source.name, broker=BROKER, ctx=ctx)
        currencies = account_currencies(accounts)

        async def read(account_id: str) -> datetime:
            response = await self.client.positions(account_id)
            batch.add(account_id, response.server_time, response.body, currencies[account_id])
            return response.server_time

        times = [t async for t in self._per_account(ctx, "positions", accounts, read)]
        day = min(times, default=datetime.now(UTC))  # the API's date, first account's
        return Snapshot(await asyncio.to_thread(batch.frame, day=day.date()), day)

    async def orders(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
    ) -> AsyncIterator[pl.DataFrame]:
        currencies = account_currencies(accounts)
        batch = OrderBatch(currencies)

        async def read(account_id: str) -> None:
            after = (since or {}).get(account_id)
            async for page in self.client.order_pages(account_id, after):
                batch.add(account_id, page)

        building: asyncio.Task[pl.DataFrame] | None = None
        try:
            async for _ in self._per_account(ctx, "orders", accounts, read):
                if batch.orders >= BATCH_ORDERS:
                    full, batch = batch, OrderBatch(currencies)  # reads running fill the next
                    if building is not None:
                        yield await building
                    building = self._build(full, ctx)
            if building is not None:
                yield await building
            building = None
            yield await self._build(batch, ctx)
        finally:
            if building is not None and not building.done():
                building.cancel()
                await asyncio.gather(building, return_exceptions=True)

    async def activities(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[ActivityPage]:
        """Every account's activities in one listing (see activity_reads.py)."""
        read = 0
        pages = read_activities(
            self.client,
            accounts,
            account_currencies(accounts),
            lambda rows: self._frame("activities", rows, ctx),
            since,
            until,
            lineage_columns("activities", source=self.source.name, broker=BROKER, ctx=ctx),
            ctx,
        )
        async for page in pages:
            read += page.frame.height
            yield page
        ctx.log.info(f"source {self.source.name}: {read} activities read")

    async def api_clock(self) -> datetime:
        return await self.client.clock()

    async def order_changes(
        self,
        ctx: FetchContext,
        after: datetime,
        until: datetime,
        parents: Mapping[str, str],
        currencies: Mapping[str, str] | None = None,
    ) -> AsyncIterator[pl.DataFrame]:
        """Every order of every account that changed in (after, until] (the API's clock),
        from the trade events stream, a batch at a time: each as its latest event shows
        it. `parents` (leg id -> parent id, as landed) gives a leg read alone its parent;
        `currencies` each account's currency (USD for an account not in it)."""
        known = dict(parents)
        batch, last_at, events = OrderBatch(currencies), None, 0
        async for event in self.client.trade_events(after, until):
            at = event.get("at")
            if batch.orders >= BATCH_ORDERS and at != last_at:  # an instant stays whole
                yield await self._changes(batch, known, ctx)
                batch = OrderBatch(currencies)
            batch.add(event["account_id"], [event["order"]])
            last_at, events = at, events + 1
        yield await self._changes(batch, known, ctx)
        ctx.log.info(
            f"source {self.source.name}: orders: {events} trade events from "
            f"{after.isoformat()} to {until.isoformat()}"
        )

    async def _changes(
        self, batch: OrderBatch, parents: dict[str, str], ctx: FetchContext
    ) -> pl.DataFrame:
        batch.seal()
        frame = await asyncio.to_thread(
            batch.frame, source=self.source.name, broker=BROKER, ctx=ctx
        )
        return latest_changes(frame, parents)

    def _build(self, batch: OrderBatch, ctx: FetchContext) -> asyncio.Task[pl.DataFrame]:
        """A batch read into a frame in a worker thread while the next pages are fetched
        (polars releases the GIL); one batch at a time, so memory stays bounded."""
        batch.seal()
        return asyncio.create_task(
            asyncio.to_thread(batch.frame, source=self.source.name, broker=BROKER, ctx=ctx)
        )

    def _snapshot(
        self, ctx: FetchContext, table: str, results: list[tuple[datetime, list[dict[str, Any]]]]
    ) -> Snapshot:
        """One snapshot on one day: the API's date when the first account answered."""
        day = min((as_of for as_of, _ in results), default=datetime.now(UTC))
        rows = [row for _, account_rows in results for row in account_rows]
        stamp(rows, as_of_date=day.date())
        return Snapshot(self._frame(table, rows, ctx), day)

    def _per_account(
        self, ctx: FetchContext, what: str, accounts: pl.DataFrame, read: Any
    ) -> AsyncIterator[Any]:
        ids = sorted(accounts.get_column("account_id").to_list())
        label = f"source {self.source.name}: {what}"
        return per_account(ids, read, limit=self.settings.max_concurrency, log=ctx.log, label=label)
