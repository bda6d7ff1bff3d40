"""The Alpaca Trading API over real HTTP: auth, headers, and the account and positions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime

import httpx

from sandbox import Sandbox, SandboxConfig, World
from tests.sandbox.helpers import CLOCK, AlpacaKey


def test_missing_key_headers_are_forbidden(http: httpx.Client, keys: list[AlpacaKey]) -> None:
    key = keys[0]
    for headers in ({}, {"APCA-API-KEY-ID": key.key_id}, {"APCA-API-SECRET-KEY": key.secret_key}):
        response = http.get("/v2/account", headers=headers)
        assert response.status_code == 403
        assert response.json() == {"message": "forbidden."}


def test_wrong_secret_or_unknown_key_is_unauthorized(
    http: httpx.Client, keys: list[AlpacaKey]
) -> None:
    wrong_secret = {**keys[0].headers, "APCA-API-SECRET-KEY": keys[1].secret_key}
    unknown_key = {**keys[0].headers, "APCA-API-KEY-ID": "PK" + "0" * 18}
    for headers in (wrong_secret, unknown_key):
        response = http.get("/v2/account", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"code": 40110000, "message": "request is not authorized"}


def test_each_key_sees_its_own_account(http: httpx.Client, keys: list[AlpacaKey]) -> None:
    for key in keys:
        response = http.get("/v2/account", headers=key.headers)
        assert response.status_code == 200
        assert response.json()["id"] == key.account_id


def test_every_response_carries_request_id_rate_limit_and_world_date(
    http: httpx.Client, keys: list[AlpacaKey]
) -> None:
    for headers in ({}, keys[2].headers):
        response = http.get("/v2/positions", headers=headers)
        uuid.UUID(response.headers["x-request-id"])
        assert response.headers["x-ratelimit-limit"] == "200"
        assert 0 <= int(response.headers["x-ratelimit-remaining"]) < 200
        assert int(response.headers["x-ratelimit-reset"]) > 1_700_000_000
        assert parsedate_to_datetime(response.headers["date"]) == CLOCK
        assert "server" not in response.headers
    first = http.get("/v2/account", headers=keys[1].headers).headers
    second = http.get("/v2/account", headers=keys[1].headers).headers
    assert int(second["x-ratelimit-remaining"]) == int(first["x-ratelimit-remaining"]) - 1
    assert first["x-request-id"] != second["x-request-id"]


def test_rate_limit_enforced_when_asked() -> None:
    with Sandbox(SandboxConfig(clock=CLOCK, enforce_rate_limits=True)) as sandbox:
        alpaca = sandbox.manifest()["apis"]["alpaca"]
        account = alpaca["accounts"][0]
        headers = {
            "APCA-API-KEY-ID": account["key_id"],
            "APCA-API-SECRET-KEY": account["secret_key"],
        }
        with httpx.Client(base_url=alpaca["base_url"]) as client:
            statuses = [client.get("/v2/account", headers=headers).status_code for _ in range(200)]
            assert set(statuses) == {200}
            response = client.get("/v2/account", headers=headers)
            assert response.status_code == 429
            assert response.json() == {"code": 42910000, "message": "rate limit exceeded"}
            assert response.headers["x-ratelimit-remaining"] == "0"
            assert response.headers["x-ratelimit-limit"] == "200"
            other = alpaca["accounts"][1]
            other_headers = {
                "APCA-API-KEY-ID": other["key_id"],
                "APCA-API-SECRET-KEY": other["secret_key"],
            }
            assert client.get("/v2/account", headers=other_headers).status_code == 200
        assert sandbox.request_counts["alpaca"] == 202


def test_account_matches_the_world(http: httpx.Client, keys: list[AlpacaKey], world: World) -> None:
    for key in keys:
        body = http.get("/v2/account", headers=key.headers).json()
        account = world.account(key.account_id)
        (balance,) = world.balances(key.account_id)
        assert body["account_number"] == account.account_number
        assert body["status"] == "ACTIVE" and body["currency"] == "USD"
        for field, value in (
            ("cash", balance.cash),
            ("buying_power", balance.buying_power),
            ("equity", balance.equity),
            ("portfolio_value", balance.equity),
            ("last_equity", balance.last_equity),
            ("long_market_value", balance.long_market_value),
            ("short_market_value", balance.short_market_value),
            ("multiplier", account.multiplier),
        ):
            assert isinstance(body[field], str)
            assert Decimal(body[field]) == value, field
        assert body["created_at"].endswith("-05:00")
        assert datetime.fromisoformat(body["created_at"]) == account.created_at
        assert body["balance_asof"] == "2026-11-22"


def test_positions_match_the_world(http: httpx.Client, keys: list[AlpacaKey], world: World) -> None:
    for key in keys:
        body = http.get("/v2/positions", headers=key.headers).json()
        positions = world.positions(key.account_id)
        assert [p["symbol"] for p in body] == [  # BTCUSD: crypto without its slash
            p.instrument.symbol.replace("/", "") for p in positions
        ]
        for wire, position in zip(body, positions, strict=True):
            signed = position.quantity if position.side == "long" else -position.quantity
            assert wire["side"] == position.side
            assert Decimal(wire["qty"]) == signed
            assert Decimal(wire["market_value"]) == position.market_value
            assert Decimal(wire["cost_basis"]) == position.cost_basis
            assert Decimal(wire["unrealized_pl"]) == position.unrealized_pnl
            assert Decimal(wire["current_price"]) == position.market_price
            assert Decimal(wire["avg_entry_price"]) == position.average_cost
            assert wire["asset_class"] in ("us_equity", "us_option", "crypto")
            assert all(isinstance(wire[f], str) for f in ("qty", "market_value", "change_today"))


def test_errors_are_json(http: httpx.Client, keys: list[AlpacaKey]) -> None:
    headers = keys[0].headers
    missing = http.get(f"/v2/orders/{uuid.uuid4()}", headers=headers)
    assert missing.status_code == 404
    assert missing.json() == {"code": 40410000, "message": "order not found"}
    assert http.get("/v2/nowhere", headers=headers).json()["code"] == 40410000
    assert http.post("/v2/account", headers=headers).status_code == 405
    assert http.post("/v2/account", headers=headers).json()["code"] == 40510000
