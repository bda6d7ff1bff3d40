"""The Plaid API's investment reads, rendered from the world's Items: `/item/get`,
`/accounts/get`, `/investments/holdings/get` and `/investments/transactions/get`.

Every route is a POST of JSON. The client's `client_id` and `secret` come in the body, as
Plaid's reference asks, or in the `PLAID-CLIENT-ID` and `PLAID-SECRET` headers, as the
official client sends them; the Item is named by its `access_token`. Errors are Plaid's
bodies. Over Plaid's per-Item limits (when rate limits are enforced) a route answers 429
with RATE_LIMIT_EXCEEDED and no rate-limit headers, as Plaid does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from sandbox.exact_json import ExactJSONResponse
from sandbox.limits import PERIOD_SECONDS, RateLimiter
from sandbox.plaid import render
from sandbox.plaid.errors import (
    PlaidError,
    invalid_input,
    invalid_request,
    login_required,
    rate_limited,
)
from sandbox.serving import ServingState
from sandbox.world import World
from sandbox.world.plaid_items import PlaidItem, PlaidWorld
from sandbox.world.randomness import ALNUM, alnum, rng

NAME = "plaid"
# Plaid's production limits, requests per Item per minute, and the error code of each.
LIMITS = {
    "/item/get": (15, "ITEM_GET_LIMIT"),
    "/accounts/get": (15, "ACCOUNTS_LIMIT"),
    "/investments/holdings/get": (15, "INVESTMENT_HOLDINGS_GET_LIMIT"),
    "/investments/transactions/get": (30, "INVESTMENT_TRANSACTIONS_LIMIT"),
}
RATE_LIMIT = 15  # the tightest of them: what the manifest tells a client
HISTORY = timedelta(days=730)  # investment transactions: up to 24 months back
MAX_COUNT = 500
DEFAULT_COUNT = 100

Handler = Callable[[World, PlaidWorld, PlaidItem, dict[str, Any]], dict[str, Any]]


def client_credentials(seed: int) -> tuple[str, str]:
    """The world's Plaid client: (client_id, secret)."""
    r = rng(seed, NAME, "client")
    return alnum(r, 24, "0123456789abcdef"), alnum(r, 30, "0123456789abcdef")


def _request_id(path: str, body: bytes) -> str:
    return alnum(rng(hashlib.sha256(path.encode() + body).hexdigest()), 15, ALNUM)


class PlaidApi:
    def __init__(self, state: ServingState) -> None:
        self.state = state
        period = state.rate_limit_period or PERIOD_SECONDS
        self.limiters = {path: RateLimiter(limit, period) for path, (limit, _) in LIMITS.items()}

    def route(self, path: str, handler: Handler, *, login_needed: bool = True) -> Route:
        async def answer(request: Request) -> Response:
            raw = await request.body()
            request_id = _request_id(path, raw)
            world = self.state.world_of(request.scope)
            try:
                body = _json(raw)
                self._authenticate(request, body, world)
                plaid = PlaidWorld(world)
                item = plaid.item(_text(body, "access_token"))
                if item is None:
                    raise invalid_input(
                        "INVALID_ACCESS_TOKEN", "provided access token is in an invalid format"
                    )
                self._count(path, item)
                if login_needed and plaid.login_required(item):
                    raise login_required()
                document = handler(world, plaid, item, body)
            except PlaidError as error:
                return error.response(request_id)
            return ExactJSONResponse({**document, "request_id": request_id})

        return Route(path, answer, methods=["POST"])

    def _authenticate(self, request: Request, body: dict[str, Any], world: World) -> None:
        client_id = body.get("client_id") or request.headers.get("plaid-client-id")
        secret = body.get("secret") or request.headers.get("plaid-secret")
        if not client_id or not secret:
            raise invalid_request(
                "MISSING_FIELDS",
                "the following required fields are missing: "
                + ", ".join(
                    name for name, v in (("client_id", client_id), ("secret", secret)) if not v
                ),
            )
        if (client_id, secret) != client_credentials(world.seed):
            raise invalid_input("INVALID_API_KEYS", "invalid client_id or secret provided")

    def _count(self, path: str, item: PlaidItem) -> None:
        budget = self.limiters[path].hit(item.item_id)
        if self.state.enforce_rate_limits and budget.exceeded:
            raise rate_limited(LIMITS[path][1])


def _json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise invalid_request("INVALID_BODY", "body could not be parsed as JSON") from None
    if not isinstance(body, dict):
        raise invalid_request("INVALID_BODY", "body must be a JSON object")
    return body


def _text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value:
        raise invalid_request(
            "MISSING_FIELDS", f"the following required fields are missing: {field}"
        )
    return value


