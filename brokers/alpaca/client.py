"""Alpaca Trading API v2 endpoints: the account, its positions, and every order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from brokers.http import JsonResponse, Transport
from brokers.paging import TimeWindowPaginator, walk
from brokers.ratelimit import RateLimit

RATE_LIMIT = RateLimit(200, 60.0)  # per account (key pair), the documented limit
ORDERS_PAGE_LIMIT = 500  # the API's maximum
# Orders page by submission time, oldest first; bracket legs ride under their parent
# (nested=true) so every leg keeps its parent's id.
ORDERS = TimeWindowPaginator(time_field="submitted_at", limit=ORDERS_PAGE_LIMIT)
ORDERS_PARAMS = {"status": "all", "direction": "asc", "nested": "true"}


def key_headers(key_id: str, secret_key: str) -> dict[str, str]:
    return {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret_key}


class AlpacaTradingClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def account(self) -> JsonResponse:
        return await self.transport.get_json("/v2/account", expect=dict)

    async def positions(self) -> JsonResponse:
        return await self.transport.get_json("/v2/positions", expect=list)

    def order_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        """Every order the key can see, in pages of at most 500, none missed or repeated."""
        return walk(self.transport, "/v2/orders", ORDERS, ORDERS_PARAMS)
