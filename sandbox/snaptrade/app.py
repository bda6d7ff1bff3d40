"""The SnapTrade API, rendered from the world: users, connections, accounts, balances,
positions, orders and activities, behind SnapTrade's signatures and rate limit.

Paths are relative to the API's base URL (the server mounts this app under /snaptrade),
so the official SDK with `host=<base>/snaptrade` reaches them as it would at SnapTrade.
Every signed answer carries `X-Request-ID` and `X-RateLimit-Limit/Remaining/Reset` (Reset
in seconds until the window ends); over 250 requests a minute per clientId (when rate
limits are enforced) get SnapTrade's 429 body.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from sandbox.limits import PERIOD_SECONDS, RateLimiter
from sandbox.serving import ServingState
from sandbox.snaptrade import render
from sandbox.snaptrade.auth import verify_partner, verify_user
from sandbox.snaptrade.directory import UserDirectory
from sandbox.snaptrade.errors import SnapTradeError, bad_request, not_found
from sandbox.snaptrade.wire import SnapTradeJSON
from sandbox.world import Account, World
from sandbox.world.randomness import ALNUM, UPPER_ALNUM, alnum, rng

RATE_LIMIT = 250  # requests per minute per clientId
ORDER_STATES = {"all", "open", "executed"}
EXECUTED = {"filled", "partially_filled"}
MAX_ACTIVITIES = 1000

Handler = Callable[[Request, World, str | None], Awaitable[Any]]


def partner(seed: int) -> tuple[str, str]:
    """The world's partner credentials: (clientId, consumerKey)."""
    r = rng(seed, "snaptrade", "partner")
    return f"SANDBOX-{alnum(r, 8, UPPER_ALNUM)}", alnum(r, 50, ALNUM)


class SnapTradeApi:
    def __init__(self, state: ServingState) -> None:
        self.state = state
        self.users = UserDirectory()
        self.limiter = RateLimiter(RATE_LIMIT, state.rate_limit_period or PERIOD_SECONDS)

    def endpoint(self, handler: Handler, *, user_scoped: bool = True) -> Callable:
        """Wraps a handler in SnapTrade's gate: rate limit, signature, user credentials."""

        async def route(request: Request) -> Response:
            world = self.state.world_of(request.scope)  # one world for the whole request
            client_id, consumer_key = partner(world.seed)
            budget = self.limiter.hit(request.query_params.get("clientId", ""))
            headers = {
                "X-Request-ID": str(uuid.uuid4()),
                "X-RateLimit-Limit": str(budget.limit),
                "X-RateLimit-Remaining": str(budget.remaining),
                "X-RateLimit-Reset": str(budget.seconds_to_reset()),
            }
            try:
                if self.state.enforce_rate_limits and budget.exceeded:
                    wait = budget.seconds_to_reset()
                    raise SnapTradeError(
                        429, f"Request was throttled. Expected available in {wait} seconds."
                    )
                await verify_partner(request, client_id, consumer_key)
                user = (
                    verify_user(request, lambda u: self.users.secret(world, u))
                    if user_scoped
                    else None
                )
                body = await handler(request, world, user)
            except SnapTradeError as error:
                return error.response(headers)
            return SnapTradeJSON(body, headers=headers)

        return route

    # users

    async def register_user(self, request: Request, world: World, user: str | None) -> Any:
        user_id = (await _json(request)).get("userId")
        if not isinstance(user_id, str) or not user_id:
            raise bad_request("userId is required")
        secret = self.users.register(world, user_id)
        if secret is None:
            raise bad_request(f"User with the following userId already exist: '{user_id}'")
        return {"userId": user_id, "userSecret": secret}

    async def list_users(self, request: Request, world: World, user: str | None) -> Any:
        return self.users.users(world)

    async def delete_user(self, request: Request, world: World, user: str | None) -> Any:
        user_id = request.query_params.get("userId", "")
        if user_id not in self.users.users(world):
            raise not_found()
        self.users.delete(user_id)
        return {
            "status": "deleted",
            "detail": "User queued for deletion; please wait for webhook for confirmation.",
            "userId": user_id,
        }

    async def reset_secret(self, request: Request, world: World, user: str | None) -> Any:
        body = await _json(request)
        user_id, secret = body.get("userId"), body.get("userSecret")
        expected = self.users.secret(world, str(user_id))
        if expected is None or expected != secret:
            raise SnapTradeError(401, "Invalid userID or userSecret provided", "1083")
        return {"userId": user_id, "userSecret": self.users.reset(str(user_id))}

    # connections and accounts

    async def list_authorizations(self, request: Request, world: World, user: str | None) -> Any:
        return [render.authorization(c, world.clock) for c in world.connections(user)]

    async def get_authorization(self, request: Request, world: World, user: str | None) -> Any:
        return render.authorization(_connection(request, world, user), world.clock)

    async def authorization_accounts(self, request: Request, world: World, user: str | None) -> Any:
        connection = _connection(request, world, user)
        return [
            _account_json(world, a)
            for a in world.accounts_of_user(str(user))
            if a.connection_id == connection.connection_id
        ]

    async def list_accounts(self, request: Request, world: World, user: str | None) -> Any:
        return [_account_json(world, a) for a in world.accounts_of_user(str(user))]

    async def get_account(self, request: Request, world: World, user: str | None) -> Any:
        return _account_json(world, _account(request, world, user))

    async def balances(self, request: Request, world: World, user: str | None) -> Any:
        account = _account(request, world, user)
        return [render.balance(b) for b in world.balances(account.account_id)]

    async def positions(self, request: Request, world: World, user: str | None) -> Any:
        account = _account(request, world, user)
        return {
            "results": [render.position(p) for p in world.positions(account.account_id)],
            "data_freshness": {"as_of": render.stamp(world.data_as_of(account.account_id))},
        }

    async def orders(self, request: Request, world: World, user: str | None) -> Any:
        account = _account(request, world, user)
        state = request.query_params.get("state", "all")
        if state not in ORDER_STATES:
            raise bad_request(f"state must be one of {sorted(ORDER_STATES)}")
        days = min(_int(request, "days", 30, low=1), 90)
        since = world.data_as_of(account.account_id) - timedelta(days=days)
        orders = [o for o in world.orders(account.account_id) if o.submitted_at >= since]
        if state == "open":
            orders = [o for o in orders if o.is_open]
        elif state == "executed":
            orders = [o for o in orders if o.status in EXECUTED]
        children: dict[str, list] = {}
        for o in world.orders(account.account_id):
            if o.parent_order_id:
                children.setdefault(o.parent_order_id, []).append(o)
        orders.sort(key=lambda o: (o.submitted_at, o.order_id), reverse=True)
        return [render.order(o, account.institution, children.get(o.order_id, [])) for o in orders]

    async def activities(self, request: Request, world: World, user: str | None) -> Any:
        account = _account(request, world, user)
        start, end = _date(request, "startDate"), _date(request, "endDate")
        offset = _int(request, "offset", 0, low=0)
        limit = min(_int(request, "limit", MAX_ACTIVITIES, low=1), MAX_ACTIVITIES)
        types = {t for t in request.query_params.get("type", "").split(",") if t}
        found = [
            a
            for a in world.activities(account.account_id)
            if a.is_executed  # transactions: what moved
            and (start is None or a.at.date() >= start)
            and (end is None or a.at.date() <= end)
            and (not types or render.activity_type(a) in types)
        ]
        found.reverse()  # most recent first
        page = found[offset : offset + limit]
        return {
            "data": [render.activity(a, account.institution) for a in page],
            "pagination": {"offset": offset, "limit": limit, "total": len(found)},
        }


