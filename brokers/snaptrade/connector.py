"""The SnapTrade connector: one partner key, many users, each with connections and accounts.

A user whose secret is rejected is reported by name (a warning in the run's log and in the
step's metadata) and skipped; every other user still lands. The partner key itself is
checked first by listing users, so a rejection after that is about the user's secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import polars as pl

from brokers.access import Access, rate_limit_of
from brokers.connector import (
    AccountsBatch,
    ActivityPage,
    FetchContext,
    Snapshot,
    Window,
    account_currencies,
)
from brokers.errors import CredentialsRejected
from brokers.http import JsonResponse, Transport, TransportSettings, settings_for
from brokers.parse import to_utc
from brokers.snaptrade import normalize
from brokers.snaptrade.activities import activity_rows
from brokers.snaptrade.client import RATE_LIMIT, SnapTradeClient
from brokers.snaptrade.config import SnapTradeSource
from brokers.snaptrade.signing import SnapTradeAuth
from brokers.transport_connector import TransportConnector

BROKER = "snaptrade"
ONE_MICROSECOND = timedelta(microseconds=1)
T = TypeVar("T")


class SnapTradeConnector(TransportConnector):
    broker = BROKER

    def __init__(self, source: SnapTradeSource, settings: TransportSettings | None = None) -> None:
        self.source = source
        self.secrets = source.users()
        client_id = source.client_id.get_secret_value()
        consumer_key = source.consumer_key.get_secret_value()
        self.transport = Transport(
            source.name,
            source.base_url,
            auth=SnapTradeAuth(client_id, consumer_key),
            secrets=[client_id, consumer_key, *self.secrets.values()],
            settings=settings or settings_for(source, RATE_LIMIT),
        )
        self.client = SnapTradeClient(self.transport)

    # users, connections, accounts

    async def whoami(self) -> Access:
        response = await self.client.users_answer()
        listed = [str(user) for user in response.body]
        readable = set(listed) & set(self.secrets)
        return Access(
            accounts=f"the accounts of {len(readable)} of the {len(listed)} users registered "
            "under the clientId (those with a secret configured)",
            rate_limit=rate_limit_of(response.headers, self.transport.settings.rate_limit),
            warnings=tuple(self._unmatched(listed)),
        )

    def _unmatched(self, listed: list[str]) -> list[str]:
        """Users registered without a secret configured, and secrets of unknown users."""
        return [
            f"source {self.source.name}: user {user!r} has a secret configured but is not "
            "registered under this clientId; skipped"
            for user in sorted(set(self.secrets) - set(listed))
        ] + [
            f"source {self.source.name}: user {user!r} is registered but has no secret "
            "configured (add it to user_secrets); its connections and accounts are not read"
            for user in sorted(set(listed) - set(self.secrets))
        ]

    async def accounts(self, ctx: FetchContext) -> AccountsBatch:
        listed = await self.client.list_users()
        for warning in self._unmatched(listed):
            ctx.warn(warning)
        readable = sorted(set(listed) & set(self.secrets))
        read = await self._per_user(ctx, readable, self._user_accounts)
        connections = [row for rows, _ in read.values() for row in rows]
        accounts = [row for _, rows in read.values() for row in rows]
        return AccountsBatch(
            users=self._frame("users", [normalize.user_row(u) for u in sorted(listed)], ctx),
            connections=self._frame("connections", connections, ctx),
            accounts=self._frame("accounts", accounts, ctx),
            unread_users=tuple(user for user in readable if user not in read),
        )

    async def _user_accounts(
        self, user: str, secret: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        authorizations = await self.client.connections(user, secret)
        accounts = await self.client.accounts(user, secret)
        return (
            [normalize.connection_row(a, user_id=user) for a in authorizations.body],
            [normalize.account_row(a, user_id=user) for a in accounts.body],
        )

    # balances and positions: one snapshot of every account

    async def balances(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        async def read(user: str, secret: str) -> tuple[datetime | None, list[dict[str, Any]]]:
            listing = await self.client.accounts(user, secret)
            synced = {str(a["id"]): normalize.holdings_as_of(a) for a in listing.body}
            totals = {str(a["id"]): normalize.account_total(a) for a in listing.body}
            day = listing.server_time
            rows: list[dict[str, Any]] = []
            for account_id in _account_ids(accounts, user):
                response = await self.client.balances(user, secret, account_id)
                rows += normalize.balance_rows(
                    response.body,
                    account_id=account_id,
                    as_of=synced.get(account_id) or day,
                    day=day,
                    total=totals.get(account_id),
                )
            return day, rows

        return await self._snapshot(ctx, "balances", accounts, read)

    async def positions(self, ctx: FetchContext, accounts: pl.DataFrame) -> Snapshot:
        async def read(user: str, secret: str) -> tuple[datetime | None, list[dict[str, Any]]]:
            responses = await asyncio.gather(
                *(
                    self.client.positions(user, secret, account_id)
                    for account_id in _account_ids(accounts, user)
                )
            )
            day = _day(responses)
            if day is None:
                return None, []
            rows = [
                normalize.position_row(position, account_id=account_id, as_of=as_of, day=day)
                for account_id, response in zip(
                    _account_ids(accounts, user), responses, strict=True
                )
                for as_of in [_freshness(response) or day]
                for position in response.body["results"]
            ]
            return day, rows

        return await self._snapshot(ctx, "positions", accounts, read)

    async def _snapshot(
        self,
        ctx: FetchContext,
        table: str,
        accounts: pl.DataFrame,
        read: Callable[[str, str], Awaitable[tuple[datetime | None, list[dict[str, Any]]]]],
    ) -> Snapshot:
        read_by_user = await self._per_user(ctx, self._users_of(accounts), read)
        days = [day for day, _ in read_by_user.values() if day is not None]
        rows = [row for _, user_rows in read_by_user.values() for row in user_rows]
        # Every account is described on one day: the API's date when the first answered.
        day = min(days) if days else datetime.now(UTC)
        for row in rows:
            row["as_of_date"] = day.date()
        return Snapshot(self._frame(table, rows, ctx), day)

    # orders

    async def orders(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,  # one request per account reads all
    ) -> AsyncIterator[pl.DataFrame]:
        """Each account's orders of the last 90 days (the API's longest look-back)."""
        currencies = account_currencies(accounts)

        async def read(user: str, secret: str) -> list[pl.DataFrame]:
            frames = []
            for account_id in _account_ids(accounts, user):
                response = await self.client.orders(user, secret, account_id)
                rows = normalize.order_rows(
                    response.body, account_id=account_id, currency=currencies.get(account_id)
                )
                frames.append(self._frame("orders", rows, ctx))
            return frames

        seen = 0
        for frames in (await self._per_user(ctx, self._users_of(accounts), read)).values():
            for frame in frames:
                seen += frame.height
                yield frame
        ctx.log.info(f"source {self.source.name}: {seen} orders read")

    # activities

    async def activities(
        self,
        ctx: FetchContext,
        accounts: pl.DataFrame,
        since: Mapping[str, datetime] | None = None,
        until: datetime | None = None,
    ) -> AsyncIterator[ActivityPage]:
        """Each account's transactions, newest first, 1000 a page, until the window's
        start is passed (the rest of the last page is read too: history older than the
        window costs nothing more and shows what SnapTrade re-added under new ids)."""

        async def read(user: str, secret: str) -> ActivityPage:
            read_by_account, covered = [], {}
            for account_id in _account_ids(accounts, user):
                start = (since or {}).get(account_id)
                records, window = await self._account_activities(
                    user, secret, account_id, start, until
                )
                read_by_account.append((account_id, records))
                covered[account_id] = window
            frame = self._frame("activities", activity_rows(read_by_account), ctx)
            return ActivityPage(frame, covered)

        seen = 0
        for page in (await self._per_user(ctx, self._users_of(accounts), read)).values():
            seen += page.frame.height
            yield page
        ctx.log.info(f"source {self.source.name}: {seen} activities read")

    async def _account_activities(
        self,
        user: str,
        secret: str,
        account_id: str,
        start: datetime | None,
        until: datetime | None,
    ) -> tuple[list[dict[str, Any]], Window]:
        """The account's transactions from the newest back past `start` (all, without
        it), and the window they cover whole. A backfill (`until`) asks for its dates."""
        dates = (start.date() if start else None, until.date()) if until else (None, None)
        records: list[dict[str, Any]] = []
        while True:
            body = (
                await self.client.activities(user, secret, account_id, len(records), *dates)
            ).body
            page = body["data"]
            records += page
            if not page or len(records) >= body["pagination"]["total"]:
                return records, Window(start if until else None, until)
            oldest = to_utc(page[-1].get("trade_date"))
            if start is not None and oldest is not None and oldest < start:
                # the rows at the oldest instant may go on past this page
                return records, Window(oldest + ONE_MICROSECOND, until)

    # users, one at a time in parallel

    def _users_of(self, accounts: pl.DataFrame) -> list[str]:
        users = sorted(set(accounts.get_column("user_id").to_list()))
        return [user for user in users if user in self.secrets]

    async def _per_user(
        self,
        ctx: FetchContext,
        users: list[str],
        read: Callable[[str, str], Awaitable[T]],
    ) -> dict[str, T]:
        """`read(user, secret)` for every user concurrently. A user whose secret is rejected
        is reported and left out; any other failure fails the source."""
        results = await asyncio.gather(
            *(read(user, self.secrets[user]) for user in users), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, CredentialsRejected):
                raise result
        rejected = [r for r in results if isinstance(r, CredentialsRejected)]
        if rejected and len(rejected) == len(results):
            raise rejected[0]  # every user at once: the partner key, not one user's secret
        read_by_user: dict[str, T] = {}
        for user, result in zip(users, results, strict=True):
            if isinstance(result, CredentialsRejected):
                ctx.warn(
                    f"source {self.source.name}: user {user!r} was skipped: SnapTrade rejected "
                    f"its userSecret ({result.endpoint}: HTTP {result.status}); update the "
                    "secret in this source's user_secrets"
                )
            else:
                read_by_user[user] = result  # type: ignore[assignment]
        return read_by_user


def _account_ids(accounts: pl.DataFrame, user: str) -> list[str]:
    return sorted(accounts.filter(pl.col("user_id") == user).get_column("account_id").to_list())


def _day(responses: list[JsonResponse]) -> datetime | None:
    """The API's own date for a set of answers (None when no request was needed)."""
    return min((r.server_time for r in responses), default=None)


def _freshness(response: JsonResponse) -> datetime | None:
    """When the positions were last fetched from the brokerage (`data_freshness.as_of`)."""
    freshness = response.body.get("data_freshness") or {}
    return to_utc(freshness.get("as_of"))
