"""SnapTrade endpoints: users -> connections (brokerage authorizations) -> accounts ->
balances, positions, orders, activities. Every call is signed (SnapTradeAuth on the transport);
user-scoped calls add `userId` and `userSecret` to the query."""

from __future__ import annotations

from datetime import date
from typing import Any

from brokers.errors import PayloadError
from brokers.http import JsonResponse, Transport
from brokers.ratelimit import RateLimit

RATE_LIMIT = RateLimit(250, 60.0)  # per clientId, the documented limit
ORDER_DAYS = 90  # the API's longest look-back for /orders (days=1..90)
ACTIVITIES_LIMIT = 1000  # the API's largest page of activities


class SnapTradeClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def users_answer(self) -> JsonResponse:
        """Every user registered under the clientId (signed with the partner key only)."""
        return await self._get("/snapTrade/listUsers", {}, list)

    async def list_users(self) -> list[str]:
        return [str(user) for user in (await self.users_answer()).body]

    async def connections(self, user: str, secret: str) -> JsonResponse:
        return await self._get("/authorizations", _user(user, secret), list)

    async def accounts(self, user: str, secret: str) -> JsonResponse:
        return await self._get("/accounts", _user(user, secret), list)

    async def balances(self, user: str, secret: str, account_id: str) -> JsonResponse:
        return await self._get(f"/accounts/{account_id}/balances", _user(user, secret), list)

    async def positions(self, user: str, secret: str, account_id: str) -> JsonResponse:
        response = await self._get(
            f"/accounts/{account_id}/positions/all", _user(user, secret), dict
        )
        if not isinstance(response.body.get("results"), list):
            raise PayloadError(
                self.transport.source, "expected a 'results' list", endpoint=response.endpoint
            )
        return response

    async def orders(self, user: str, secret: str, account_id: str) -> JsonResponse:
        params = {"state": "all", "days": ORDER_DAYS, **_user(user, secret)}
        return await self._get(f"/accounts/{account_id}/orders", params, list)

    async def activities(
        self,
        user: str,
        secret: str,
        account_id: str,
        offset: int,
        start: date | None = None,
        end: date | None = None,
    ) -> JsonResponse:
        """One page of an account's transactions, newest first (by trade date): the
        envelope `{data, pagination: {offset, limit, total}}`; between two dates
        (inclusive), when given."""
        params: dict[str, Any] = {"offset": offset, "limit": ACTIVITIES_LIMIT}
        if start is not None:
            params["startDate"] = start.isoformat()
        if end is not None:
            params["endDate"] = end.isoformat()
        response = await self._get(
            f"/accounts/{account_id}/activities", {**params, **_user(user, secret)}, dict
        )
        if not isinstance(response.body.get("data"), list) or not isinstance(
            (response.body.get("pagination") or {}).get("total"), int
        ):
            raise PayloadError(
                self.transport.source,
                "expected {data: [...], pagination: {total: ...}}",
                endpoint=response.endpoint,
            )
        return response

    async def _get(self, path: str, params: dict[str, Any], kind: type) -> JsonResponse:
        return await self.transport.get_json(path, params, expect=kind)


def _user(user: str, secret: str) -> dict[str, str]:
    return {"userId": user, "userSecret": secret}
