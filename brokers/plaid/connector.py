"""The Plaid Investments connector: every Item whose access token is configured, its
investment accounts, their balances, holdings and investment transactions. Plaid has no
orders: the kind's spec says so, and `orders` yields none.

Items are read side by side. An Item that cannot be read now (its user must log in
again, or Plaid does not know its token) is named in a warning and skipped; the others
land. Its connection still lands, disabled, with Plaid's error code.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

import polars as pl

from brokers.access import Access, rate_limit_of
from brokers.connector import AccountsBatch, ActivityPage, FetchContext, Snapshot, Window
from brokers.frames import Row, Unreadable, salvage
from brokers.http import Transport, TransportSettings, settings_for
from brokers.plaid import normalize
from brokers.plaid.activities import activity_rows
from brokers.plaid.client import API_VERSION, RATE_LIMIT, PlaidClient
from brokers.plaid.config import PlaidSource
from brokers.plaid.errors import ItemUnreadable
from brokers.transport_connector import TransportConnector

BROKER = "plaid"
HISTORY = timedelta(days=730)  # Plaid serves 24 months of investment transactions
T = TypeVar("T")


class PlaidConnector(TransportConnector):
    broker = BROKER

    def __init__(self, source: PlaidSource, settings: TransportSettings | None = None) -> None:
        self.source = source
        self.settings = settings or settings_for(source, RATE_LIMIT)
        self.tokens = source.tokens()
        self.transport = Transport(
            source.name,
            source.base_url,
            headers={"Plaid-Version": API_VERSION},
            secrets=source.secrets(),
            settings=self.settings,
        )
        self.client = PlaidClient(
            self.transport,
            source.client_id.get_secret_value(),
            source.secret.get_secret_value(),
            paced=self.settings.rate_limit is not None,
        )
        self.is_paper = "sandbox.plaid.com" in source.base_url  # Plaid's Sandbox environment

    async def _per_item(
        self, ctx: FetchContext | None, read: Callable[[int, str], Awaitable[T]]
    ) -> list[T]:
        """`read(item number, token)` for every Item side by side (numbered from 1, as
        users count the tokens they listed). An Item that cannot be read now is warned
        about and left out; any other failure fails the source."""
        numbered = list(enumerate(self.tokens, start=1))
        results = await asyncio.gather(
            *(read(number, token) for number, token in numbered), return_exceptions=True
        )
        read_items: list[T] = []
        for result in results:
            if isinstance(result, ItemUnreadable):
                if ctx is not None:
                    ctx.warn(result.warning())
            elif isinstance(result, BaseException):
                raise result
            else:
                read_items.append(result)
        return read_items

    # what the credentials reach

    async def whoami(self) -> Access:
        answers = []

        async def read(number: int, token: str) -> Any:
            answers.append(await self.client.item(number, token))
            return answers[-1]

        items = await self._per_item(None, read)
        broken = [
            f"source {self.source.name}: the Item at {normalize.institution(a.body['item'])} "
            f"needs attention: {a.body['item']['error']['error_code']}"
            for a in items
            if a.body["item"].get("error")
        ]
        known = ", ".join(sorted(normalize.institution(a.body["item"]) for a in items))
        return Access(
            accounts=f"the investment accounts of {len(items)} of {len(self.tokens)} Items "
            f"({known or 'none readable'})",
            rate_limit=rate_limit_of(items[0].headers, self.settings.rate_limit)
            if items
            else "none announced by the API",
            warnings=tuple(broken),
        )

    # users, connections, accounts

    async def accounts(self, ctx: FetchContext) -> AccountsBatch:
        async def read(number: int, token: str) -> tuple[Row, Row, list[Row | Unreadable]]:
            item = (await self.client.item(number, token)).body["item"]
            user, connection = normalize.item_rows(item)
            if item.get("error"):
                code = item["error"].get("error_code")
                ctx.warn(
                    ItemUnreadable(self.source.name, number, str(code), "POST /item/get").warning()
                )
                return user, connection, []
            listed = (await self.client.accounts(number, token)).body
            owner = {"connection_id": user["user_id"], "user_id": user["user_id"]}
            rows = salvage(
                listed["accounts"],
                lambda a: normalize.account_row(a, listed["item"], is_paper=self.is_paper),
                lambda a: {"account_id": str(a.get("account_id")), **owner},
            )
            return user, connection, rows

        items = await self._per_item(ctx, read)
        ctx.log.info(f"source {self.source.name}: {len(items)} of {len(self.tokens)} Items read")
        return AccountsBatch(
            users=self._frame("users", [user for user, _, _ in items], ctx),
            connections=self._frame("connections", [c for _, c, _ in items], ctx),
            accounts=self._frame("accounts", [row for _, _, rows in items for row in rows], ctx),
        )

    # balances and positions: one snapshot of every account landed

    async def balances(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        landed = set(accounts.get_column("account_id").to_list())

        async def read(number: int, token: str) -> tuple[datetime, list[Row | Unreadable]]:
            response = await self.client.accounts(number, token)
            listed = [a for a in response.body["accounts"] if a.get("account_id") in landed]
            rows = salvage(
                listed,
                lambda a: normalize.balance_row(a, as_of=response.server_time),
                lambda a: {"account_id": str(a.get("account_id")), "currency": "USD"},
            )
            return response.server_time, rows

        return self._snapshot(ctx, "balances", await self._per_item(ctx, read))

    async def positions(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        landed = set(accounts.get_column("account_id").to_list())

        async def read(number: int, token: str) -> tuple[datetime, list[Row | Unreadable]]:
            response = await self.client.holdings(number, token)
            securities = {s["security_id"]: s for s in response.body["securities"]}
            held = [h for h in response.body["holdings"] if h.get("account_id") in landed]
            rows = salvage(
                held,
                lambda h: normalize.position_row(h, securities, as_of=response.server_time),
                normalize.position_identity,
            )
            return response.server_time, rows

        return self._snapshot(ctx, "positions", await self._per_item(ctx, read))

    def _snapshot(
        self, ctx: FetchContext, table: str, read: list[tuple[datetime, list[Row | Unreadable]]]
    ) -> Snapshot:
        """Every account described on one day: the API's date when the first Item answered."""
        as_of = min((day for day, _ in read), default=datetime.now(UTC))
        rows = [row for _, item_rows in read for row in item_rows]
        for row in rows:
            target = row.identity if isinstance(row, Unreadable) else row
            target.update(as_of=as_of, as_of_date=as_of.date())  # type: ignore[union-attr]
        return Snapshot(self._frame(table, rows, ctx), as_of)

    # orders: Plaid has none

    async def orders(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
    ) -> AsyncIterator[pl.DataFrame]:
        """None: Plaid Investments serves holdings and transactions, not orders."""
        ctx.log.info(f"source {self.source.name}: Plaid Investments has no orders to read")
        return
        yield  # an async generator that yields nothing

    # activities

    async def activities(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[ActivityPage]:
        """Each Item's investment transactions of its landed accounts, from the earliest
        cursor of them (the start of its day: Plaid reads whole dates) or 24 months back,
        to `until`'s date or the API's today; the window read whole is from that day's
        start."""
        owned: dict[str, list[str]] = {}
        for row in accounts.select("connection_id", "account_id").iter_rows():
            owned.setdefault(row[0], []).append(row[1])
        cursors = since or {}

        async def read(number: int, token: str) -> ActivityPage | None:
            answer = await self.client.item(number, token)
            item = answer.body["item"]
            ids = sorted(owned.get(item["item_id"], []))
            if not ids:
                return None
            if item.get("error"):
                code = str(item["error"].get("error_code"))
                raise ItemUnreadable(self.source.name, number, code, "POST /item/get")
            today = answer.server_time.date()
            starts = [cursors.get(i) for i in ids]
            first = (
                min(start.date() for start in starts if start is not None)
                if all(starts)
                else today - HISTORY
            )
            last = until.date() if until is not None else today
            records: dict[str, Mapping[str, Any]] = {}
            securities: dict[str, Mapping[str, Any]] = {}
            async for page in self.client.transaction_pages(number, token, first, last, ids):
                securities.update({s["security_id"]: s for s in page.body["securities"]})
                for record in page.body["investment_transactions"]:
                    records[str(record.get("investment_transaction_id"))] = record  # once each
            window = Window(datetime.combine(first, time.min, UTC), until)
            frame = self._frame("activities", activity_rows(records.values(), securities), ctx)
            return ActivityPage(frame, dict.fromkeys(ids, window))

        seen = 0
        for page in await self._per_item(ctx, read):
            if page is not None:
                seen += page.frame.height
                yield page
        ctx.log.info(f"source {self.source.name}: {seen} activities read")
