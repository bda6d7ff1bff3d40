"""The Alpaca Trading API v2 routes: the key's account, its positions, its orders and its
activities.

Paths are relative to the API's base URL (the server mounts this app under /alpaca), so
`TradingClient(url_override=<base>/alpaca)` reaches `/v2/...` as it would on Alpaca.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from sandbox.alpaca_trading.activities import account_index, select_activities
from sandbox.alpaca_trading.auth import Keyring
from sandbox.alpaca_trading.errors import (
    EXCEPTION_HANDLERS,
    NOT_FOUND,
    ApiError,
    invalid,
)
from sandbox.alpaca_trading.gateway import Gateway
from sandbox.alpaca_trading.orders_query import parse_orders_query, select_orders
from sandbox.alpaca_trading.portfolio_history import get_portfolio_history
from sandbox.alpaca_trading.render import account_json, order_json, position_json
from sandbox.exact_json import ExactJSONResponse
from sandbox.limits import PERIOD_SECONDS, RateLimiter
from sandbox.serving import ServingState
from sandbox.world import Account, Order, World


def _context(request: Request) -> tuple[World, Account]:
    return request.state.world, request.state.account


def _nested(request: Request) -> bool:
    text = request.query_params.get("nested", "").lower()
    if text not in ("", "true", "false", "1", "0"):
        raise invalid(f"invalid nested: {text!r}")
    return text in ("true", "1")


async def get_account(request: Request) -> Response:
    world, account = _context(request)
    positions = world.positions(account.account_id)
    (balance,) = world.balances(account.account_id)
    return JSONResponse(account_json(account, balance, positions))


async def get_positions(request: Request) -> Response:
    world, account = _context(request)
    return JSONResponse([position_json(p) for p in world.positions(account.account_id)])


async def get_orders(request: Request) -> Response:
    world, account = _context(request)
    params = request.query_params
    query = parse_orders_query(params, params.getlist("asset_class"))
    page = select_orders(query, world.orders(account.account_id))
    numbers = account.numeric_decimals
    return ExactJSONResponse([order_json(order, legs, numbers=numbers) for order, legs in page])


async def get_activities(request: Request) -> Response:
    world, account = _context(request)
    params = request.query_params
    types = params.getlist("activity_types")
    if "activity_type" in request.path_params:
        types = [request.path_params["activity_type"]]
    index = account_index(world, account.account_id)
    return JSONResponse(select_activities(index, params, types, with_account=False))


def _one(request: Request, order: Order | None, orders: list[Order]) -> Response:
    if order is None:
        raise ApiError(404, NOT_FOUND, "order not found")
    legs = None
    if _nested(request):
        legs = [o for o in orders if o.parent_order_id == order.order_id] or None
    account = request.state.account
    return ExactJSONResponse(order_json(order, legs, numbers=account.numeric_decimals))


async def get_order(request: Request) -> Response:
    world, account = _context(request)
    orders = world.orders(account.account_id)
    order_id = request.path_params["order_id"]
    return _one(request, next((o for o in orders if o.order_id == order_id), None), orders)


async def get_order_by_client_id(request: Request) -> Response:
    world, account = _context(request)
    orders = world.orders(account.account_id)
    client_id = request.query_params.get("client_order_id")
    if not client_id:
        raise invalid("client_order_id is required")
    found = next((o for o in orders if o.client_order_id == client_id), None)
    return _one(request, found, orders)


def build_app(state: ServingState) -> ASGIApp:
    routes = [
        Route("/v2/account", get_account),
        Route("/v2/positions", get_positions),
        Route("/v2/orders", get_orders),
        Route("/v2/orders:by_client_order_id", get_order_by_client_id),
        Route("/v2/orders/{order_id}", get_order),
        Route("/v2/account/activities", get_activities),
        Route("/v2/account/activities/{activity_type}", get_activities),
        Route("/v2/account/portfolio/history", get_portfolio_history),
    ]
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
    limiter = RateLimiter(period=state.rate_limit_period or PERIOD_SECONDS)
    return Gateway(app, state, limiter, Keyring())


def describe(world: World) -> dict[str, Any]:
    """The manifest entry: every account's credentials, as a client would configure them."""
    return {
        "accounts": [
            {
                "account_id": key.account_id,
                "key_id": key.key_id,
                "secret_key": key.secret_key,
                "is_paper": world.account(key.account_id).is_paper,
            }
            for key in world.alpaca_keys()
        ]
    }
