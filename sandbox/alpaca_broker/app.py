"""The Alpaca Broker API v1 routes, rendered from the world's partner accounts.

Paths are relative to the API's base URL (the server mounts this app under
/alpaca-broker), so `BrokerClient(url_override=<base>/alpaca-broker)` reaches `/v1/...` as
it would on Alpaca. The token endpoint lives at `/v1/oauth2/token` under the same base
(Alpaca serves it from its own authx host at the same path). Every answer carries
`X-Request-ID` and the partner's `X-RateLimit-*` headers (Reset as an epoch second);
over 1000 requests a minute (when rate limits are enforced) get 429.

An account id the partner does not hold is answered 404 `account not found`. Besides
the accounts, their trading data, every account's activities in one listing and the
partner's journals (`/v1/journals`): the market clock (`/v1/clock`) and the trade events
stream (`/v2/events/trades`, see events.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.alpaca_broker.accounts_query import parse_accounts_query, select_accounts
from sandbox.alpaca_broker.auth import authenticate
from sandbox.alpaca_broker.credentials import partner
from sandbox.alpaca_broker.events import trade_events
from sandbox.alpaca_broker.journals import select_journals
from sandbox.alpaca_broker.oauth import issue_token
from sandbox.alpaca_broker.render import (
    account_extended_json,
    broker_order_json,
    trade_account_json,
)
from sandbox.alpaca_trading.activities import account_index, partner_index, select_activities
from sandbox.alpaca_trading.errors import (
    EXCEPTION_HANDLERS,
    NOT_FOUND,
    ApiError,
    rate_limited,
)
from sandbox.alpaca_trading.orders_query import parse_orders_query, select_orders
from sandbox.alpaca_trading.portfolio_history import history_response
from sandbox.alpaca_trading.render import position_json
from sandbox.alpaca_trading.wire import utc_timestamp
from sandbox.asgi import adding_headers
from sandbox.limits import PERIOD_SECONDS, RateLimiter
from sandbox.serving import ServingState
from sandbox.world import ALPACA_BROKER, Account, World
from sandbox.world.schedule import session_close, session_open

RATE_LIMIT = 1000  # requests per minute per partner
TOKEN_PATH = "/v1/oauth2/token"


def _world(request: Request) -> World:
    return request.state.world


def _account(request: Request) -> Account:
    return _held_account(_world(request), request.path_params["account_id"])


async def _portfolio_history(request: Request) -> Response:
    return history_response(request, _world(request), _account(request).account_id)


def _held_account(world: World, account_id: str) -> Account:
    """One of the partner's accounts, or 404."""
    try:
        account = world.account(account_id)
    except KeyError:
        account = None
    if account is None or account.venue != ALPACA_BROKER or account.created_at > world.clock:
        raise ApiError(404, NOT_FOUND, "account not found")
    return account


async def list_accounts(request: Request) -> Response:
    world = _world(request)
    query = parse_accounts_query(request.query_params)
    page = select_accounts(query, world.broker_accounts(), world.customer_profile)
    return JSONResponse(
        [
            account_extended_json(
                a,
                world.customer_profile(a.account_id),
                world.balances(a.account_id)[0],
                query.entities,
            )
            for a in page
        ]
    )


async def get_account(request: Request) -> Response:
    world, account = _world(request), _account(request)
    (balance,) = world.balances(account.account_id)
    return JSONResponse(
        account_extended_json(account, world.customer_profile(account.account_id), balance)
    )


async def get_trade_account(request: Request) -> Response:
    world, account = _world(request), _account(request)
    (balance,) = world.balances(account.account_id)
    positions = world.positions(account.account_id)
    return JSONResponse(trade_account_json(account, balance, positions))


async def get_positions(request: Request) -> Response:
    world, account = _world(request), _account(request)
    return JSONResponse([position_json(p) for p in world.positions(account.account_id)])


async def get_orders(request: Request) -> Response:
    world, account = _world(request), _account(request)
    params = request.query_params
    query = parse_orders_query(params, params.getlist("asset_class"))
    page = select_orders(query, world.orders(account.account_id))
    return JSONResponse([broker_order_json(order, legs) for order, legs in page])


async def get_activities(request: Request) -> Response:
    """Every account's activities in one listing, or one account's (`account_id`)."""
    world = _world(request)
    params = request.query_params
    if params.get("account_id"):
        index = account_index(world, _held_account(world, params["account_id"]).account_id)
    else:
        index = partner_index(world)
    types = params.getlist("activity_types")
    if "activity_type" in request.path_params:
        types = [request.path_params["activity_type"]]
    return JSONResponse(select_activities(index, params, types, with_account=True))


async def get_journals(request: Request) -> Response:
    world = _world(request)
    return JSONResponse(select_journals(world.journals(), request.query_params, world.clock))


async def get_clock(request: Request) -> Response:
    """The market clock: the world's instant and its session (schedule.py's calendar)."""
    clock = _world(request).clock
    opening, closing = session_open(clock), session_close(clock)
    return JSONResponse(
        {
            "timestamp": utc_timestamp(clock),
            "is_open": closing < opening,  # the next close comes first: in session
            "next_open": utc_timestamp(opening),
            "next_close": utc_timestamp(closing),
        }
    )


class Gateway:
    """Request id, the partner's rate budget, then authentication, before every route
    but the token endpoint (which checks the client's own credentials)."""

    def __init__(self, app: ASGIApp, state: ServingState) -> None:
        self.app = app
        self.state = state
        self.limiter = RateLimiter(RATE_LIMIT, state.rate_limit_period or PERIOD_SECONDS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        world = self.state.world_of(scope)  # one world for the whole request
        credentials = partner(world.seed)
        request = Request(scope, receive)
        if scope["path"].removeprefix(scope.get("root_path", "")) == TOKEN_PATH:
            response = await issue_token(
                request, credentials, self.state.tokens, self.state.token_lifetime
            )
            await response(scope, receive, send)
            return
        budget = self.limiter.hit("partner")
        send = adding_headers(
            send, [(b"x-request-id", str(uuid.uuid4()).encode()), *budget.headers()]
        )
        if self.state.enforce_rate_limits and budget.exceeded:
            await rate_limited()(scope, receive, send)
            return
        refused = authenticate(request.headers.get("authorization"), credentials, self.state.tokens)
        if refused is not None:
            await refused(scope, receive, send)
            return
        state = {**scope.get("state", {}), "world": world}
        await self.app({**scope, "state": state}, receive, send)


def build_app(state: ServingState) -> ASGIApp:
    routes = [
        Route("/v1/accounts", list_accounts),
        Route("/v1/accounts/activities", get_activities),
        Route("/v1/accounts/activities/{activity_type}", get_activities),
        Route("/v1/accounts/{account_id}", get_account),
        Route("/v1/trading/accounts/{account_id}/account", get_trade_account),
        Route("/v1/trading/accounts/{account_id}/positions", get_positions),
        Route("/v1/trading/accounts/{account_id}/orders", get_orders),
        Route("/v1/trading/accounts/{account_id}/account/portfolio/history", _portfolio_history),
        Route("/v1/journals", get_journals),
        Route("/v1/clock", get_clock),
        Route("/v2/events/trades", trade_events),
    ]
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
    return Gateway(app, state)


def describe(world: World) -> dict[str, Any]:
    """The manifest entry: the partner's key pair and OAuth2 client."""
    credentials = partner(world.seed)
    return {
        "token_path": TOKEN_PATH,
        "key_id": credentials.key_id,
        "secret_key": credentials.secret_key,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "accounts": len(world.broker_accounts()),
    }
