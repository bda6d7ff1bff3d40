"""The official `snaptrade-python-sdk`, pointed at the sandbox, reads everything the
pipeline reads (and activities) without error: its response schemas accept the sandbox's
answers, and its signatures pass the sandbox's checks."""

from __future__ import annotations

import pytest
from snaptrade_client import SnapTrade
from snaptrade_client.auth import SnapTradeAuth


@pytest.fixture(scope="module")
def sdk(sandbox) -> tuple[SnapTrade, dict]:
    api = sandbox.manifest()["apis"]["snaptrade"]
    auth = SnapTradeAuth.commercial_api_key(
        consumer_key=api["consumer_key"], client_id=api["client_id"]
    )
    return SnapTrade(auth=auth, host=api["base_url"]), api


def test_the_official_sdk_reads_every_user(sdk, world):
    client, api = sdk
    assert client.api_status.check().body["online"] is True
    listed = client.authentication.list_snap_trade_users().body
    assert sorted(listed) == sorted(u["user_id"] for u in api["users"])
    for user in api["users"]:
        creds = {"user_id": user["user_id"], "user_secret": user["user_secret"]}
        connections = client.connections.list_brokerage_authorizations(**creds).body
        assert {c["id"] for c in connections} == {
            c.connection_id for c in world.connections(user["user_id"])
        }
        for connection in connections:
            client.connections.detail_brokerage_authorization(
                authorization_id=connection["id"], **creds
            )
        accounts = client.account_information.list_user_accounts(**creds).body
        assert {a["id"] for a in accounts} == {
            a.account_id for a in world.accounts_of_user(user["user_id"])
        }
        for account in accounts:
            account_id = account["id"]
            info = client.account_information
            info.get_user_account_details(account_id=account_id, **creds)
            balances = info.get_user_account_balance(account_id=account_id, **creds).body
            assert len(balances) == len(world.balances(account_id))
            positions = info.get_all_account_positions(account_id=account_id, **creds).body
            assert len(positions["results"]) == len(world.positions(account_id))
            orders = info.get_user_account_orders(
                account_id=account_id, state="all", days=90, **creds
            ).body
            assert len(orders) == len(world.orders(account_id))
            executed = [a for a in world.activities(account_id) if a.is_executed]
            listed, offset = [], 0
            while True:  # pages of 7, newest first
                page = info.get_account_activities(
                    account_id=account_id, offset=offset, limit=7, **creds
                ).body
                listed += page["data"]
                offset += len(page["data"])
                if not page["data"] or offset >= page["pagination"]["total"]:
                    break
            assert [a["id"] for a in listed] == [a.activity_id for a in reversed(executed)]
