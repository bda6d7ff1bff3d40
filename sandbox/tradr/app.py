"""The TradrAPI routes, rendered from the world's TradrAPI book.

TradrAPI does not publish its REST paths or the header that carries the key; these are
the sandbox's choice, mirroring the SDK's namespaces (`accounts.list` -> GET /accounts,
`balances.getMany` -> GET /balances?accountIds=..., ...), and the key travels in
`x-api-key`. brokerlake's connector keeps its side of this assumption in one module,
brokers/tradr/endpoints.py.

Every request needs a key the store knows (401), sent from an address on the key's IP
allow-list (403), holding the `read` role (403); an account outside the key's accounts is
403 `This API key does not have access to account N`. Its rate limit is not published:
the sandbox allows 600 requests a minute per key (when limits are enforced) and answers
429 with Retry-After, as NestJS's throttler does.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.exact_json import ExactJSONResponse
from sandbox.limits import PERIOD_SECONDS, RateLimiter
from sandbox.tradr.errors import (
    EXCEPTION_HANDLERS,
    bad_request,
    error_response,
    not_covered,
)
from sandbox.tradr.keys import ApiKey, demo_keys
from sandbox.tradr.pages import envelope, list_query, within
from sandbox.tradr.render import (
    account_json,
    balance_json,
    key_json,
    order_json,
    position_json,
    symbol_json,
    trade_summary_json,
    transaction_json,
    transaction_summary_json,
)
from sandbox.world import World
from sandbox.world.tradr_symbols import SYMBOLS

if TYPE_CHECKING:
    from sandbox.serving import ServingState

NAME = "tradr"  # the API's name: its manifest entry, its state on the server
KEY_HEADER = "x-api-key"
RATE_LIMIT = 600  # requests per minute per key (the sandbox's choice)
MAX_BALANCE_IDS = 100


def _world(request: Request) -> World:
    return request.state.world


def _key(request: Request) -> ApiKey:
    return request.state.api_key


def _covered(request: Request) -> list[int]:
    """The accounts the request's key covers, worked out once per request."""
    covered = getattr(request.state, "covered", None)
    if covered is None:
        covered = request.state.covered = _key(request).covered(_world(request))
    return covered


def _account_id(request: Request, raw: str | None) -> int | None:
    """An account id parameter, which the key must cover."""
    if raw is None:
        return None
    try:
        account_id = int(raw)
    except ValueError:
        raise bad_request("accountId must be an integer number") from None
    if account_id not in _covered(request):
        raise not_covered(account_id)
    return account_id


def _path_account(request: Request) -> int:
    account_id = _account_id(request, request.path_params["account_id"])
    assert account_id is not None
    return account_id


def _json(document: Any) -> Response:
    return ExactJSONResponse(document)


async def current_key(request: Request) -> Response:
    return _json(key_json(_key(request)))


async def list_accounts(request: Request) -> Response:
    world = _world(request)
    query = list_query(request.query_params, ("createdAt", "id"))
    accounts = [world.tradr_account(i) for i in _covered(request)]
    currency = request.query_params.get("currency")
    accounts = [a for a in accounts if currency in (None, a.currency)]
    keys = {"createdAt": lambda a: (a.created_at, a.account_id), "id": lambda a: a.account_id}
    return _json(envelope(query, accounts, keys, account_json))


async def get_account(request: Request) -> Response:
    return _json(account_json(_world(request).tradr_account(_path_account(request))))


async def account_summary(request: Request) -> Response:
    world, account_id = _world(request), _path_account(request)
    query = list_query(request.query_params, ("createdAt",))
    records = [
        (t.closed_at, int(t.ticket), trade_summary_json(t)) for t in world.tradr_trades(account_id)
    ]
    records += [
        (t.created_at, int(t.ticket), transaction_summary_json(t))
        for t in world.tradr_transactions(account_id)
    ]
    chosen = [r for r in records if within(query, r[0])]
    keys = {"createdAt": lambda r: (r[0], r[1])}
    return _json(envelope(query, chosen, keys, lambda r: r[2]))


async def get_balance(request: Request) -> Response:
    balance = _world(request).tradr_balance(_path_account(request))
    assert balance is not None
    return _json(balance_json(balance))


async def get_balances(request: Request) -> Response:
    """`balances.getMany`: a bare array, in the order asked."""
    raw = request.query_params.get("accountIds", "")
    ids = [_account_id(request, part.strip()) for part in raw.split(",") if part.strip()]
    if not ids:
        raise bad_request("accountIds should not be empty")
    if len(ids) > MAX_BALANCE_IDS:
        raise bad_request(f"accountIds must contain no more than {MAX_BALANCE_IDS} elements")
    world = _world(request)
    return _json([balance_json(world.tradr_balance(i)) for i in ids])  # type: ignore[arg-type]


