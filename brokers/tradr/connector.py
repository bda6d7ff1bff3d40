"""The TradrAPI connector: the accounts one key covers, then their balances (many per
call), positions, pending orders and closed trades, a bounded number of accounts at a
time. The key's own metadata says what it covers and whether it can do more than read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import polars as pl

from brokers.access import Access, rate_limit_of
from brokers.concurrency import per_account
from brokers.connector import (
    AccountsBatch,
    ActivityPage,
    FetchContext,
    Snapshot,
    Window,
    account_currencies,
)
from brokers.errors import AccessDenied, BrokerHTTPError, CredentialsRejected
from brokers.frames import Row, Unreadable, salvage, stamp
from brokers.http import Transport, TransportSettings, settings_for
from brokers.parse import to_decimal
from brokers.tradr import activities, endpoints, normalize
from brokers.tradr.access import KeyScope, explain, least_privilege_warning, uncovered
from brokers.tradr.client import TradrClient
from brokers.tradr.config import TradrSource
from brokers.transport_connector import TransportConnector

BROKER = "tradr"
R = TypeVar("R")


class TradrConnector(TransportConnector):
    broker = BROKER

    def __init__(self, source: TradrSource, settings: TransportSettings | None = None) -> None:
        self.source = source
        self.settings = settings or settings_for(source, endpoints.RATE_LIMIT)
        self.transport = Transport(
            source.name,
            source.base_url,
            headers={endpoints.KEY_HEADER: source.api_key.get_secret_value()},
            secrets=source.secrets(),
            settings=self.settings,
        )
        self.client = TradrClient(self.transport)
        self._scope: KeyScope | None = None

    async def _key_scope(self) -> KeyScope | None:
        """The key's metadata, read once; None if even that is refused."""
        if self._scope is None:
            try:
                self._scope = KeyScope.parse(await self.client.current_key())
            except CredentialsRejected:
                return None
        return self._scope

    @asynccontextmanager
    async def _explained(self) -> AsyncIterator[None]:
        """Refusals re-worded in the user's terms."""
        try:
            yield
        except CredentialsRejected as exc:
            raise await explain(exc, self._key_scope) from None

    async def whoami(self) -> Access:
        async with self._explained():
            response = await self.client.current_key_answer()
        scope = self._scope = KeyScope.parse(response.body)
        if "read" not in scope.roles:
            raise AccessDenied(
                self.source.name,
                f"its key {scope.key_id} does not hold the read role (it holds "
                f"{', '.join(sorted(scope.roles)) or 'none'}); give it the read role",
            )
        covered = (scope.account_id,) if scope.account_id is not None else scope.account_ids
        if self.source.account_ids is not None and covered:
            uncovered(self.source.name, scope, self.source.account_ids, covered)
        narrowed = self.source.account_ids
        return Access(
            accounts=f"{'an account' if scope.account_id else 'a user'} key over "
            f"{scope.describe_coverage()}"
            + (f", read for {', '.join(map(str, narrowed))} (account_ids)" if narrowed else ""),
            roles=", ".join(sorted(scope.roles)) or "none",
            ip_allow_list=", ".join(scope.ips) or "none (any address)",
            rate_limit=rate_limit_of(response.headers, self.settings.rate_limit),
            warnings=tuple(filter(None, [least_privilege_warning(self.source.name, scope)])),
        )

    async def accounts(self, ctx: FetchContext) -> AccountsBatch:
        async with self._explained():
            scope = KeyScope.parse(await self.client.current_key())
            self._scope = scope
            warning = least_privilege_warning(self.source.name, scope)
            if warning:
                ctx.warn(warning)
            listed = [a async for page in self.client.account_pages() for a in page]
        if self.source.account_ids is not None:
            uncovered(
                self.source.name, scope, self.source.account_ids, [int(a["id"]) for a in listed]
            )
            listed = [a for a in listed if int(a["id"]) in self.source.account_ids]
        users: dict[str, dict[str, Any]] = {}
        accounts = []
        for account in listed:
            user, row = normalize.account_rows(account, scope)
            users.setdefault(user["user_id"], user)
            accounts.append(row)
        owner = str(scope.user_id) if scope.user_id is not None else None
        if owner is None and accounts:
            owner = accounts[0]["user_id"]
        connections = [normalize.connection_row(scope, owner)] if owner is not None else []
        ctx.log.info(
            f"source {self.source.name}: {'an account' if scope.account_id else 'a user'} key "
            f"over {len(accounts)} account(s)"
        )
        return AccountsBatch(
            users=self._frame("users", list(users.values()), ctx),
            connections=self._frame("connections", connections, ctx),
            accounts=self._frame("accounts", accounts, ctx),
        )

    async def balances(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        currencies = account_currencies(accounts)
        ids = sorted(int(i) for i in currencies)
        rows: list[dict[str, Any]] = []
        as_of: datetime | None = None
        async with self._explained():
            for start in range(0, len(ids), endpoints.BALANCES_PER_CALL):
                response = await self.client.balances(
                    ids[start : start + endpoints.BALANCES_PER_CALL]
                )
                as_of = as_of or response.server_time
                for balance in response.body:
                    account_id = str(balance["accountId"])
                    rows.append(
                        normalize.balance_row(balance, currency=currencies[account_id], as_of=as_of)
                    )
        return self._snapshot(ctx, "balances", rows, as_of)

    async def positions(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        currencies = account_currencies(accounts)
        async with self._explained():
            sizes = await self._contract_sizes(ctx) if currencies else {}
            as_of = self.transport.last_server_time

            async def read(account_id: str) -> list[Row | Unreadable]:
                return [
                    row
                    async for page in self.client.position_pages(int(account_id))
                    for row in salvage(
                        page,
                        lambda position: normalize.position_row(
                            position,
                            account_id=account_id,
                            currency=currencies[account_id],
                            contract_sizes=sizes,
                            as_of=as_of or datetime.now(UTC),
                        ),
                        lambda position: normalize.position_identity(position, account_id, as_of),
                    )
                ]

            rows = [
                r
                async for result in self._per_account(ctx, "positions", currencies, read)
                for r in result
            ]
        return self._snapshot(ctx, "positions", rows, as_of)

    async def orders(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,  # one request per account reads all
    ) -> AsyncIterator[pl.DataFrame]:
        currencies = account_currencies(accounts)

        async def read(account_id: str) -> pl.DataFrame:
            currency = currencies[account_id]
            rows = [
                row
                async for page in self.client.order_pages(int(account_id))
                for row in salvage(
                    page,
                    lambda order: normalize.pending_order_row(
                        order, account_id=account_id, currency=currency
                    ),
                    lambda order: normalize.order_identity(order, account_id),
                )
            ]
            async for page in self.client.summary_pages(int(account_id)):
                for record in page:
                    if normalize.is_trade(record):
                        rows += normalize.trade_rows(
                            record, account_id=account_id, currency=currency
                        )
            return self._frame("orders", rows, ctx)

        async with self._explained():
            async for frame in self._per_account(ctx, "orders", currencies, read):
                yield frame

    async def activities(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[ActivityPage]:
        """Per account: every balance operation (one unpaged answer), the trades closed
        in the window (the account summary, by closing time), and the opening deal of
        each position open now."""
        currencies = account_currencies(accounts)

        async def read(account_id: str) -> ActivityPage:
            currency, number = currencies[account_id], int(account_id)
            start = (since or {}).get(account_id)
            rows = salvage(
                await self.client.transactions(number),
                lambda t: activities.transaction_row(t, account_id=account_id, currency=currency),
                lambda t: {
                    "account_id": account_id,
                    "activity_id": str(t.get("balanceTransactionId")),
                },
            )
            async for page in self.client.summary_pages(number, start, until):
                rows += salvage(
                    [r for r in page if normalize.is_trade(r)],
                    lambda r: activities.trade_rows(r, account_id=account_id, currency=currency),
                    lambda r: {
                        "account_id": account_id,
                        "activity_id": str(r.get("exchangeOperationId")),
                    },
                )
            async for page in self.client.position_pages(number):
                rows += salvage(
                    page,
                    lambda p: activities.open_deal_row(p, account_id=account_id, currency=currency),
                    lambda p: {
                        "account_id": account_id,
                        "activity_id": str(p.get("exchangeOperationId")),
                    },
                )
            frame = self._frame("activities", rows, ctx)
            return ActivityPage(frame, {account_id: Window(start, until)})

        async with self._explained():
            async for page in self._per_account(ctx, "activities", currencies, read):
                yield page

    async def _contract_sizes(self, ctx: FetchContext) -> dict[str, Decimal]:
        """Units per lot by symbol, from the symbol list; where the API has none, positions
        keep their lots without a contract size."""
        try:
            symbols = await self.client.symbols()
        except BrokerHTTPError as exc:
            if exc.status != 404:
                raise
            ctx.log.info(f"source {self.source.name}: no symbol list; contract sizes unknown")
            return {}
        sizes = {}
        for symbol in symbols:
            size = to_decimal(symbol.get("contractSize"))
            if symbol.get("name") and size:
                sizes[str(symbol["name"])] = size
        return sizes

    def _snapshot(
        self, ctx: FetchContext, table: str, rows: list[Row | Unreadable], as_of: datetime | None
    ) -> Snapshot:
        day = as_of or datetime.now(UTC)
        stamp(rows, as_of_date=day.date())
        return Snapshot(self._frame(table, rows, ctx), day)

    def _per_account(
        self,
        ctx: FetchContext,
        what: str,
        currencies: dict[str, str],
        read: Callable[[str], Awaitable[R]],
    ) -> AsyncIterator[R]:
        label = f"source {self.source.name}: {what}"
        return per_account(
            sorted(currencies), read, limit=self.settings.max_concurrency, log=ctx.log, label=label
        )
