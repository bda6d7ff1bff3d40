"""The Alpaca Trading connector: one key pair, one account, its positions, every order
and every activity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime

import polars as pl

from brokers.access import Access, rate_limit_of
from brokers.alpaca import normalize
from brokers.alpaca.client import RATE_LIMIT, AlpacaTradingClient, key_headers
from brokers.alpaca.config import AlpacaSource
from brokers.alpaca_common.activity_frames import activities_frame
from brokers.alpaca_common.order_frames import orders_frame
from brokers.alpaca_common.position_frames import PositionBatch
from brokers.connector import (
    AccountsBatch,
    ActivityPage,
    FetchContext,
    Snapshot,
    Window,
    account_currencies,
)
from brokers.frames import lineage_columns
from brokers.http import Transport, TransportSettings, settings_for
from brokers.parse import mask_account_number
from brokers.transport_connector import TransportConnector

BROKER = "alpaca"
BLOCKED_FLAGS = ("account_blocked", "trading_blocked")


class AlpacaTradingConnector(TransportConnector):
    broker = BROKER

    def __init__(self, source: AlpacaSource, settings: TransportSettings | None = None) -> None:
        self.source = source
        key_id = source.key_id.get_secret_value()
        secret_key = source.secret_key.get_secret_value()
        self.transport = Transport(
            source.name,
            source.base_url,
            headers=key_headers(key_id, secret_key),
            secrets=[key_id, secret_key],
            settings=settings or settings_for(source, RATE_LIMIT),
        )
        self.client = AlpacaTradingClient(self.transport)

    async def whoami(self) -> Access:
        response = await self.client.account()
        account = response.body
        paper = "paper" if normalize.account_is_paper(account, self.source.base_url) else "live"
        number = mask_account_number(account.get("account_number")) or "?"
        blocked = [flag for flag in BLOCKED_FLAGS if account.get(flag)]
        return Access(
            accounts=f"one {paper} account, {number} (status {account.get('status')})",
            rate_limit=rate_limit_of(response.headers, self.transport.settings.rate_limit),
            warnings=tuple(
                f"source {self.source.name!r}: the account has {flag} set" for flag in blocked
            ),
        )

    async def accounts(self, ctx: FetchContext) -> AccountsBatch:
        response = await self.client.account()
        user, connection, account = normalize.account_rows(
            response.body, base_url=self.source.base_url
        )
        return AccountsBatch(
            users=self._frame("users", [user], ctx),
            connections=self._frame("connections", [connection], ctx),
            accounts=self._frame("accounts", [account], ctx),
        )

    async def balances(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        response = await self.client.account()
        as_of = response.server_time
        row = normalize.balance_row(response.body, as_of=as_of)
        return Snapshot(self._frame("balances", [row], ctx), as_of)

    async def positions(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        account_id = self._account_id(accounts)
        response = await self.client.positions()
        as_of = response.server_time
        batch = PositionBatch(source=self.source.name, broker=BROKER, ctx=ctx)
        currency = account_currencies(accounts)[account_id]
        batch.add(account_id, as_of, response.body, currency)
        return Snapshot(batch.frame(day=as_of.date()), as_of)

    async def orders(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
    ) -> AsyncIterator[pl.DataFrame]:
        account_id = self._account_id(accounts)
        currencies = account_currencies(accounts)
        seen = 0
        async for page in self.client.order_pages((since or {}).get(account_id)):
            frame = orders_frame(
                [(account_id, page)],
                source=self.source.name,
                broker=BROKER,
                ctx=ctx,
                currencies=currencies,
            )
            seen += frame.height
            ctx.log.info(f"source {self.source.name}: {seen} orders read")
            yield frame

    async def activities(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[ActivityPage]:
        """The account's activities of the window, read whole, then read into rows at once
        (a split's or a journal's legs may lie on two pages)."""
        account_id = self._account_id(accounts)
        start = (since or {}).get(account_id)
        records = [r async for page in self.client.activity_pages(start, until) for r in page]
        frame = activities_frame(
            records,
            currencies=account_currencies(accounts),
            rows_frame=lambda rows: self._frame("activities", rows, ctx),
            lineage=lineage_columns("activities", source=self.source.name, broker=BROKER, ctx=ctx),
            ctx=ctx,
            account_id=account_id,
        )
        ctx.log.info(f"source {self.source.name}: {frame.height} activities read")
        yield ActivityPage(frame, {account_id: Window(start, until)})

    def _account_id(self, accounts: pl.DataFrame) -> str:
        ids = accounts.get_column("account_id").unique().to_list()
        if len(ids) != 1:
            raise ValueError(
                f"source {self.source.name!r}: an Alpaca key covers one account, got {len(ids)}"
            )
        return str(ids[0])
