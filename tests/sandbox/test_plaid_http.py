"""The Plaid simulator over plain HTTP: POSTs of JSON with the client's keys in the body;
Plaid's error bodies for missing fields, bad dates and counts; investment transactions
24 months back at most; Plaid's per-Item limit when rate limits are enforced (a 429 with
RATE_LIMIT_EXCEEDED and no rate-limit headers, the other Items unaffected)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from sandbox import Sandbox, SandboxConfig, WorldSizes
from sandbox.world.plaid_items import PlaidWorld
from tests.sandbox.helpers import CLOCK

SIZES = WorldSizes(plaid_items=3)


@pytest.fixture(scope="module")
def served():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=SIZES)) as sandbox:
        api = sandbox.manifest()["apis"]["plaid"]
        with httpx.Client(base_url=api["base_url"], timeout=10) as http:
            yield sandbox, api, http


def keys(api: dict, item: int = 0) -> dict[str, str]:
    return {
        "client_id": api["client_id"],
        "secret": api["secret"],
        "access_token": api["items"][item]["access_token"],
    }


def test_the_keys_in_the_body_read_the_item(served):
    _, api, http = served
    answer = http.post("/accounts/get", json=keys(api))
    assert answer.status_code == 200
    body = answer.json()
    assert body["item"]["item_id"] == api["items"][0]["item_id"]
    assert body["request_id"] and body["accounts"]
    assert http.get("/accounts/get").status_code == 405  # reads are POSTs


@pytest.mark.parametrize(
    ("path", "change", "code"),
    [
        ("/accounts/get", {"secret": None}, "MISSING_FIELDS"),
        ("/accounts/get", {"access_token": None}, "MISSING_FIELDS"),
        ("/investments/transactions/get", {}, "MISSING_FIELDS"),  # no dates
        (
            "/investments/transactions/get",
            {"start_date": "2026-11-02", "end_date": "2026-11-01"},
            "INVALID_FIELD",
        ),
        (
            "/investments/transactions/get",
            {"start_date": "2026-11-01", "end_date": "2026-11-02", "options": {"count": 501}},
            "INVALID_FIELD",
        ),
        ("/investments/holdings/get", {"options": {"account_ids": ["nope"]}}, "INVALID_ACCOUNT_ID"),
    ],
)
def test_bad_requests_get_plaids_error_body(served, path, change, code):
    _, api, http = served
    body = {k: v for k, v in {**keys(api), **change}.items() if v is not None}
    answer = http.post(path, json=body)
    assert answer.status_code == 400
    error = answer.json()
    assert error["error_code"] == code
    assert error["error_type"] in ("INVALID_REQUEST", "INVALID_INPUT")
    assert {"error_message", "display_message", "request_id"} <= set(error)


def test_transactions_go_back_24_months_at_most(served):
    sandbox, api, http = served
    later = CLOCK + timedelta(days=900)  # the Items' first transactions are older than that
    sandbox.set_clock(later)
    try:
        answer = http.post(
            "/investments/transactions/get",
            json={**keys(api), "start_date": "2020-01-01", "end_date": later.date().isoformat(),
                  "options": {"count": 500}},
        ).json()  # fmt: skip
        world = PlaidWorld(sandbox.world)
        item = world.item(api["items"][0]["access_token"])
        every = [a for held in item.accounts for a in world.activities(held.account)]
    finally:
        sandbox.set_clock(CLOCK)
    earliest = (later - timedelta(days=730)).date().isoformat()
    dates = [t["date"] for t in answer["investment_transactions"]]
    assert min(dates) >= earliest
    assert answer["total_investment_transactions"] < len(every)


def test_the_per_item_limit_answers_429_as_plaid_does():
    config = SandboxConfig(
        seed=0, clock=CLOCK, sizes=SIZES, enforce_rate_limits=True, rate_limit_period_seconds=60
    )
    with Sandbox(config) as sandbox:
        api = sandbox.manifest()["apis"]["plaid"]
        with httpx.Client(base_url=api["base_url"], timeout=10) as http:
            statuses = [http.post("/accounts/get", json=keys(api)).status_code for _ in range(16)]
            refused = http.post("/accounts/get", json=keys(api))
            other = http.post("/accounts/get", json=keys(api, item=2))
    assert statuses == [200] * 15 + [429]
    assert refused.status_code == 429
    error = refused.json()
    assert (error["error_type"], error["error_code"]) == ("RATE_LIMIT_EXCEEDED", "ACCOUNTS_LIMIT")
    assert not any(h.startswith("x-ratelimit") for h in refused.headers)
    assert other.status_code == 200
