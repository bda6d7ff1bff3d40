"""The official `plaid-python` client, pointed at the sandbox, reads every Item: the Item,
its accounts, its holdings and securities, its investment transactions page by page. Its
models check every field's type, every required field and every enum, so the sandbox's
answers are Plaid's shapes; its errors carry Plaid's error codes."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import plaid
import pytest
from plaid.api import plaid_api
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.investments_holdings_get_request import InvestmentsHoldingsGetRequest
from plaid.model.investments_transactions_get_request import InvestmentsTransactionsGetRequest
from plaid.model.investments_transactions_get_request_options import (
    InvestmentsTransactionsGetRequestOptions,
)
from plaid.model.item_get_request import ItemGetRequest

from sandbox import Sandbox, SandboxConfig, WorldSizes
from sandbox.world.plaid_items import PlaidWorld
from tests.sandbox.helpers import CLOCK

LATER = CLOCK + timedelta(days=1)  # the second Item's login has expired by then


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(seed=0, clock=CLOCK, sizes=WorldSizes(plaid_items=3))) as running:
        yield running


def client_for(api: dict, secret: str | None = None) -> plaid_api.PlaidApi:
    configuration = plaid.Configuration(
        host=api["base_url"],
        api_key={"clientId": api["client_id"], "secret": secret or api["secret"]},
    )
    return plaid_api.PlaidApi(plaid.ApiClient(configuration))


@pytest.fixture(scope="module")
def sdk(sandbox) -> tuple[plaid_api.PlaidApi, dict]:
    api = sandbox.manifest()["apis"]["plaid"]
    return client_for(api), api


def test_the_official_client_reads_every_item(sandbox, sdk):
    client, api = sdk
    plaid_world = PlaidWorld(sandbox.world)
    assert len(api["items"]) == 3
    for listed in api["items"]:
        token = listed["access_token"]
        item = client.item_get(ItemGetRequest(access_token=token)).item
        assert item.item_id == listed["item_id"]
        assert item.error is None
        world_item = plaid_world.item(token)
        accounts = client.accounts_get(AccountsGetRequest(access_token=token)).accounts
        assert [a.account_id for a in accounts] == [
            a.account.account_id for a in world_item.accounts
        ]
        for account, held in zip(accounts, world_item.accounts, strict=True):
            balance = plaid_world.balance(held.account)
            assert str(account.type) == "investment"
            assert str(account.subtype) == held.subtype
            assert account.mask == held.mask
            assert Decimal(str(account.balances.available)) == balance.cash
            assert account.balances.current == pytest.approx(float(balance.equity))
        holdings = client.investments_holdings_get(
            InvestmentsHoldingsGetRequest(access_token=token)
        )
        securities = {s.security_id: s for s in holdings.securities}
        expected = [p for a in world_item.accounts for p in plaid_world.positions(a.account)]
        assert len(holdings.holdings) == len(expected) > 0
        for holding, position in zip(holdings.holdings, expected, strict=True):
            security = securities[holding.security_id]
            per = 100 if position.instrument.kind == "option" else 1
            assert holding.quantity == pytest.approx(float(position.quantity * per))
            assert holding.institution_value == pytest.approx(float(position.market_value))
            if security.type == "derivative":
                assert security.option_contract.underlying_security_ticker
                assert security.ticker_symbol == position.instrument.symbol


def test_the_official_client_pages_the_transactions_by_offset(sandbox, sdk):
    client, api = sdk
    token = api["items"][0]["access_token"]
    world_item = PlaidWorld(sandbox.world).item(token)
    expected = {
        a.activity_id
        for held in world_item.accounts
        for a in PlaidWorld(sandbox.world).activities(held.account)
    }
    start, end = (CLOCK - timedelta(days=730)).date(), CLOCK.date()
    seen: list[str] = []
    while True:
        page = client.investments_transactions_get(
            InvestmentsTransactionsGetRequest(
                access_token=token,
                start_date=start,
                end_date=end,
                options=InvestmentsTransactionsGetRequestOptions(count=7, offset=len(seen)),
            )
        )
        seen += [t.investment_transaction_id for t in page.investment_transactions]
        assert page.total_investment_transactions == len(expected)
        if len(seen) >= page.total_investment_transactions:
            break
    assert len(seen) == len(set(seen)) and set(seen) == expected
    dates = [t.date for t in page.investment_transactions]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_errors_come_in_plaids_shape(sandbox, sdk):
    client, api = sdk
    with pytest.raises(plaid.ApiException) as refused:
        client_for(api, secret="0" * 30).item_get(
            ItemGetRequest(access_token=api["items"][0]["access_token"])
        )
    body = json.loads(refused.value.body)
    assert (refused.value.status, body["error_type"], body["error_code"]) == (
        400, "INVALID_INPUT", "INVALID_API_KEYS",
    )  # fmt: skip
    with pytest.raises(plaid.ApiException) as unknown:
        client.accounts_get(AccountsGetRequest(access_token="access-sandbox-unknown"))
    assert json.loads(unknown.value.body)["error_code"] == "INVALID_ACCESS_TOKEN"


def test_an_item_whose_login_expired_says_so(sandbox, sdk):
    client, api = sdk
    token = api["items"][1]["access_token"]
    sandbox.set_clock(LATER)
    try:
        item = client.item_get(ItemGetRequest(access_token=token)).item
        assert item.error.error_code == "ITEM_LOGIN_REQUIRED"
        with pytest.raises(plaid.ApiException) as refused:
            client.investments_holdings_get(InvestmentsHoldingsGetRequest(access_token=token))
        body = json.loads(refused.value.body)
        assert (body["error_type"], body["error_code"]) == ("ITEM_ERROR", "ITEM_LOGIN_REQUIRED")
    finally:
        sandbox.set_clock(CLOCK)