def _date(body: dict[str, Any], field: str) -> date:
    text = _text(body, field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid_request("INVALID_FIELD", f"{field} must be a date (YYYY-MM-DD)") from None


def _accounts(plaid: PlaidWorld, item: PlaidItem, body: dict[str, Any]) -> list[Any]:
    """The Item's accounts, or those `options.account_ids` names (each must be the Item's)."""
    wanted = (body.get("options") or {}).get("account_ids")
    if wanted is None:
        return list(item.accounts)
    ids = {a.account.account_id for a in item.accounts}
    unknown = [i for i in wanted if i not in ids]
    if unknown:
        raise invalid_input("INVALID_ACCOUNT_ID", "one or more of the account IDs is invalid")
    return [a for a in item.accounts if a.account.account_id in wanted]


def _accounts_json(plaid: PlaidWorld, accounts: list[Any]) -> list[dict[str, Any]]:
    return [render.account_json(a, plaid.balance(a.account)) for a in accounts]


def get_item(
    world: World, plaid: PlaidWorld, item: PlaidItem, body: dict[str, Any]
) -> dict[str, Any]:
    """The Item and its status; an Item whose login expired carries the error here (its
    last successful update was then, its last failed one now)."""
    expired = plaid.login_expired_at(item)
    if expired is None or expired > world.clock:
        return {"item": render.item_json(item, None), "status": render.item_status(world.clock)}
    error = login_required().body(_request_id("/item/get", item.item_id.encode()))
    return {
        "item": render.item_json(item, error),
        "status": render.item_status(expired, failed=world.clock),
    }


def get_accounts(
    world: World, plaid: PlaidWorld, item: PlaidItem, body: dict[str, Any]
) -> dict[str, Any]:
    return {
        "accounts": _accounts_json(plaid, _accounts(plaid, item, body)),
        "item": render.item_json(item, None),
    }


def get_holdings(
    world: World, plaid: PlaidWorld, item: PlaidItem, body: dict[str, Any]
) -> dict[str, Any]:
    accounts = _accounts(plaid, item, body)
    day = world.clock.date()
    positions = [p for a in accounts for p in plaid.positions(a.account)]
    securities = {p.instrument.symbol: p.instrument for p in positions}
    return {
        "accounts": _accounts_json(plaid, accounts),
        "holdings": [render.holding_json(p, day) for p in positions],
        "securities": [
            render.security_json(i, world.seed, day) for _, i in sorted(securities.items())
        ],
        "item": render.item_json(item, None),
    }


def get_transactions(
    world: World, plaid: PlaidWorld, item: PlaidItem, body: dict[str, Any]
) -> dict[str, Any]:
    """Transactions dated in [start_date, end_date] (at most 24 months back), newest
    first, `options.count` (at most 500) from `options.offset`."""
    start, end = _date(body, "start_date"), _date(body, "end_date")
    if start > end:
        raise invalid_request("INVALID_FIELD", "start_date must be on or before end_date")
    options = body.get("options") or {}
    count, offset = options.get("count", DEFAULT_COUNT), options.get("offset", 0)
    if not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise invalid_request("INVALID_FIELD", f"options.count must be between 1 and {MAX_COUNT}")
    if not isinstance(offset, int) or offset < 0:
        raise invalid_request("INVALID_FIELD", "options.offset must be 0 or more")
    earliest = max(start, (world.clock - HISTORY).date())
    accounts = _accounts(plaid, item, body)
    dated = [
        a
        for account in accounts
        for a in plaid.activities(account.account)
        if a.is_executed and earliest <= a.at.astimezone(UTC).date() <= end
    ]
    dated.sort(key=lambda a: (a.at, a.activity_id), reverse=True)
    page = dated[offset : offset + count]
    securities = {a.instrument.symbol: a.instrument for a in page if a.instrument is not None}
    return {
        "item": render.item_json(item, None),
        "accounts": _accounts_json(plaid, accounts),
        "securities": [
            render.security_json(i, world.seed, world.clock.date())
            for _, i in sorted(securities.items())
        ],
        "investment_transactions": [render.transaction_json(a) for a in page],
        "total_investment_transactions": len(dated),
    }


def build_app(state: ServingState) -> ASGIApp:
    api = PlaidApi(state)
    routes = [
        api.route("/item/get", get_item, login_needed=False),
        api.route("/accounts/get", get_accounts),
        api.route("/investments/holdings/get", get_holdings),
        api.route("/investments/transactions/get", get_transactions),
    ]
    return Starlette(routes=routes)


def describe(world: World) -> dict[str, Any]:
    """The manifest entry: the client's keys and each Item's access token, as the partner
    stored them when its users linked their accounts."""
    client_id, secret = client_credentials(world.seed)
    return {
        "client_id": client_id,
        "secret": secret,
        "items": [
            {"item_id": item.item_id, "access_token": item.access_token}
            for item in PlaidWorld(world).items()
        ],
    }
