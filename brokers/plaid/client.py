"""Plaid Investments reads: the Item, its accounts, its holdings and its investment
transactions. Every read is a POST of JSON carrying `client_id` and `secret` in the body,
as Plaid's reference asks, and the Item's `access_token`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from brokers.errors import BrokerHTTPError
from brokers.http import JsonResponse, Transport
from brokers.plaid.errors import translated
from brokers.ratelimit import RateBudget, RateLimit

# Per client, the lowest of the reads' documented limits (/investments/holdings/get).
RATE_LIMIT = RateLimit(2000, 60.0)
# Per Item: Plaid's tightest limit on a read that pages (/investments/transactions/get);
# the others are read once an Item per step.
TRANSACTIONS_PER_ITEM = RateLimit(30, 60.0)
PAGE_SIZE = 500  # the most transactions a page may hold
API_VERSION = "2020-09-14"  # the response shapes read (Plaid-Version)


class PlaidClient:
    def __init__(
        self, transport: Transport, client_id: str, secret: str, *, paced: bool = True
    ) -> None:
        self.transport = transport
        self._keys = {"client_id": client_id, "secret": secret}
        self._paced = paced
        self._item_budgets: dict[int, RateBudget] = {}

    async def _read(self, path: str, item: int, token: str, **fields: Any) -> JsonResponse:
        """One read of the Item with access token #`item` (counted from 1)."""
        body = {**self._keys, "access_token": token, **fields}
        try:
            return await self.transport.post_json(path, body, expect=dict)
        except BrokerHTTPError as exc:
            raise translated(exc, self.transport.source, item) from None

    async def item(self, item: int, token: str) -> JsonResponse:
        return await self._read("/item/get", item, token)

    async def accounts(self, item: int, token: str) -> JsonResponse:
        return await self._read("/accounts/get", item, token)

    async def holdings(self, item: int, token: str) -> JsonResponse:
        return await self._read("/investments/holdings/get", item, token)

    async def transaction_pages(
        self, item: int, token: str, start: date, end: date, account_ids: list[str]
    ) -> AsyncIterator[JsonResponse]:
        """The Item's investment transactions dated in [start, end], of `account_ids`, 500 a
        page by offset until `total_investment_transactions` are read, paced under
        Plaid's limit per Item."""
        offset = 0
        while True:
            await self._pace(item)
            page = await self._read(
                "/investments/transactions/get",
                item,
                token,
                start_date=start.isoformat(),
                end_date=end.isoformat(),
                options={"account_ids": account_ids, "count": PAGE_SIZE, "offset": offset},
            )
            yield page
            got = len(page.body["investment_transactions"])
            offset += got
            if got == 0 or offset >= int(page.body["total_investment_transactions"]):
                return

    async def _pace(self, item: int) -> None:
        if not self._paced:
            return
        budget = self._item_budgets.setdefault(item, RateBudget(TRANSACTIONS_PER_ITEM))
        wait = budget.reserve()
        if wait > 0:
            await asyncio.sleep(wait)
