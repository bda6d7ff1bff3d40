"""Alpaca Broker API endpoints: every customer account of the partner, then each
account's trade account, positions and orders (the Trading API's shapes, per account),
the trade events stream of every account's order updates, every account's activities
in one listing, and the partner's journals.

Accounts are listed oldest first in `created_after` windows of the API's fixed 1000;
only `trading_configurations` is asked for, so the holders' personal data (contact,
identity, disclosures, documents, ...) is not even sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from brokers.alpaca_broker.trade_events import first_id_at, last_id_at, trade_events
from brokers.alpaca_common.activity_pages import activity_page
from brokers.alpaca_common.listings import ACTIVITIES, ORDERS, orders_params
from brokers.alpaca_common.order_pages import order_page
from brokers.errors import PayloadError
from brokers.http import JsonResponse, Transport
from brokers.paging import InclusiveTimeWindowPaginator, Page, walk
from brokers.parse import to_utc
from brokers.ratelimit import RateLimit

# Per partner. Alpaca no longer publishes a figure; 1,000 a minute is the last documented.
RATE_LIMIT = RateLimit(1000, 60.0)
ACCOUNTS_PAGE_SIZE = 1000  # the API's fixed maximum; it takes no limit
ACCOUNTS = InclusiveTimeWindowPaginator(
    time_field="created_at", page_size=ACCOUNTS_PAGE_SIZE, after_param="created_after"
)
ACCOUNTS_PARAMS = {"sort": "asc", "entities": "trading_configurations"}


class AlpacaBrokerClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def account_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        """Every account of the partner, each exactly once, oldest first."""
        return walk(self.transport, "/v1/accounts", ACCOUNTS, ACCOUNTS_PARAMS)

    async def trade_account(self, account_id: str) -> JsonResponse:
        return await self.transport.get_json(
            f"/v1/trading/accounts/{account_id}/account", expect=dict
        )

    async def positions(self, account_id: str) -> JsonResponse:
        return await self.transport.get_json(
            f"/v1/trading/accounts/{account_id}/positions", expect=list
        )

    def activity_pages(self, account_id: str | None = None) -> AsyncIterator[Page]:
        """Every activity of every account (or of one), oldest first, in pages of 100;
        each a frame polars read, or records."""
        params = {"direction": "asc", **({"account_id": account_id} if account_id else {})}
        path = "/v1/accounts/activities"
        return walk(self.transport, path, ACTIVITIES, params, decode=activity_page)

    async def activity_day(self, day: date) -> JsonResponse:
        """Every account's activities of one UTC day in one answer: with a `date` and no
        page size, the API returns all of them."""
        params = {"date": day.isoformat(), "direction": "asc"}
        return await self.transport.get_json("/v1/accounts/activities", params, expect=list)

    async def journals(self, after: date | None = None) -> list[dict[str, Any]]:
        """The partner's journals (created after the day `after`, when given)."""
        params = {} if after is None else {"after": after.isoformat()}
        return (await self.transport.get_json("/v1/journals", params, expect=list)).body

    async def clock_answer(self) -> JsonResponse:
        """`/v1/clock`: the cheapest authenticated call (the answer's headers carry the
        partner's rate limit)."""
        return await self.transport.get_json("/v1/clock", expect=dict)

    async def clock(self) -> datetime:
        """The API's own clock (`/v1/clock`), to the microsecond: where a read of the
        trade events stream ends."""
        response = await self.clock_answer()
        at = to_utc(response.body.get("timestamp"))
        if at is None:
            raise PayloadError(
                self.transport.source,
                f"the market clock has no timestamp: {str(response.body)[:200]}",
                endpoint=response.endpoint,
            )
        return at

    def trade_events(self, after: datetime, until: datetime) -> AsyncIterator[dict[str, Any]]:
        """Every account's order updates in (after, until], by the API's clock, in order."""
        return trade_events(
            self.transport,
            first_id_at(after),
            last_id_at(until),
            max_resumes=self.transport.settings.max_attempts,
        )

    def order_pages(self, account_id: str, after: datetime | None = None) -> AsyncIterator[Page]:
        """Every order of one account (submitted after `after`, when given), in pages of at
        most 500, none missed or repeated; each a frame polars read, or records."""
        path = f"/v1/trading/accounts/{account_id}/orders"
        return walk(self.transport, path, ORDERS, orders_params(after), decode=order_page)
