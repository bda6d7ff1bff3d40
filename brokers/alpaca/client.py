"""Alpaca Trading API v2 endpoints: the account, its positions, every order and every
activity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from brokers.alpaca_common.listings import (
    ACTIVITIES,
    ORDERS,
    activities_params,
    orders_params,
)
from brokers.alpaca_common.order_pages import order_page
from brokers.http import JsonResponse, Transport
from brokers.paging import Page, walk
from brokers.ratelimit import RateLimit

RATE_LIMIT = RateLimit(200, 60.0)  # per account (key pair), the documented limit


def key_headers(key_id: str, secret_key: str) -> dict[str, str]:
    return {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret_key}


class AlpacaTradingClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def account(self) -> JsonResponse:
        return await self.transport.get_json("/v2/account", expect=dict)

    async def positions(self) -> JsonResponse:
        return await self.transport.get_json("/v2/positions", expect=list)

    def activity_pages(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """The account's activities in [since, until] (its whole history by default),
        oldest first, in pages of at most 100."""
        params = activities_params(since, until)
        return walk(self.transport, "/v2/account/activities", ACTIVITIES, params)

    def order_pages(self, after: datetime | None = None) -> AsyncIterator[Page]:
        """Every order the key can see (submitted after `after`, when given), in pages of at
        most 500, none missed or repeated; each a frame polars read, or records."""
        return walk(self.transport, "/v2/orders", ORDERS, orders_params(after), decode=order_page)