async def list_transactions(request: Request) -> Response:
    """`balances.list`: a bare array, not paginated."""
    world, account_id = _world(request), _path_account(request)
    platform = world.tradr_account(account_id).platform
    return _json([transaction_json(t, platform) for t in world.tradr_transactions(account_id)])


def _scoped(request: Request) -> list[int]:
    """The accounts a positions/orders query reads: the one asked for, or all covered."""
    one = _account_id(request, request.query_params.get("accountId"))
    return [one] if one is not None else _covered(request)


async def list_positions(request: Request) -> Response:
    world = _world(request)
    query = list_query(request.query_params, ("createdAt", "id"))
    symbol, side = request.query_params.get("symbol"), request.query_params.get("type")
    positions = [
        p
        for account_id in _scoped(request)
        for p in world.tradr_positions(account_id)
        if symbol in (None, p.symbol.name) and side in (None, p.side) and within(query, p.opened_at)
    ]
    keys = {"createdAt": lambda p: (p.opened_at, p.position_id), "id": lambda p: p.position_id}
    return _json(envelope(query, positions, keys, position_json))


async def list_orders(request: Request) -> Response:
    world = _world(request)
    query = list_query(request.query_params, ("createdAt", "id"))
    symbol, kind = request.query_params.get("symbol"), request.query_params.get("type")
    orders = [
        o
        for account_id in _scoped(request)
        for o in world.tradr_orders(account_id)
        if symbol in (None, o.symbol.name)
        and kind in (None, o.type)
        and within(query, o.created_at)
    ]
    keys = {"createdAt": lambda o: (o.created_at, o.order_id), "id": lambda o: o.order_id}
    return _json(envelope(query, orders, keys, order_json))


async def list_symbols(request: Request) -> Response:
    """`symbols.list`: a bare array (its DTO's page and limit are not applied)."""
    raw = request.query_params.get("spreadGroupId")
    try:
        group = int(raw) if raw else 0
    except ValueError:
        raise bad_request("spreadGroupId must be an integer number") from None
    wanted = request.query_params.get("symbol")
    return _json(
        [
            symbol_json(symbol, group, group * 100 + number)
            for number, symbol in enumerate(SYMBOLS.values(), start=1)
            if wanted in (None, symbol.name)
        ]
    )


class Gateway:
    """The key, its allow-list, its role and its rate budget, before every route."""

    def __init__(self, app: ASGIApp, state: ServingState) -> None:
        self.app = app
        self.state = state
        self.limiter = RateLimiter(RATE_LIMIT, state.rate_limit_period or PERIOD_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused, key = self._check(scope, Request(scope).headers.get(KEY_HEADER))
        if refused is not None:
            await refused(scope, receive, send)
            return
        state = {**scope.get("state", {}), "world": self.state.world_of(scope), "api_key": key}
        await self.app({**scope, "state": state}, receive, send)

    def _check(self, scope: Scope, presented: str | None) -> tuple[Response | None, ApiKey | None]:
        if not presented:
            return error_response(401, "Missing API key"), None
        key = self.state.api_state[NAME].use(presented)
        if key is None:
            return error_response(401, "Invalid API key"), None
        address = (scope.get("client") or (None, None))[0]
        if not key.allows(address):
            return error_response(
                403, f"IP address {address} is not allowed to use this API key"
            ), None
        if "read" not in key.roles:
            return error_response(403, "This API key does not have the read role"), None
        budget = self.limiter.hit(str(key.key_id))
        if self.state.enforce_rate_limits and budget.exceeded:
            wait = math.ceil(max(0.0, budget.ends_at - time.time()))
            response = error_response(429, "ThrottlerException: Too Many Requests")
            response.headers["retry-after"] = str(wait)
            return response, None
        return None, key


def build_app(state: ServingState) -> ASGIApp:
    routes = [
        Route("/api-keys/current", current_key),
        Route("/accounts", list_accounts),
        Route("/accounts/{account_id}", get_account),
        Route("/accounts/{account_id}/summary", account_summary),
        Route("/balances", get_balances),
        Route("/balances/{account_id}", get_balance),
        Route("/balances/{account_id}/transactions", list_transactions),
        Route("/positions", list_positions),
        Route("/orders", list_orders),
        Route("/symbols", list_symbols),
    ]
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    return Gateway(app, state)


def describe(world: World) -> dict[str, Any]:
    """The manifest entry: the key header and the demo keys, as their creator got them."""
    keys = {}
    for key in demo_keys(world):
        grant = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(key.grant).items()}
        keys[key.name] = {"api_key": key.plaintext, **grant}
    return {"key_header": KEY_HEADER, "keys": keys}
