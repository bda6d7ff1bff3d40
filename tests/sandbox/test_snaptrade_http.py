"""The sandbox's SnapTrade API over real HTTP: authentication as SnapTrade enforces it,
the cached state of a disabled connection, order and activity queries, the rate limit,
and user management."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from brokers.snaptrade.signing import SnapTradeAuth
from sandbox import Sandbox, SandboxConfig
from tests.sandbox.helpers import CLOCK


@pytest.fixture(scope="module")
def api(sandbox) -> dict:
    return sandbox.manifest()["apis"]["snaptrade"]


def client(api: dict, *, consumer_key: str | None = None, clock=time.time) -> httpx.Client:
    auth = SnapTradeAuth(api["client_id"], consumer_key or api["consumer_key"], clock=clock)
    return httpx.Client(base_url=api["base_url"], auth=auth, timeout=10)


@pytest.fixture(scope="module")
def http(api) -> Iterator[httpx.Client]:
    with client(api) as signed:
        yield signed


def creds(user: dict) -> dict[str, str]:
    return {"userId": user["user_id"], "userSecret": user["user_secret"]}


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["status_code"] == response.status_code
    return response.status_code, body["code"]


def test_status_needs_no_credentials(api):
    response = httpx.get(api["base_url"] + "/")
    assert response.status_code == 200 and response.json()["online"] is True


def test_a_wrong_consumer_key_gets_1076(api):
    with client(api, consumer_key="x" * 50) as wrong:
        assert error(wrong.get("/snapTrade/listUsers")) == (401, "1076")


def test_a_wrong_user_secret_gets_1083(http, api):
    user = api["users"][0]
    response = http.get("/accounts", params={**creds(user), "userSecret": "nope"})
    assert error(response) == (401, "1083")
    assert http.get("/accounts", params=creds(user)).status_code == 200


def test_a_stale_timestamp_and_missing_credentials_are_refused(api):
    with client(api, clock=lambda: time.time() - 3600) as stale:
        response = stale.get("/snapTrade/listUsers")
    assert response.status_code == 401 and response.json()["detail"] == "Invalid timestamp"
    unsigned = httpx.get(api["base_url"] + "/snapTrade/listUsers")
    assert unsigned.status_code == 403


def test_a_request_signed_over_a_tampered_query_is_refused(api):
    auth = SnapTradeAuth(api["client_id"], api["consumer_key"])
    request = httpx.Request("GET", api["base_url"] + "/snapTrade/listUsers")
    signed = next(auth.auth_flow(request))
    tampered = signed.url.copy_add_param("extra", "1")
    response = httpx.get(str(tampered), headers={"Signature": signed.headers["Signature"]})
    assert error(response) == (401, "1076")


def test_another_users_account_does_not_exist_for_you(http, api, world):
    mine, theirs = api["users"][0], api["users"][1]
    other = world.accounts_of_user(theirs["user_id"])[0]
    response = http.get(f"/accounts/{other.account_id}/balances", params=creds(mine))
    assert error(response) == (404, "1011")


def test_a_disabled_connection_serves_its_last_cached_state(http, api, world):
    disabled = [
        c for c in world.connections() if c.disabled_at is not None and c.disabled_at <= CLOCK
    ]
    assert disabled
    connection = disabled[0]
    user = next(u for u in api["users"] if u["user_id"] == connection.user_id)
    detail = http.get(f"/authorizations/{connection.connection_id}", params=creds(user)).json()
    assert detail["disabled"] is True
    [account] = http.get(
        f"/authorizations/{connection.connection_id}/accounts", params=creds(user)
    ).json()
    positions = http.get(f"/accounts/{account['id']}/positions/all", params=creds(user)).json()
    as_of = positions["data_freshness"]["as_of"]
    assert as_of == connection.disabled_at.isoformat() == detail["disabled_date"]
    assert account["sync_status"]["holdings"]["last_successful_sync"] == as_of
    orders = http.get(
        f"/accounts/{account['id']}/orders", params={**creds(user), "days": 90}
    ).json()
    assert orders and all(o["time_placed"] <= as_of for o in orders)


def test_orders_by_state_and_days(http, api, world):
    user = api["users"][0]
    account = next(a for a in world.accounts_of_user(user["user_id"]) if a.status != "closed")
    path, params = f"/accounts/{account.account_id}/orders", creds(user)
    every = http.get(path, params={**params, "days": 90}).json()
    assert len(every) == len(world.orders(account.account_id))
    recent = http.get(path, params={**params, "days": 3}).json()
    assert 0 < len(recent) < len(every)
    executed = http.get(path, params={**params, "days": 90, "state": "executed"}).json()
    assert {o["status"] for o in executed} <= {"EXECUTED", "PARTIAL"}
    assert error(http.get(path, params={**params, "days": 0})) == (400, "1012")
    assert error(http.get(path, params={**params, "state": "done"})) == (400, "1012")


def test_activities_page_by_offset_and_stop_at_the_total(http, api, world):
    user = api["users"][0]
    account = next(a for a in world.accounts_of_user(user["user_id"]) if a.status != "closed")
    path = f"/accounts/{account.account_id}/activities"
    seen, offset = [], 0
    while True:
        page = http.get(path, params={**creds(user), "offset": offset, "limit": 7}).json()
        seen += page["data"]
        offset += len(page["data"])
        if offset >= page["pagination"]["total"]:
            break
    truth = world.activities(account.account_id)
    assert len(seen) == page["pagination"]["total"] == len(truth)
    assert [a["id"] for a in seen] == [a.activity_id for a in reversed(truth)]
    over = http.get(path, params={**creds(user), "limit": 5000}).json()
    assert over["pagination"]["limit"] == 1000


def test_users_are_registered_reset_and_deleted(http):
    created = http.post("/snapTrade/registerUser", json={"userId": "new-user-1"}).json()
    assert created["userId"] == "new-user-1"
    assert "new-user-1" in http.get("/snapTrade/listUsers").json()
    again = http.post("/snapTrade/registerUser", json={"userId": "new-user-1"})
    assert again.status_code == 400
    user = {"userId": "new-user-1", "userSecret": created["userSecret"]}
    assert http.get("/accounts", params=user).json() == []
    reset = http.post("/snapTrade/resetUserSecret", json=user).json()
    assert reset["userSecret"] != created["userSecret"]
    assert error(http.get("/accounts", params=user)) == (401, "1083")
    deleted = http.delete("/snapTrade/deleteUser", params={"userId": "new-user-1"}).json()
    assert deleted["status"] == "deleted"
    assert "new-user-1" not in http.get("/snapTrade/listUsers").json()


def test_the_rate_limit_answers_429_with_snaptrades_body():
    config = SandboxConfig(clock=CLOCK, enforce_rate_limits=True, rate_limit_period_seconds=30)
    with Sandbox(config) as limited:
        api = limited.manifest()["apis"]["snaptrade"]
        with client(api) as signed:
            answers = [signed.get("/snapTrade/listUsers") for _ in range(251)]
    first, last = answers[0], answers[-1]
    assert first.headers["X-RateLimit-Limit"] == "250"
    assert first.headers["X-RateLimit-Remaining"] == "249"
    assert 0 < int(first.headers["X-RateLimit-Reset"]) <= 30  # seconds to wait, not epoch
    assert [a.status_code for a in answers[:250]] == [200] * 250
    assert error(last) == (429, "0000")
    assert last.json()["detail"].startswith("Request was throttled. Expected available in")