def _account_json(world: World, account: Account) -> dict[str, Any]:
    return render.account(
        account, world.balances(account.account_id), world.data_as_of(account.account_id)
    )


def _account(request: Request, world: World, user: str | None) -> Account:
    try:
        account = world.account(request.path_params["account_id"])
    except KeyError:
        raise not_found() from None
    if account.user_id != user or account.created_at > world.clock:
        raise not_found()
    return account


def _connection(request: Request, world: World, user: str | None) -> Any:
    wanted = request.path_params["authorization_id"]
    found = [c for c in world.connections(user) if c.connection_id == wanted]
    if not found:
        raise not_found()
    return found[0]


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise bad_request("the body is not JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def _int(request: Request, name: str, default: int, *, low: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer") from None
    if value < low:
        raise bad_request(f"{name} must be at least {low}")
    return value


def _date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(f"{name} must be a date (YYYY-MM-DD)") from None


async def _status(request: Request) -> Response:
    return SnapTradeJSON(render.status())


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return not_found().response()
    return SnapTradeError(exc.status_code, str(exc.detail)).response()


async def _server_error(request: Request, exc: Exception) -> Response:
    return SnapTradeError(500, "Encountered an unexpected exception.", "1000").response()


def build_app(state: ServingState) -> ASGIApp:
    api = SnapTradeApi(state)
    e = api.endpoint
    routes = [
        Route("/", _status),
        Route("/snapTrade/registerUser", e(api.register_user, user_scoped=False), methods=["POST"]),
        Route("/snapTrade/listUsers", e(api.list_users, user_scoped=False)),
        Route("/snapTrade/deleteUser", e(api.delete_user, user_scoped=False), methods=["DELETE"]),
        Route(
            "/snapTrade/resetUserSecret", e(api.reset_secret, user_scoped=False), methods=["POST"]
        ),
        Route("/authorizations", e(api.list_authorizations)),
        Route("/authorizations/{authorization_id}", e(api.get_authorization)),
        Route("/authorizations/{authorization_id}/accounts", e(api.authorization_accounts)),
        Route("/accounts", e(api.list_accounts)),
        Route("/accounts/{account_id}", e(api.get_account)),
        Route("/accounts/{account_id}/balances", e(api.balances)),
        Route("/accounts/{account_id}/positions/all", e(api.positions)),
        Route("/accounts/{account_id}/orders", e(api.orders)),
        Route("/accounts/{account_id}/activities", e(api.activities)),
    ]
    handlers: dict[Any, Any] = {HTTPException: _http_error, 500: _server_error}
    return Starlette(routes=routes, exception_handlers=handlers)


def describe(world: World) -> dict[str, Any]:
    """The manifest entry: the partner's credentials and every user's secret."""
    client_id, consumer_key = partner(world.seed)
    return {
        "client_id": client_id,
        "consumer_key": consumer_key,
        "users": [
            {"user_id": u.user_id, "user_secret": u.user_secret} for u in world.snaptrade_users()
        ],
    }
