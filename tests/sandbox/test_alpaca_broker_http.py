"""The sandbox's Alpaca Broker API over HTTP: the accounts listing's windows and filters,
HTTP Basic and OAuth2 client credentials as Alpaca has them, and activity paging."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from sandbox import Sandbox, SandboxConfig, World
from sandbox.world import WorldSizes
from tests.sandbox.helpers import CLOCK


@pytest.fixture(scope="module")
def api(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.manifest()["apis"]["alpaca_broker"]


@pytest.fixture(scope="module")
def broker(api: dict[str, Any]) -> Iterator[httpx.Client]:
    auth = (api["key_id"], api["secret_key"])
    with httpx.Client(base_url=api["base_url"], auth=auth, timeout=10) as client:
        yield client


def token_form(api: dict[str, Any], **changes: str) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": api["client_id"],
        "client_secret": api["client_secret"],
    }
    return {**form, **changes}


def created(account: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(account["created_at"].replace("Z", "+00:00"))


def test_listing_is_newest_first_by_default_and_oldest_first_on_request(broker, world: World):
    expected = [a.account_id for a in world.broker_accounts()]
    newest_first = broker.get("/v1/accounts").json()
    assert [a["id"] for a in newest_first] == expected[::-1]
    oldest_first = broker.get("/v1/accounts", params={"sort": "asc"}).json()
    assert [a["id"] for a in oldest_first] == expected
    assert all(a["created_at"].endswith("Z") for a in oldest_first)


def test_created_after_and_before_are_inclusive(broker, world: World):
    accounts = world.broker_accounts()
    middle = broker.get("/v1/accounts", params={"sort": "asc"}).json()[5]
    after = broker.get(
        "/v1/accounts", params={"sort": "asc", "created_after": middle["created_at"]}
    ).json()
    assert {a["id"] for a in after} == {
        a.account_id for a in accounts if a.created_at >= created(middle)
    }
    before = broker.get(
        "/v1/accounts", params={"sort": "asc", "created_before": middle["created_at"]}
    ).json()
    assert {a["id"] for a in before} == {
        a.account_id for a in accounts if a.created_at <= created(middle)
    }


def test_a_listing_holds_at_most_1000_accounts():
    config = SandboxConfig(clock=CLOCK, sizes=WorldSizes(broker_accounts=1100))
    with Sandbox(config) as sandbox:
        api = sandbox.manifest()["apis"]["alpaca_broker"]
        auth = (api["key_id"], api["secret_key"])
        # each account's last equity is its ledger's at yesterday's prices: a page of a
        # thousand takes the sandbox some seconds to draw
        page = httpx.get(
            api["base_url"] + "/v1/accounts", auth=auth, params={"sort": "asc"}, timeout=120
        )
        assert len(page.json()) == 1000
        assert [a["id"] for a in page.json()] == [
            a.account_id for a in sandbox.world.broker_accounts()[:1000]
        ]


def test_entities_limit_the_personal_data_sent(broker):
    full = broker.get("/v1/accounts").json()[0]
    assert {"contact", "identity", "disclosures", "documents"} <= set(full)
    assert full["identity"]["tax_id"].startswith("666-")
    lean = broker.get("/v1/accounts", params={"entities": "trading_configurations"}).json()[0]
    assert not {"contact", "identity", "disclosures", "documents", "agreements"} & set(lean)
    assert lean["trading_configurations"]["max_margin_multiplier"] in {"1", "2", "4"}
    bad = broker.get("/v1/accounts", params={"entities": "passwords"})
    assert bad.status_code == 422


def test_status_and_query_filters(broker, world: World):
    closed = broker.get("/v1/accounts", params={"status": "ACCOUNT_CLOSED"}).json()
    assert {a["id"] for a in closed} == {
        a.account_id for a in world.broker_accounts() if a.status == "closed"
    }
    target = world.broker_accounts()[3]
    profile = world.customer_profile(target.account_id)
    found = broker.get(
        "/v1/accounts", params={"query": f"{profile.email_address} {target.account_number}"}
    ).json()
    assert [a["id"] for a in found] == [target.account_id]


def test_trading_routes_answer_404_for_an_account_the_partner_does_not_hold(broker):
    response = broker.get("/v1/trading/accounts/00000000-0000-4000-8000-000000000000/account")
    assert response.status_code == 404
    assert response.json() == {"code": 40410000, "message": "account not found"}


def test_basic_auth_with_a_wrong_secret_is_401(api):
    response = httpx.get(api["base_url"] + "/v1/accounts", auth=(api["key_id"], "wrong" * 8))
    assert response.status_code == 401
    assert response.json() == {"code": 40110000, "message": "request is not authorized"}
    assert "x-ratelimit-remaining" in response.headers


def test_the_token_endpoint_takes_the_secret_in_the_form_body_only(api):
    url = api["base_url"] + api["token_path"]
    issued = httpx.post(url, data=token_form(api))
    assert issued.status_code == 200
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    listed = httpx.get(
        api["base_url"] + "/v1/accounts",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert listed.status_code == 200

    as_basic = httpx.post(
        url,
        data={"grant_type": "client_credentials"},
        auth=(api["client_id"], api["client_secret"]),
    )
    assert as_basic.status_code == 401 and as_basic.json()["error"] == "invalid_client"
    as_json = httpx.post(url, json=token_form(api))
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    wrong = httpx.post(url, data=token_form(api, client_secret="x" * 48))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = httpx.post(url, data=token_form(api, grant_type="password"))
    assert grant.json()["error"] == "unsupported_grant_type"


def test_an_expired_token_is_answered_401_and_the_ledger_keeps_only_hashes():
    config = SandboxConfig(clock=CLOCK, token_lifetime_seconds=1)
    with Sandbox(config) as sandbox:
        api = sandbox.manifest()["apis"]["alpaca_broker"]
        token = httpx.post(api["base_url"] + api["token_path"], data=token_form(api)).json()
        assert token["expires_in"] == 1
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        url = api["base_url"] + "/v1/accounts"
        assert httpx.get(url, headers=headers).status_code == 200
        time.sleep(1.1)
        expired = httpx.get(url, headers=headers)
        assert expired.status_code == 401
        assert expired.json()["message"] == "access token expired"
        assert token["access_token"] not in repr(vars(sandbox.tokens))


def test_activities_page_by_token_to_the_end(broker, world: World):
    account = world.broker_accounts()[0]
    expected = [a for a in world.activities(account.account_id) if a.is_executed]
    seen: list[str] = []
    params: dict[str, Any] = {"account_id": account.account_id, "page_size": 7}
    while True:
        page = broker.get("/v1/accounts/activities", params=params).json()
        if not page:
            break
        seen += [a["id"] for a in page]
        params["page_token"] = page[-1]["id"]
    assert len(seen) == len(expected) == len(set(seen))
    assert seen == sorted(seen, reverse=True)
    fills = broker.get(
        "/v1/accounts/activities/FILL", params={"account_id": account.account_id}
    ).json()
    assert fills and all(a["activity_type"] == "FILL" and a["order_id"] for a in fills)


def test_the_broker_world_has_every_account_opened_before_the_clock(world: World):
    assert len(world.broker_accounts()) == world.sizes.broker_accounts
    assert all(a.created_at <= world.clock for a in world.broker_accounts())
    assert datetime(2020, 1, 1, tzinfo=UTC) < world.broker_accounts()[0].created_at
