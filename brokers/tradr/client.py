"""TradrAPI endpoints, read through the source's transport (paths in endpoints.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from brokers.http import JsonResponse, Transport
from brokers.paging import PageNumberPaginator, walk
from brokers.parse import rfc3339
from brokers.tradr import endpoints

PAGES = PageNumberPaginator(limit=endpoints.PAGE_LIMIT)
# Summary records have no `id`: the platform's ticket identifies them.
SUMMARY_PAGES = PageNumberPaginator(limit=endpoints.PAGE_LIMIT, id_field="exchangeOperationId")


class TradrClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def current_key_answer(self) -> JsonResponse:
        """The calling key's metadata (roles, IP allow-list, accounts covered)."""
        return await self.transport.get_json(endpoints.CURRENT_KEY, expect=dict)

    async def current_key(self) -> dict[str, Any]:
        return (await self.current_key_answer()).body

    def account_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        return walk(self.transport, endpoints.ACCOUNTS, PAGES, endpoints.BY_ID)

    async def balances(self, account_ids: Sequence[int]) -> JsonResponse:
        """Balances of up to BALANCES_PER_CALL accounts in one call."""
        ids = ",".join(str(i) for i in account_ids)
        return await self.transport.get_json(endpoints.BALANCES, {"accountIds": ids}, expect=list)

    def position_pages(self, account_id: int) -> AsyncIterator[list[dict[str, Any]]]:
        params = {"accountId": account_id, **endpoints.BY_ID}
        return walk(self.transport, endpoints.POSITIONS, PAGES, params)

    def order_pages(self, account_id: int) -> AsyncIterator[list[dict[str, Any]]]:
        params = {"accountId": account_id, **endpoints.BY_ID}
        return walk(self.transport, endpoints.ORDERS, PAGES, params)

    def summary_pages(
        self, account_id: int, start: datetime | None = None, end: datetime | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The account's closed trades and balance operations (those created in [start,
        end], when given), oldest first."""
        params: dict[str, Any] = dict(endpoints.BY_TIME)
        if start is not None:
            params["from"] = rfc3339(start)
        if end is not None:
            params["to"] = rfc3339(end)
        return walk(self.transport, endpoints.account_summary(account_id), SUMMARY_PAGES, params)

    async def transactions(self, account_id: int) -> list[dict[str, Any]]:
        """Every balance operation of the account, in one answer."""
        path = endpoints.balance_transactions(account_id)
        return (await self.transport.get_json(path, expect=list)).body

    async def symbols(self) -> list[dict[str, Any]]:
        """Every symbol (contract sizes are per symbol, whatever the spread group)."""
        return (await self.transport.get_json(endpoints.SYMBOLS, expect=list)).body
