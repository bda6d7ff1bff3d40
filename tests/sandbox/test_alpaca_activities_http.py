"""Alpaca's activity listings as the API documents them: newest first unless asked,
paged by the last id read, `after` and `until` exclusive, a whole UTC day in one answer
with `date`, filters by type and category; the Broker API lists every account's at once,
and its journals whatever their status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from brokers.parse import to_utc
from sandbox import Sandbox, World
from sandbox.alpaca_trading.activities import activity_id
from tests.sandbox.helpers import AlpacaKey


@pytest.fixture(scope="module")
def broker(sandbox: Sandbox):
    api = sandbox.manifest()["apis"]["alpaca_broker"]
    with httpx.Client(
        base_url=api["base_url"], auth=(api["key_id"], api["secret_key"]), timeout=30
    ) as client:
        yield client


def walk(http: httpx.Client, path: str, params: dict[str, Any], headers=None) -> list[dict]:
    seen: list[dict] = []
    query = dict(params)
    while True:
        page = http.get(path, params=query, headers=headers).json()
        seen += page
        if len(page) < query.get("page_size", 100):
            return seen
        query["page_token"] = page[-1]["id"]


def test_one_accounts_listing_pages_both_ways(http, keys: list[AlpacaKey], world: World):
    key = keys[0]
    expected = sorted(activity_id(a) for a in world.activities(key.account_id) if a.is_executed)
    ascending = walk(
        http, "/v2/account/activities", {"direction": "asc", "page_size": 9}, key.headers
    )
    assert [a["id"] for a in ascending] == expected
    descending = walk(http, "/v2/account/activities", {"page_size": 9}, key.headers)
    assert [a["id"] for a in descending] == expected[::-1]
    assert "account_id" not in ascending[0]  # the key's account: not named


def test_time_bounds_are_exclusive_and_a_date_is_the_whole_day(http, keys, world: World):
    key = keys[0]
    fills = [a for a in world.activities(key.account_id) if a.kind == "fill"]
    middle = fills[len(fills) // 2].at
    after = http.get(
        "/v2/account/activities",
        params={"after": middle.isoformat(), "direction": "asc"},
        headers=key.headers,
    ).json()
    times = [to_utc(a.get("transaction_time") or a["created_at"]) for a in after]
    # a fill's time has nanoseconds: the one at `middle` to the microsecond is after it
    assert times and all(t >= middle for t in times)
    assert len(times) == sum(
        a.is_executed and a.at >= middle for a in world.activities(key.account_id)
    )
    day = middle.date().isoformat()
    whole = http.get("/v2/account/activities", params={"date": day}, headers=key.headers).json()
    expected = [
        a
        for a in world.activities(key.account_id)
        if a.is_executed and a.at.date() == middle.date()
    ]
    assert len(whole) == len(expected)
    trades = http.get(
        "/v2/account/activities", params={"category": "trade_activity"}, headers=key.headers
    ).json()
    assert {a["activity_type"] for a in trades} == {"FILL"}
    deposits = http.get("/v2/account/activities/CSD", headers=key.headers).json()
    assert deposits and {a["activity_type"] for a in deposits} == {"CSD"}
    bad = http.get("/v2/account/activities", params={"page_size": 101}, headers=key.headers)
    assert bad.status_code == 422


def test_the_broker_api_lists_every_account_and_its_journals(broker, world: World):
    everyone = walk(broker, "/v1/accounts/activities", {"direction": "asc"})
    expected = sorted(
        activity_id(a)
        for account in world.broker_accounts()
        for a in world.activities(account.account_id)
        if a.is_executed
    )
    assert [a["id"] for a in everyone] == expected
    assert {a["account_id"] for a in everyone} >= {
        a.account_id for a in world.broker_accounts() if a.status != "closed"
    }
    journals = broker.get("/v1/journals").json()
    assert sorted(j["status"] for j in journals) == ["executed", "pending", "rejected"]
    created = world.journals()[-1].created_at.date()
    later = broker.get(
        "/v1/journals", params={"after": (created - timedelta(days=1)).isoformat()}
    ).json()
    assert [j["status"] for j in later] == ["pending"]
    pending = broker.get("/v1/journals", params={"status": "pending"}).json()
    assert len(pending) == 1 and pending[0]["settle_date"] is None
