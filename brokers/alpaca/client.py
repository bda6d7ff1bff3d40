"""Alpaca Trading API v2 endpoints: the account, its positions, every order and every
activity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from brokers.alpaca.order_pages import order_page
from brokers.http import JsonResponse, Transport
from brokers.paging import Page, TimeWindowPaginator, TokenPaginator, walk
from brokers.parse import rfc3339
from brokers.ratelimit import RateLimit

RATE_LIMIT = RateLimit(200, 60.0)  # per account (key pair), the documented limit
ORDERS_PAGE_LIMIT = 500  # the API's maximum
# Orders page by submission time, oldest first; bracket legs ride under their parent
# (nested=true) so every leg keeps its parent's id.
ORDERS = TimeWindowPaginator(time_field="submitted_at", limit=ORDERS_PAGE_LIMIT)
ORDERS_PARAMS = {"status": "all", "direction": "asc", "nested": "true"}


ACTIVITIES_PAGE_SIZE = 100  # the API's maximum
# Activities page by the last id read, oldest first, so a window is read from its start.
ACTIVITIES = TokenPaginator(page_size=ACTIVITIES_PAGE_SIZE)
ONE_MICROSECOND = timedelta(microseconds=1)


def activities_params(since: datetime | None, until: datetime | None) -> dict[str, str]:
    """The listing of activities at or after `since` and at or before `until` (the API's
    bounds are exclusive), oldest first."""
    params = {"direction": "asc"}
    if since is not None:
        params["after"] = rfc3339(since - ONE_MICROSECOND)
    if until is not None:
        params["until"] = rfc3339(until + ONE_MICROSECOND)
    return params


def orders_params(after: datetime | None) -> dict[str, str]:
    """The order listing's query; `after` (exclusive) starts it at a submission time."""
    return {**ORDERS_PARAMS, **({"after": rfc3339(after)} if after else {})}


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
